#!/usr/bin/env bash
# Capture -> Kafka benchmark of the agent, with tcpdump on the same load side by side.
#
# For each rate: a real broker (embedded KRaft, own JVM) on this machine, UDP load on loopback from our own sender
# (UdpBlaster: 18-byte payloads, 64 flows), then
#   1. the agent jar capturing on lo with a BPF filter on the load's port, publishing to the broker;
#   2. tcpdump -i lo -s 128 -w /dev/null with the same filter, on the same load.
# Reports datagrams sent, packets captured, agent drops (kernel, queue, batches lost), summaries acknowledged by
# Kafka, CPU (% of one core, from /proc/PID/stat over the load window) and peak RSS of each capture process.
# Needs root (CAP_NET_RAW), tcpdump and libpcap0.8. Usage: agent/bench/capture-to-kafka.sh [SECONDS] [RATE...]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-20}"; shift || true
rates=("${@:-50000 200000}")
read -r -a rates <<< "${rates[*]}"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
kafka_port=$(free_port); load_port=$(free_port); http_port=$(free_port)
tick=$(getconf CLK_TCK)

./mvnw -B -q -pl agent -am package -DskipTests
./mvnw -B -q -pl agent dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="agent/target/test-classes:agent/target/classes:$(cat agent/target/bench.classpath)"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
metric() { curl -s "localhost:$http_port/metrics" | awk -v m="$1" '$1 ~ "^"m {s += $2} END {printf "%d", s}'; }

java -Xmx512m -cp "$cp" dev.fluxtap.agent.bench.BenchBroker "$kafka_port" 6 > "$work/broker.log" 2>&1 &
pids+=($!)
until grep -q "broker ready" "$work/broker.log"; do
  kill -0 "${pids[0]}" 2>/dev/null || { echo "broker failed:"; tail -5 "$work/broker.log"; exit 1; }
  sleep 0.5
done

echo "| rate (pps) | capture | sent | captured | kernel drops | queue drops | batches lost | summaries acked | CPU (% core) | peak RSS (MiB) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for rate in "${rates[@]}"; do
  # 1. The agent.
  java -Xmx128m -XX:+UseSerialGC -jar agent/target/fluxtap-agent.jar run --bootstrap-servers "127.0.0.1:$kafka_port" --interface lo \
    --filter "udp dst port $load_port" --http-port "$http_port" --bind-address 127.0.0.1 --buffer-size 16m > "$work/agent.log" 2>&1 &
  agent=$!; pids+=($agent)
  until curl -sf "localhost:$http_port/readiness" >/dev/null; do
    kill -0 "$agent" 2>/dev/null || { echo "agent failed:"; tail -5 "$work/agent.log"; exit 1; }
    sleep 0.5
  done
  before=$(cpu_ticks "$agent")
  sent=$(java -cp "$cp" dev.fluxtap.agent.bench.UdpBlaster "$load_port" "$rate" "$seconds" | awk '{print $2}')
  after=$(cpu_ticks "$agent")
  sleep 2
  captured=$(metric fluxtap_agent_frames_captured_total); kdrops=$(metric fluxtap_agent_kernel_drops_total)
  qdrops=$(metric fluxtap_agent_queue_drops_total); lost=$(metric fluxtap_agent_batches_lost_total)
  acked=$(metric fluxtap_agent_summaries_sent_total); rss=$(( $(rss_kib "$agent") / 1024 ))
  cpu=$(awk -v t=$((after - before)) -v hz="$tick" -v s="$seconds" 'BEGIN {printf "%.1f", 100 * t / hz / s}')
  kill -TERM "$agent"; wait "$agent" || true
  echo "| $rate | fluxtap-agent | $sent | $captured | $kdrops | $qdrops | $lost | $acked | $cpu | $rss |"

  # 2. tcpdump on the same load.
  tcpdump -i lo -s 128 -B 16384 -w /dev/null "udp dst port $load_port" > "$work/tcpdump.log" 2>&1 &
  td=$!; pids+=($td)
  sleep 1
  before=$(cpu_ticks "$td")
  sent=$(java -cp "$cp" dev.fluxtap.agent.bench.UdpBlaster "$load_port" "$rate" "$seconds" | awk '{print $2}')
  sleep 1; after=$(cpu_ticks "$td"); rss=$(( $(rss_kib "$td") / 1024 ))
  kill -INT "$td"; wait "$td" || true
  tcaptured=$(awk '/packets captured/ {print $1}' "$work/tcpdump.log"); tdrops=$(awk '/dropped by kernel/ {print $1}' "$work/tcpdump.log")
  cpu=$(awk -v t=$((after - before)) -v hz="$tick" -v s="$seconds" 'BEGIN {printf "%.1f", 100 * t / hz / s}')
  echo "| $rate | tcpdump | $sent | $tcaptured | $tdrops | - | - | - | $cpu | $rss |"
done
