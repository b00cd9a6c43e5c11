#!/usr/bin/env bash
# Capture bench: the Fluxtap agent (publishing to a real Kafka broker), tcpdump and pmacctd on the same load, side by side.
#
# Two network namespaces joined by a veth pair: trafgen (netsniff-ng) sends UDP frames from the "tx" namespace at a set
# rate (60-byte frames, 18-byte payloads, 64 flows by source port, one destination port); in the "rx" namespace the
# three capture tools run AT THE SAME TIME on the receiving veth end with the same BPF filter, so every ratio compares
# tools on the very same packets:
#   - fluxtap-agent: agent/target/fluxtap-agent.jar (-Xmx128m -XX:+UseSerialGC), publishing to a real broker (the
#     embedded KRaft broker of deploy/embedded-kafka, its own JVM in the rx namespace, 6 partitions), defaults otherwise
#     except --tcp-stats=false (connection polling is not per-packet work, and the peers have none);
#   - tcpdump -s 128 -B 4096 -w /dev/null;
#   - pmacctd (memory plugin, 5-tuple aggregation, plugin_pipe_size 100 MB and plugin_buffer_size 100 KB: its defaults
#     lose about 30 % at 100k pps).
# Each run: start the tools, a warm-up burst (2 s at the rate: JIT), wait until everything is drained, read every
# counter and /proc/PID/stat, send the measured load (SECONDS at RATE, exact count from trafgen, checked against the
# receiving interface's rx_packets), wait until drained again (the agent: every captured packet published or counted as
# dropped), read again. Figures are deltas over that window:
#   offered       packets trafgen sent in the window (= what reached the capture interface)
#   captured      agent: frames captured; tcpdump: "packets captured"; pmacctd: packets in its memory table
#   kernel drops  pcap_stats ps_drop (agent metric, tcpdump's "dropped by kernel", pmacctd's SIGUSR1 stats)
#   CPU           utime+stime of the process (pmacctd: core + plugin process) over the window: µs per captured packet
#                 and % of one core over the load seconds
#   RSS           peak (VmHWM; pmacctd: sum of its processes)
#   agent only    published (summaries acknowledged by Kafka) and counted drops (queue drops, malformed, skipped frames,
#                 frames lost by the capture); accounted = (published + counted drops) / captured; batches lost
# One JSON line per tool and run goes to OUT/runs.jsonl; bench/lib/capture_report.py turns them into OUT/capture.md
# (medians over the runs, the ratios agent/tcpdump and agent/pmacctd computed per run, the issue-9 targets).
#
# Needs root (namespaces, CAP_NET_RAW), trafgen (netsniff-ng), tcpdump, pmacct, curl, python3, a JDK 17.
# Usage: bench/capture.sh [--rates "50000 100000 200000"] [--seconds 10] [--reps 3] [--out DIR] [--quick] [--no-build]
#                         [--tools agent,tcpdump,pmacctd] [--agent-opts "JVM flags"] [--agent-args "agent flags"]
#                         [--agent-jar JAR (another build of the agent, e.g. for a before/after comparison)]
#   --quick: one run at 50000 pps for 3 s (checks the harness). Default OUT: target/bench/capture-<UTC time>.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

jar=""; rates="50000 100000 200000"; seconds=10; reps=3; out=""; build=1; tools="agent,tcpdump,pmacctd"; warm_seconds=2
agent_opts="-Xmx128m -XX:+UseSerialGC"; agent_args=""
while (($#)); do
  case "$1" in
    --rates) rates="${2//,/ }"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --quick) rates=50000; seconds=3; reps=1; warm_seconds=1; shift ;;
    --no-build) build=0; shift ;;
    --tools) tools="$2"; shift 2 ;;
    --agent-opts) agent_opts="$2"; shift 2 ;;
    --agent-args) agent_args="$2"; shift 2 ;;
    --agent-jar) jar="$(realpath "$2")"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "capture: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$seconds" "$reps" $rates; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "capture: '$n' is not a positive number" >&2; exit 2; }
