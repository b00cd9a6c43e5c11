#!/usr/bin/env bash
# What a fixed-width columnar PacketBatch would change (issue 9, docs/BENCHMARKS.md): bytes per 1000 summaries before and
# after LZ4, and decode time into the aggregator's columns, against today's Avro record, on bench/pipeline.sh's records.
# A design probe: its layout is not a format the agent writes.
# Usage: bench/columnar.sh [--no-build] [FLOWS ...]   (default 600 6000 60000)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == --no-build ]]; then export FLUXTAP_BENCH_NO_BUILD=1; shift; fi
source aggregator/bench/classpath.sh
exec java -Xmx3g -XX:+UseParallelGC -cp "$BENCH_CP" dev.fluxtap.aggregator.decode.ColumnarBatchProbe "$@"
