#!/usr/bin/env bash
# Compiles the aggregator with its test classes (and the modules it needs) and writes the test classpath to
# aggregator/target/bench.classpath. Sourced by the bench scripts; set FLUXTAP_BENCH_NO_BUILD=1 to reuse the last build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [[ "${FLUXTAP_BENCH_NO_BUILD:-0}" != 1 || ! -s aggregator/target/bench.classpath ]]; then
  # -am: sibling modules come from their target/classes (nothing is installed into ~/.m2)
  ./mvnw -B -q -pl aggregator -am test-compile dependency:build-classpath -DskipTests \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
fi
BENCH_CP="$PWD/aggregator/target/test-classes:$PWD/aggregator/target/classes:$(cat aggregator/target/bench.classpath)"
export BENCH_CP
