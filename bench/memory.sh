#!/usr/bin/env bash
# What this host's caches and memory cost, by working-set size: dependent reads (a pointer chase, the latency of a miss)
# and independent reads of random lines (what overlapped misses reach). Run it before comparing flow-table figures
# of two hosts: at 60 000 flows the states fall past the caches on one host and not on another (docs/BENCHMARKS.md).
# Usage: bench/memory.sh [--no-build] [SIZE_KIB ...]   (default sizes 256 KiB to 64 MiB; at most 512 MiB)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == --no-build ]]; then export FLUXTAP_BENCH_NO_BUILD=1; shift; fi
source aggregator/bench/classpath.sh
exec java -Xmx1g -XX:+UseParallelGC -cp "$BENCH_CP" dev.fluxtap.aggregator.bench.MemoryLatency "$@"
