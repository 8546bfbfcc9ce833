#!/usr/bin/env bash
# Runs h2sim's main job: what `make run` runs after bootstrapping and configuring.
#
# For now the main job is the C++ example examples/bass_diffusion.cpp: Bass diffusion of
# fuel-cell vehicles through the public API, checked against its closed-form solution.
# TODO: the flagship Zhejiang hydrogen scenario replaces this example as the main job in a
# later issue (it needs the YAML scenario loader and the hydrogen model components).
#
# Environment: BUILD_DIR (default build), JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR="${BUILD_DIR:-build}"
JOBS="${JOBS:-2}"
TARGET=example_bass_diffusion

if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
  generator=()
  command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  cmake -S . -B "$BUILD_DIR" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release
fi

cmake --build "$BUILD_DIR" --target "$TARGET" --parallel "$JOBS"
exec "$BUILD_DIR/examples/$TARGET"
