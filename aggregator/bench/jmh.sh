#!/usr/bin/env bash
# Runs the aggregator's JMH benchmarks (src/test/java/dev/fluxtap/aggregator/bench/*Benchmark.java).
# Usage: aggregator/bench/jmh.sh [JMH options, e.g. TopKBenchmark -prof gc]   (no argument: all of them)
set -euo pipefail
source "$(dirname "$0")/classpath.sh"
exec java -cp "$BENCH_CP" org.openjdk.jmh.Main "${@:-Benchmark}"
