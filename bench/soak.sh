#!/usr/bin/env bash
# Soak of the standalone (broker + aggregator + agent in one JVM) under steady loopback load.
#
# Starts deploy/standalone/target/fluxtap-standalone.jar capturing lo, pushes RATE UDP packets/s (iperf3, 64-byte
# payloads, one flow) through it for MINUTES, and every 10 s forces a full GC (jcmd GC.run) and records the heap used
# after it, the RSS and the agent's counters as the aggregator sees them (/api/v1/agents). At the end it checks:
#   - the live heap does not grow once warm: the median heap after GC over the last third of the samples is within
#     10 % of the median over the middle third. A single sample is noisy under load (the consumer's prefetched
#     records, the producer's pooled buffers and the broker's requests are live data of the same JVM, tens of MiB that
#     come and go), so medians of ~20 samples are compared rather than the extremes, which the report also shows;
#   - nothing is lost: iperf3's datagrams sent (+ its 2 connect datagrams) = packets of its flow in the aggregator (/api/v1/flows), no kernel or
#     queue drop, no batch lost by the agent, no sequence gap seen by the aggregator, and every summary the agent
#     captured was applied by the aggregator.
# It runs in a network namespace of its own, so its loopback carries only the soak's traffic.
# Writes a markdown report to target/bench/soak-<date>.md and exits 1 when a check fails.
# Needs root (CAP_NET_RAW on lo), iperf3, python3, curl and a JDK (jcmd).
# Usage: bench/soak.sh [MINUTES (1..10, default 10)] [RATE (default 100000)]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-10}"
rate="${2:-100000}"
if ! [[ "$minutes" =~ ^[0-9]+$ ]] || (( minutes < 1 || minutes > 10 )); then
  echo "soak: MINUTES must be 1..10, got '$minutes'" >&2; exit 2
fi
if ! [[ "$rate" =~ ^[0-9]+$ ]] || (( rate < 1 )); then
  echo "soak: RATE must be a positive number of packets/s, got '$rate'" >&2; exit 2
fi
if [[ -z "${FLUXTAP_SOAK_NETNS:-}" ]]; then
  ns="fluxtap-soak-$$"
  ip netns add "$ns"
  trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
  ip -n "$ns" link set lo up
  FLUXTAP_SOAK_NETNS="$ns" ip netns exec "$ns" "$0" "$minutes" "$rate"
  exit
fi
for tool in iperf3 jcmd python3 curl ss; do
  command -v "$tool" >/dev/null || { echo "soak: $tool is missing (apt-get install -y iperf3 curl python3; jcmd comes with the JDK)" >&2; exit 2; }
done
source bench/lib/standalone.sh
http_port=$(free_port); kafka_port=$(free_port); load_port=$(free_port)
seconds=$((minutes * 60))
jar=deploy/standalone/target/fluxtap-standalone.jar
[[ -f "$jar" ]] || ./mvnw -B -q -DskipTests package

mkdir -p target/bench
report="target/bench/soak-$(date -u +%Y%m%dT%H%M%SZ).md"
start_standalone soak "$jar"
echo "soak: standalone up (pid $app, http $http_port); $rate packets/s for $minutes min"

iperf3 -s -1 -p "$load_port" -B 127.0.0.1 > "$work/iperf-server.log" 2>&1 &
pids+=($!)
until ss -ltn "sport = :$load_port" | grep -q LISTEN; do sleep 0.2; done # a probe connection would use up -1
iperf3 -c 127.0.0.1 -p "$load_port" -u -l 64 -b $((rate * 64 * 8)) -t "$seconds" --json > "$work/iperf-client.json" &
load=$!

agents_line() {
  api /api/v1/agents | python3 -c '
import json, sys
a = json.load(sys.stdin)["agents"][0]
print(a["packetsCaptured"], a["summariesReceived"], a["kernelDrops"], a["queueDrops"], a["agentBatchesLost"], a["lostBatches"])'
}
heap_after_gc_mib() {
  jcmd "$app" GC.run >/dev/null
  jcmd "$app" GC.heap_info | awk '/used/ && /total/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); sub("K,?", "", v); print int(v / 1024); exit}}'
}
rss_mib() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$app/status"; }