done
[[ $EUID -eq 0 ]] || { echo "capture: needs root (network namespaces, packet capture)" >&2; exit 2; }
for tool in trafgen tcpdump pmacctd pmacct curl python3 java ip; do
  command -v "$tool" >/dev/null || { echo "capture: $tool is missing (apt-get install -y netsniff-ng tcpdump pmacct curl python3 iproute2)" >&2; exit 2; }
done
has() { [[ ",$tools," == *",$1,"* ]]; }
out="${out:-target/bench/capture-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"; out="$(cd "$out" && pwd)"

if ((build)); then
  # -am: the sibling modules (schemas, embedded-kafka) resolve from the reactor (never `mvn install` them).
  ./mvnw -B -q -pl agent -am package dependency:build-classpath -DskipTests -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench.classpath >/dev/null
fi
[[ -f agent/target/bench.classpath ]] || { echo "capture: agent/target/bench.classpath is missing (run without --no-build)" >&2; exit 2; }
jar="${jar:-$root/agent/target/fluxtap-agent.jar}"
[[ -f "$jar" ]] || { echo "capture: $jar is missing (run without --no-build)" >&2; exit 2; }
cp="$root/agent/target/test-classes:$root/agent/target/classes:$(cat agent/target/bench.classpath)"

# Names unique per invocation (interface names: at most 15 characters).
tag="bc$$"; tx="benchcap-$$-tx"; rx="benchcap-$$-rx"; tx_if="${tag}a"; rx_if="${tag}b"
load_port=5999; kafka_port=19092; http_port=19100
work="$(mktemp -d /tmp/benchcap.XXXXXX)"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$p" 2>/dev/null || true
  done
  ip netns del "$tx" 2>/dev/null || true; ip netns del "$rx" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
in_rx() { ip netns exec "$rx" "$@"; }  # not for background processes: $! must be the process itself

ip netns add "$tx"; ip netns add "$rx"
ip link add "$tx_if" netns "$tx" type veth peer name "$rx_if" netns "$rx"
for ns in "$tx" "$rx"; do
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$tx" addr add 10.77.0.1/24 dev "$tx_if"; ip -n "$rx" addr add 10.77.0.2/24 dev "$rx_if"
ip -n "$tx" link set "$tx_if" up; ip -n "$rx" link set "$rx_if" up
rx_mac=$(in_rx cat "/sys/class/net/$rx_if/address")
cat > "$work/load.trafgen" <<EOF
{ eth(da=$rx_mac), ipv4(saddr=10.77.0.1, daddr=10.77.0.2, ttl=64), udp(sp=dinc(20000, 20063), dp=$load_port), fill(0x41, 18) }
EOF
filter="udp dst port $load_port"

# Sends COUNT packets at RATE pps; prints the count trafgen reports as sent.
send() {
  ip netns exec "$tx" trafgen --dev "$tx_if" --conf "$work/load.trafgen" -b "${1}pps" -n "$2" -P 1 2>"$work/trafgen.err" \
    | tr -d '\r' | awk '/packets outgoing/ {print $1}'
}
rx_packets() { in_rx cat "/sys/class/net/$rx_if/statistics/rx_packets"; }
# utime+stime in clock ticks, summed over the PIDs (fields after the parenthesised command name).
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}'))); done; echo "$t"; }
hwm_kib() { local t=0 p; for p in "$@"; do t=$((t + $(awk '/VmHWM/ {print $2}' "/proc/$p/status"))); done; echo "$t"; }
children() { pgrep -P "$1" || true; }
wait_for() { # SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds
  local deadline=$((SECONDS + $1)) what="$2"; shift 2
  until "$@"; do
    ((SECONDS < deadline)) || { echo "capture: timed out waiting for $what" >&2; return 1; }
    sleep 0.2
  done
}

# --- the broker (one for the whole bench) ---
if has agent; then
  ip netns exec "$rx" java -Xmx512m -cp "$cp" dev.fluxtap.agent.bench.BenchBroker "$kafka_port" 6 > "$work/broker.log" 2>&1 &
  broker=$!; pids+=("$broker")
  wait_for 90 "the broker (see $work/broker.log)" grep -q "broker ready" "$work/broker.log"
