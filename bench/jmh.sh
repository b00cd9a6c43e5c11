#!/usr/bin/env bash
# Runs every JMH benchmark of Fluxtap, or the chosen ones, each in the module that holds it.
# Usage: bench/jmh.sh                      all benchmarks of the agent, then of the aggregator
#        bench/jmh.sh NAME [JMH options]   one benchmark by class name, e.g. bench/jmh.sh TopKBenchmark -prof gc
# Agent: DecoderBenchmark BatchEncodingBenchmark SsOutputParserBenchmark
# Aggregator: FlowTableBenchmark TopKBenchmark WsFanoutBenchmark RecordDecoderBenchmark IngestPathBenchmark LiveViewBenchmark
#             FlowRecordEncodingBenchmark
set -euo pipefail
cd "$(dirname "$0")/.."
if (( $# == 0 )); then
  agent/bench/jmh.sh Benchmark
  exec aggregator/bench/jmh.sh "Benchmark"
fi
name="$1"
if [[ -n "$(find agent/src/test/java -name "$name.java" 2>/dev/null)" ]]; then
  exec agent/bench/jmh.sh "$@"
elif [[ -n "$(find aggregator/src/test/java -name "$name.java" 2>/dev/null)" ]]; then
  exec aggregator/bench/jmh.sh "$@"
fi
echo "jmh: no benchmark class $name in agent/src/test/java or aggregator/src/test/java" >&2
exit 2
