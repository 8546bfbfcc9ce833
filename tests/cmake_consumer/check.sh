#!/usr/bin/env bash
# Checks that an installed h2sim works for a user's CMake project: installs the built library
# into a temporary prefix, configures and builds tests/cmake_consumer/ against it with
# find_package(h2sim), and runs the program. Exits non-zero on any failure.
#
# Usage: tests/cmake_consumer/check.sh [BUILD_DIR]   (default: build/ at the repository root;
#        the library must be built there already, as `make build` or ctest's build does)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)" || {
  echo "cmake_consumer: no build directory '${1:-$root/build}'" >&2
  exit 1
}
[[ -f "$build/CMakeCache.txt" ]] || {
  echo "cmake_consumer: '$build' is not a configured CMake build directory" >&2
  exit 1
}

tmp="$(mktemp -d "${TMPDIR:-/tmp}/h2sim-consumer.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

echo "cmake_consumer: installing $build into $prefix"
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" ||
  { cat "$tmp/install.log" >&2; echo "cmake_consumer: install failed" >&2; exit 1; }

# Same compiler as the library; Ninja when there is one.
options=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=$prefix" "-Dh2sim_ROOT=$prefix")
compiler="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")"
[[ -n "$compiler" ]] && options+=("-DCMAKE_CXX_COMPILER=$compiler")
command -v ninja >/dev/null 2>&1 && options+=(-G Ninja)

echo "cmake_consumer: configuring and building the consumer"
cmake -S "$here" -B "$tmp/build" "${options[@]}"
found="$(sed -n 's/^h2sim_DIR:[A-Z]*=//p' "$tmp/build/CMakeCache.txt")"
if [[ "$found" != "$prefix"/* ]]; then
  echo "cmake_consumer: find_package found h2sim in '$found', not in the fresh install" >&2
  exit 1
fi
cmake --build "$tmp/build" --parallel 2

echo "cmake_consumer: running the consumer"
"$tmp/build/consumer"
echo "cmake_consumer: OK"
