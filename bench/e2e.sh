#!/usr/bin/env bash
# Every bench of issue 9 in one command, reports collected under one directory:
#   1. bench/capture.sh   agent vs tcpdump vs pmacctd on the same veth load            -> OUT/capture/capture.md
#   2. bench/pipeline.sh  aggregator summaries/s vs Kafka's own perf tools (if present) -> OUT/pipeline/
#   3. JMH benchmarks     bench/jmh.sh (or agent/bench/jmh.sh when it is absent)        -> OUT/jmh.txt
# A part that fails is reported and the others still run; the exit status is 1 when any part failed.
# OUT/README.md lists what ran, with the status and the load average before each part.
# Needs root and the tools of bench/capture.sh (trafgen, tcpdump, pmacct, curl, python3) and a JDK 17.
# Usage: bench/e2e.sh [--out DIR] [--seconds N] [--reps N] [--quick] [--no-build] [--rates "50000 100000 200000"]
#   --quick: short runs that check the harness end to end (no figure to quote). Default OUT: target/bench/e2e-<UTC time>.
set -euo pipefail
cd "$(dirname "$0")/.."
out=""; seconds=10; reps=3; quick=0; build=1; rates=""
while (($#)); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --no-build) build=0; shift ;;
    --rates) rates="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "e2e: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
out="${out:-target/bench/e2e-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"; out="$(cd "$out" && pwd)"
summary="$out/README.md"
{
  echo "# bench/e2e.sh $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -r), $(java -version 2>&1 | head -1)"
  echo "Commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
  echo
  echo "| part | command | status | load average before |"
  echo "|---|---|---|---|"
} > "$summary"
failed=0
part() { # NAME LOG COMMAND...: runs one part, records its status
  local name="$1" log="$2"; shift 2
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "e2e: $name: $*"
  local rc=0
  "$@" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
  [[ $rc == 0 ]] || { failed=1; echo "e2e: $name FAILED (exit $rc), log: $log" >&2; }
  echo "| $name | \`$*\` | $([[ $rc == 0 ]] && echo ok || echo "FAILED (exit $rc)") | $load |" >> "$summary"
}
skip() { echo "e2e: $1 skipped: $2"; echo "| $1 | – | skipped: $2 | – |" >> "$summary"; }

common=(); ((quick)) && common+=(--quick); ((build)) || common+=(--no-build)

# 1. Capture (builds the agent unless --no-build).
capture=(bench/capture.sh --out "$out/capture" --seconds "$seconds" --reps "$reps" "${common[@]}")
[[ -n "$rates" ]] && capture+=(--rates "$rates")
part capture "$out/capture.log" "${capture[@]}"

# 2. Pipeline: written on another branch; absent here until it is merged.
if [[ -x bench/pipeline.sh ]]; then
  part pipeline "$out/pipeline.log" bench/pipeline.sh --out "$out/pipeline" --seconds "$seconds" --reps "$reps" "${common[@]}"
else
  skip pipeline "bench/pipeline.sh is not on this branch (aggregator vs raw Kafka throughput not measured)"
fi

# 3. JMH. Quick: one fork, one short warm-up and measurement iteration per benchmark, straight from the module scripts.
jmh_quick=(-f 1 -wi 1 -i 1 -w 1s -r 1s)
if ((quick)); then
  for m in agent aggregator; do
    [[ -x "$m/bench/jmh.sh" ]] && part "jmh ($m, quick)" "$out/jmh-$m.txt" "$m/bench/jmh.sh" Benchmark "${jmh_quick[@]}"
  done
elif [[ -x bench/jmh.sh ]]; then
  part jmh "$out/jmh.txt" bench/jmh.sh
else
  part "jmh (agent)" "$out/jmh.txt" agent/bench/jmh.sh Benchmark
fi

echo >> "$summary"
[[ -f "$out/capture/capture.md" ]] && { echo "## Capture"; echo; sed '1d' "$out/capture/capture.md"; } >> "$summary"
for f in "$out"/pipeline/*.md; do
  [[ -f "$f" ]] && { echo "## Pipeline ($(basename "$f"))"; echo; cat "$f"; } >> "$summary"
done
echo "e2e: reports in $out (summary: $summary)"
exit "$failed"
