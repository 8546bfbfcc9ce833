#!/usr/bin/env bash
# Runs h2sim's main job, what `make run` runs after bootstrapping: the flagship
# Zhejiang scenarios (baseline and the 2025 plan as written) through the Python package:
# the model's validation summary, a table of the two scenarios, and how robustly the plan
# reaches its 2025 targets (tornado and ensemble), with charts and CSV files in results/.
#
# Environment: PYTHON (default python3), JOBS (default 2), OUT (default results).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
JOBS="${JOBS:-2}"
OUT="${OUT:-results}"

# Builds and installs the package (incremental: the build folder is build/python-*).
echo "h2sim: building and installing the Python package (a minute or two the first time)..."
CMAKE_BUILD_PARALLEL_LEVEL="$JOBS" PIP_BREAK_SYSTEM_PACKAGES=1 PIP_ROOT_USER_ACTION=ignore \
  "$PYTHON" -m pip install --no-build-isolation --quiet --disable-pip-version-check .

exec "$PYTHON" scripts/flagship.py --out "$OUT"
