#!/usr/bin/env bash
# Runs the agent's JMH benchmarks (src/test/java/dev/fluxtap/agent/bench/*Benchmark.java).
# Usage: agent/bench/jmh.sh [JMH options, e.g. DecoderBenchmark -prof gc]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -pl agent -am test-compile -DskipTests
./mvnw -B -q -pl agent dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
exec java -cp "agent/target/test-classes:agent/target/classes:$(cat agent/target/bench.classpath)" org.openjdk.jmh.Main "${@:-DecoderBenchmark}"
