#!/usr/bin/env bash
# Runs every benchmark program that the build put in $BUILD_DIR/benchmarks/ (what `make bench`
# runs after building). Extra arguments go to each program, e.g.
#   scripts/run_benchmarks.sh --benchmark_filter=Batch --benchmark_repetitions=5
# Benchmarks measure; they never pass or fail on timing.
#
# Environment: BUILD_DIR (default build).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR="${BUILD_DIR:-build}"
if [[ ! -d "$BUILD_DIR/benchmarks" ]]; then
  echo "run_benchmarks: no $BUILD_DIR/benchmarks/; build with -DH2SIM_BUILD_BENCHMARKS=ON (make bench)" >&2
  exit 1
fi

mapfile -t programs < <(find "$BUILD_DIR/benchmarks" -maxdepth 1 -type f -executable | sort)
if ((${#programs[@]} == 0)); then
  echo "run_benchmarks: no benchmark programs in $BUILD_DIR/benchmarks/" >&2
  exit 1
fi

for program in "${programs[@]}"; do
  echo "=== ${program##*/}"
  "$program" "$@"
done
