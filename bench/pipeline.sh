#!/usr/bin/env bash
# Aggregator throughput as a ratio of raw Kafka consume throughput (issue 9), on one embedded broker per repetition:
# Kafka's own ProducerPerformance/ConsumerPerformance with records of our PacketBatch size, then the same number of
# real records through the whole aggregator (PacketColumns as agents write them; --format rows after -- for PacketBatch).
# Medians of the repetitions, load average recorded; writes OUT/pipeline-<date>.md. See docs/BENCHMARKS.md.
# Usage: bench/pipeline.sh [--out DIR] [--seconds N] [--reps N] [--quick] [--no-build] [--jfr] [--profile EVENT] [-- PipelineBench options]
#   --seconds N  size of the input: N x 2000 records of 1000 summaries (about N seconds at 2M summaries/s);
#                default 10 (20 000 records, 20M summaries); the JIT still compiles during short runs (16-21 % of the
#                aggregator phase's CPU at 20); --seconds 60 -- --warmup 3 gives the steady state that
#                docs/BENCHMARKS.md quotes (each phase still compiles about 200 methods of a new broker and aggregator)
#   --quick      one repetition of 2 000 records, no warm-up: checks the harness, no figure to quote
#   (one warm-up repetition, not counted, runs first otherwise: the first one runs on a cold JIT; --warmup N after --)
#   --jfr        records a JFR profile of each aggregator phase into OUT (pipeline-aggregator-*.jfr)
#   --profile E  async-profiler over each aggregator phase (E = cpu, wall, alloc or lock): collapsed stacks per thread
#                into OUT (pipeline-aggregator-*-E.collapsed, for flame graphs) and each thread's share printed
#   after --: passed to PipelineBench as is (--flows N, --per-batch N, --partitions N, --event-rate N, --compression C,
#                --burst N: summaries per visit of a flow, default 2 = one request and its reply;
#                --skew S: after each flow's first visit, pick flows by a Zipf law of exponent S, default 0 = in turn;
#                --summary-records N: records of the raw run with one record per summary, default 2000000, 0 skips it;
#                --format columns|rows: the agent's wire format, default columns)
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench seconds=10 reps=3 quick=0 build=1 jfr=0 profile=() extra=()
while (( $# )); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --no-build) build=0; shift ;;
    --jfr) jfr=1; shift ;;
    --profile) profile=(--profile "$2"); shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "pipeline: unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
for n in "seconds=$seconds" "reps=$reps"; do
  [[ "${n#*=}" =~ ^[1-9][0-9]*$ ]] || { echo "pipeline: --${n%%=*} must be a positive whole number, got '${n#*=}'" >&2; exit 2; }
done
batches=$(( seconds * 2000 ))
if (( quick )); then batches=2000 reps=1 extra=(--warmup 0 "${extra[@]}"); fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"
(( build )) || export FLUXTAP_BENCH_NO_BUILD=1
source aggregator/bench/classpath.sh
exec java -Xmx6g -XX:MaxDirectMemorySize=10g -XX:+UseParallelGC -cp "$BENCH_CP" dev.fluxtap.aggregator.bench.PipelineBench --out "$out" --batches "$batches" \
  --reps "$reps" --jfr "$( (( jfr )) && echo true || echo false)" "${profile[@]}" "${extra[@]}"
