#!/usr/bin/env bash
# The checking build: the library, the whole C++ test suite and the libFuzzer targets built
# with clang, AddressSanitizer and UndefinedBehaviorSanitizer (every report fatal), then the
# C++ tests and a short bounded run of each fuzz target. `make test` runs this after the
# release tests; `make sanitize` alone.
#
# Environment:
#   SANITIZE_DIR=build-sanitize   the build folder
#   JOBS=2                        build jobs
#   H2SIM_FUZZ_SECONDS=30         length of each fuzz run (0: build the fuzzers, run none)
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${SANITIZE_DIR:-build-sanitize}"
jobs="${JOBS:-2}"
command -v clang++ >/dev/null || { echo "sanitize.sh: clang++ is missing (scripts/bootstrap.sh installs it)" >&2; exit 1; }

started=$(date +%s)
if [[ ! -f "$dir/CMakeCache.txt" ]]; then
  # Warnings are errors in the release build (GCC); clang's extra warnings do not fail this one.
  CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DH2SIM_BUILD_FUZZERS=ON -DH2SIM_BUILD_BENCHMARKS=OFF -DH2SIM_BUILD_EXAMPLES=OFF \
    -DH2SIM_INSTALL=OFF -DH2SIM_WARNINGS_AS_ERRORS=OFF
fi
cmake --build "$dir" --parallel "$jobs"
built=$(date +%s)

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# The C++ suite under the sanitizers, then each fuzz target (labelled fuzz) for a bounded time.
pattern='^cpp\.'
if [[ "${H2SIM_FUZZ_SECONDS:-30}" != "0" ]]; then pattern='^(cpp|fuzz)\.'; fi
ctest --test-dir "$dir" -R "$pattern" --output-on-failure -j "$jobs"
finished=$(date +%s)
echo "sanitize.sh: built in $((built - started)) s, tested in $((finished - built)) s"
