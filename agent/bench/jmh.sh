#!/usr/bin/env bash
# Runs the agent's JMH benchmarks (src/test/java/dev/fluxtap/agent/bench/*Benchmark.java).
# Usage: agent/bench/jmh.sh [JMH options, e.g. DecoderBenchmark -prof gc]
set -euo pipefail
cd "$(dirname "$0")/../.."
# -am: sibling modules resolve to their target/classes (nothing is installed into ~/.m2)
./mvnw -B -q -pl agent -am test-compile dependency:build-classpath -DskipTests -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
exec java -cp "agent/target/test-classes:agent/target/classes:$(cat agent/target/bench.classpath)" org.openjdk.jmh.Main "${@:-DecoderBenchmark}"
