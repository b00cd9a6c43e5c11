#!/usr/bin/env bash
# What the layout of a packet batch changes (issue 9, docs/BENCHMARKS.md): bytes per 1000 summaries before and
# after LZ4, and decode time into the aggregator's columns, of PacketBatch rows, PacketColumns (what agents write) and
# typed Avro arrays (the layout not chosen), on bench/pipeline.sh's records.
# Usage: bench/columnar.sh [--no-build] [FLOWS ...]   (default 600 6000 60000)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == --no-build ]]; then export FLUXTAP_BENCH_NO_BUILD=1; shift; fi
source aggregator/bench/classpath.sh
exec java -Xmx3g -XX:+UseParallelGC -cp "$BENCH_CP" dev.fluxtap.aggregator.decode.ColumnarBatchProbe "$@"