fi

# --- per tool: start, counters, stop ---
metrics() { in_rx curl -sf "127.0.0.1:$http_port/metrics" > "$work/metrics" || : > "$work/metrics"; }
metric() { awk -v m="$1" '$1 == m || index($1, m "{") == 1 {s += $2} END {printf "%d", s}' "$work/metrics"; }
agent_start() {
  # shellcheck disable=SC2086 # word splitting of the option strings is intended
  ip netns exec "$rx" java $agent_opts -jar "$jar" run --bootstrap-servers "127.0.0.1:$kafka_port" --interface "$rx_if" --filter "$filter" \
    --http-port "$http_port" --bind-address 127.0.0.1 --tcp-stats=false $agent_args > "$work/agent.log" 2>&1 &
  agent=$!; pids+=("$agent")
  wait_for 60 "the agent (see $work/agent.log)" in_rx curl -sf "127.0.0.1:$http_port/readiness" -o /dev/null
}
agent_counters() { # captured kernel_drops published counted_drops batches_lost depth
  metrics
  echo "$(metric fluxtap_agent_frames_captured_total) $(metric fluxtap_agent_kernel_drops_total) $(metric fluxtap_agent_summaries_sent_total)" \
    "$(( $(metric fluxtap_agent_queue_drops_total) + $(metric fluxtap_agent_frames_malformed_total) + $(metric fluxtap_agent_frames_skipped_total) + $(metric fluxtap_agent_capture_lost_total) ))" \
    "$(metric fluxtap_agent_batches_lost_total) $(metric fluxtap_agent_queue_depth)"
}
agent_drained() { # every captured frame published or counted, nothing queued, and the count stable
  local c; read -r -a c <<< "$(agent_counters)"
  # batches lost (counted, in batches not summaries) end the wait too: the report shows them.
  [[ "${c[5]}" == 0 && ( $((c[2] + c[3])) -ge "${c[0]}" || "${c[4]}" != 0 ) && "${c[0]}" == "${agent_last:-x}" ]] && return 0
  agent_last="${c[0]}"; return 1
}
tcpdump_start() {
  ip netns exec "$rx" tcpdump -i "$rx_if" -s 128 -B 4096 -w /dev/null "$filter" 2> "$work/tcpdump.err" &
  tcpdump=$!; pids+=("$tcpdump")
  wait_for 20 "tcpdump" grep -q "listening on" "$work/tcpdump.err"
}
tcpdump_counters() { # captured kernel_drops (SIGUSR1 makes tcpdump print its counters)
  local n; n=$(grep -c "packets captured" "$work/tcpdump.err" || true)
  kill -USR1 "$tcpdump"
  wait_for 10 "tcpdump's counters" eval '(( $(grep -c "packets captured" "$work/tcpdump.err") > n ))'
  grep "packets captured" "$work/tcpdump.err" | tail -1 | sed 's/tcpdump: //' | awk '{print $1, $9}'
}
pmacctd_start() {
  cat > "$work/pmacctd.conf" <<EOF
daemonize: false
pcap_interface: $rx_if
pcap_filter: $filter
snaplen: 128
aggregate: src_host, dst_host, src_port, dst_port, proto
plugins: memory
imt_path: $work/pmacct.pipe
plugin_pipe_size: 102400000
plugin_buffer_size: 102400
logfile: $work/pmacctd.log
EOF
  : > "$work/pmacctd.log"
  ip netns exec "$rx" pmacctd -f "$work/pmacctd.conf" > "$work/pmacctd.out" 2>&1 &
  pmacctd=$!; pids+=("$pmacctd")
  wait_for 20 "pmacctd (see $work/pmacctd.log)" grep -q "waiting for data" "$work/pmacctd.log"
  pmacctd_pids=("$pmacctd" $(children "$pmacctd"))
}
pmacctd_counters() { # captured (packets in the memory table) kernel_drops (SIGUSR1 stats line)
  local n; n=$(grep -c "received_packets=" "$work/pmacctd.log" || true)
  kill -USR1 "$pmacctd"
  wait_for 10 "pmacctd's counters" eval '(( $(grep -c "received_packets=" "$work/pmacctd.log") > n ))'
  local drops; drops=$(grep -o "dropped_packets=[0-9]*" "$work/pmacctd.log" | tail -1 | cut -d= -f2)
  local counted; counted=$(pmacct -p "$work/pmacct.pipe" -s -O json | python3 -c 'import json,sys; print(sum(json.loads(l)["packets"] for l in sys.stdin if l.strip()))')
  echo "$counted $drops"
}
stop_pid() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }  # INT is ignored by background jobs

