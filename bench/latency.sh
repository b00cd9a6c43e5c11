#!/usr/bin/env bash
# Packet → WebSocket latency (issue 9): the standalone (broker + aggregator + agent capturing lo, one JVM) in a network
# namespace of its own; LatencyProbe sends timestamped UDP datagrams of one flow on loopback and subscribes to that
# flow on /ws; latency = arrival of the flow view counting a packet − its send time. Optional background load from
# iperf3 (UDP, 64-byte payloads) on another port. Writes OUT/latency-<date>.md. Needs root (capture, netns) and iperf3.
# Usage: bench/latency.sh [--out DIR] [--rate PPS (probe, default 20)] [--seconds N (default 30)] [--load-pps N (default 0)]
#                         [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench rate=20 seconds=30 load=0 build=1
args=("$@")
while (( $# )); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --load-pps) load="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "latency: unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
jar=deploy/standalone/target/fluxtap-standalone.jar
if [[ -z "${FLUXTAP_LATENCY_NETNS:-}" ]]; then
  if (( build )); then
    ./mvnw -B -q -pl deploy/standalone -am package -DskipTests >&2
  else
    export FLUXTAP_BENCH_NO_BUILD=1
  fi
  source aggregator/bench/classpath.sh # builds the probe (aggregator test classes) unless --no-build
  ns="benchpipe-lat-$$"
  ip netns add "$ns"
  trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
  ip -n "$ns" link set lo up
  FLUXTAP_LATENCY_NETNS="$ns" FLUXTAP_BENCH_NO_BUILD=1 ip netns exec "$ns" "$0" "${args[@]}" --no-build
  exit
fi
export FLUXTAP_BENCH_NO_BUILD=1
source aggregator/bench/classpath.sh
source bench/lib/standalone.sh
http_port=$(free_port) kafka_port=$(free_port) probe_port=$(free_port) load_port=$(free_port)
start_standalone latency "$jar"
note="Standalone jar (defaults), capture on lo in its own network namespace."
if (( load > 0 )); then
  iperf3 -s -1 -p "$load_port" -B 127.0.0.1 > "$work/iperf-server.log" 2>&1 &
  pids+=($!)
  until ss -ltn "sport = :$load_port" | grep -q LISTEN; do sleep 0.2; done
  iperf3 -c 127.0.0.1 -p "$load_port" -u -l 64 -b $((load * 64 * 8)) -t $((seconds + 20)) > "$work/iperf-client.log" 2>&1 &
  pids+=($!)
  sleep 5 # the load runs before the probe starts
  note="$note Background load: iperf3 UDP, 64-byte payloads, $load packets/s on another port."
fi
java -Xmx256m -cp "$BENCH_CP" dev.fluxtap.aggregator.bench.LatencyProbe --ws "ws://127.0.0.1:$http_port/ws" --port "$probe_port" \
  --rate "$rate" --seconds "$seconds" --out "$out" --note "$note"