echo "t_s heap_mib rss_mib captured applied" > "$work/samples"
start=$(date +%s)
while kill -0 "$load" 2>/dev/null; do
  sleep 10
  kill -0 "$load" 2>/dev/null || break
  read -r captured applied _ <<< "$(agents_line)"
  sample="$(( $(date +%s) - start )) $(heap_after_gc_mib) $(rss_mib) $captured $applied"
  echo "$sample" >> "$work/samples"
  echo "soak: $sample (t_s heap_mib rss_mib captured applied)"
done
wait "$load"
sent=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["end"]["sum"]["packets"])' "$work/iperf-client.json")

# The last heartbeat must cover the end of the load, and the aggregator must have applied all of it.
deadline=$(( $(date +%s) + 90 ))
while :; do
  read -r captured applied kdrops qdrops agent_lost gaps <<< "$(agents_line)"
  flow_packets=$(api "/api/v1/flows?port=$load_port&protocol=17&limit=10" | python3 -c '
import json, sys
print(sum(f["fwdPackets"] + f["revPackets"] for f in json.load(sys.stdin)["flows"]))')
  if (( flow_packets >= sent + 2 && applied == captured )) || (( $(date +%s) > deadline )); then break; fi
  sleep 2
done

python3 - "$work/samples" "$report" "$minutes" "$rate" "$sent" "$flow_packets" "$captured" "$applied" "$kdrops" "$qdrops" "$agent_lost" "$gaps" <<'EOF'
import os, platform, subprocess, sys, time
samples_file, report, minutes, rate, sent, flow, captured, applied, kdrops, qdrops, agent_lost, gaps = sys.argv[1:]
rows = [line.split() for line in open(samples_file).read().splitlines()[1:]]
import statistics
third = max(len(rows) // 3, 1)
middle = [int(r[1]) for r in rows[third:2 * third]] or [int(r[1]) for r in rows]
last = [int(r[1]) for r in rows[2 * third:]] or middle
growth = (statistics.median(last) - statistics.median(middle)) / statistics.median(middle) * 100
warm = middle + last
checks = [
    ("live heap flat once warm (median of last third within 10 % of middle third)", abs(growth) <= 10,
     f"median {statistics.median(middle):.0f} → {statistics.median(last):.0f} MiB ({growth:+.1f} %); samples {min(warm)}–{max(warm)} MiB"),
    # iperf 3.12 opens a UDP test with one datagram each way ("connect" and its reply) before the counted ones.
    ("iperf3 datagrams + 2 = packets of its flow", int(flow) == int(sent) + 2, f"{sent} sent, {flow} in the flow"),
    ("no kernel or queue drop", int(kdrops) == 0 and int(qdrops) == 0, f"kernel {kdrops}, queue {qdrops}"),
    ("no batch lost by the agent", int(agent_lost) == 0, agent_lost),
    ("no sequence gap at the aggregator", int(gaps) == 0, gaps),
    ("every captured summary applied", int(applied) == int(captured), f"{captured} captured, {applied} applied"),
]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
out = [f"# Soak: {minutes} min at {rate} packets/s through the standalone",
       "", f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores ({cpu}); {java}; kernel {platform.release()}; "
       f"load average at the end {os.getloadavg()[0]:.2f}.", "",
       "| t (s) | heap after full GC (MiB) | RSS (MiB) | captured | applied |", "|---|---|---|---|---|"]
out += [f"| {' | '.join(r)} |" for r in rows]
out += ["", "| check | result | figures |", "|---|---|---|"]
out += [f"| {name} | {'pass' if ok else 'FAIL'} | {fig} |" for name, ok, fig in checks]
open(report, "w").write("\n".join(out) + "\n")
print("\n".join(out))
sys.exit(0 if all(ok for _, ok, _ in checks) else 1)
EOF
