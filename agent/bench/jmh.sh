#!/usr/bin/env bash
# Runs the agent's JMH benchmarks (src/test/java/dev/fluxtap/agent/bench/*Benchmark.java).
# Usage: agent/bench/jmh.sh [JMH options, e.g. DecoderBenchmark -prof gc]
set -euo pipefail
cd "$(dirname "$0")/../.."
# One reactor run with -am: the sibling modules resolve from the reactor (never `mvn install` them).
./mvnw -B -q -pl agent -am test-compile dependency:build-classpath -DskipTests -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/jmh.classpath >/dev/null
exec java -cp "agent/target/test-classes:agent/target/classes:$(cat agent/target/jmh.classpath)" org.openjdk.jmh.Main "${@:-DecoderBenchmark}"