drained_prev=""
all_drained() { # the agent has published or counted everything, and tcpdump's and pmacctd's counts stopped moving
  local now=""
  has agent && { agent_drained || return 1; }
  has tcpdump && now+="$(tcpdump_counters) "
  has pmacctd && now+="$(pmacctd_counters)"
  [[ "$now" == "$drained_prev" ]] && return 0
  drained_prev="$now"; return 1
}
settle() { drained_prev=""; agent_last=""; sleep 1.2; wait_for 60 "the tools to drain" all_drained; }

runs="$out/runs.jsonl"; : > "$runs"
echo "capture: writing to $out (rates: $rates; $seconds s x $reps runs; tools: $tools)"
for rep in $(seq 1 "$reps"); do
  for rate in $rates; do
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    has agent && agent_start
    has tcpdump && tcpdump_start
    has pmacctd && pmacctd_start
    send "$rate" $((rate * warm_seconds)) > /dev/null
    settle
    declare -A before=() after=() rss=()
    has agent && before[agent]="$(agent_counters) $(cpu_ticks "$agent")"
    has tcpdump && before[tcpdump]="$(tcpdump_counters) $(cpu_ticks "$tcpdump")"
    has pmacctd && before[pmacctd]="$(pmacctd_counters) $(cpu_ticks "${pmacctd_pids[@]}")"
    rx0=$(rx_packets)
    start_ns=$(date +%s%N)
    offered=$(send "$rate" $((rate * seconds)))
    load_ns=$(( $(date +%s%N) - start_ns ))
    settle
    rx1=$(rx_packets)
    has agent && after[agent]="$(agent_counters) $(cpu_ticks "$agent")"
    has tcpdump && after[tcpdump]="$(tcpdump_counters) $(cpu_ticks "$tcpdump")"
    has pmacctd && after[pmacctd]="$(pmacctd_counters) $(cpu_ticks "${pmacctd_pids[@]}")"
    window_ns=$(( $(date +%s%N) - start_ns ))
    has agent && { rss[agent]=$(hwm_kib "$agent"); stop_pid "$agent"; }
    has tcpdump && { rss[tcpdump]=$(hwm_kib "$tcpdump"); stop_pid "$tcpdump"; }
    has pmacctd && { rss[pmacctd]=$(hwm_kib "${pmacctd_pids[@]}"); stop_pid "$pmacctd"; }
    pids=(${broker:+"$broker"})
    for t in agent tcpdump pmacctd; do
      has "$t" || continue
      python3 bench/lib/capture_report.py row --tool "$t" --rep "$rep" --rate "$rate" --seconds "$seconds" --offered "$offered" \
        --interface-rx "$((rx1 - rx0))" --load-ns "$load_ns" --window-ns "$window_ns" --hz "$(getconf CLK_TCK)" --loadavg "$load" \
        --rss-kib "${rss[$t]}" --before "${before[$t]}" --after "${after[$t]}" | tee -a "$runs" | python3 bench/lib/capture_report.py progress
    done
  done
done
python3 bench/lib/capture_report.py report "$runs" --command "bench/capture.sh --rates \"$rates\" --seconds $seconds --reps $reps" \
  --date "$(date -u +%Y-%m-%dT%H:%MZ)" > "$out/capture.md"
cat "$out/capture.md"
