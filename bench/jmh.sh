#!/usr/bin/env bash
# Runs every JMH benchmark of Fluxtap, or the chosen ones, each in the module that holds it.
# Usage: bench/jmh.sh                      all benchmarks of the agent, then of the aggregator
#        bench/jmh.sh NAME [JMH options]   one benchmark by class name, e.g. bench/jmh.sh TopKBenchmark -prof gc
# Agent: DecoderBenchmark BatchEncodingBenchmark SsOutputParserBenchmark
# Aggregator: FlowTableBenchmark TopKBenchmark WsFanoutBenchmark RecordDecoderBenchmark
set -euo pipefail
cd "$(dirname "$0")/.."
if (( $# == 0 )); then
  agent/bench/jmh.sh dev.fluxtap.agent.bench
  exec aggregator/bench/jmh.sh dev.fluxtap.aggregator.bench
fi
name="$1"
if ls agent/src/test/java/dev/fluxtap/agent/bench/"$name".java >/dev/null 2>&1; then
  exec agent/bench/jmh.sh "$@"
elif ls aggregator/src/test/java/dev/fluxtap/aggregator/bench/"$name".java >/dev/null 2>&1; then
  exec aggregator/bench/jmh.sh "$@"
fi
echo "jmh: no benchmark class $name in agent/.../agent/bench or aggregator/.../aggregator/bench" >&2
exit 2
