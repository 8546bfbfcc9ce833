#!/usr/bin/env bash
# Installs everything h2sim needs to build, test and run, on Debian 12 (bookworm), as root.
#
# Safe to run again: it checks first (dpkg for Debian packages, importlib.metadata for Python
# packages) and only calls apt-get / pip for what is missing, so a second run takes about a
# second and changes nothing.
#
# Environment:
#   PYTHON=python3           the interpreter whose packages are checked and installed
#   H2SIM_SKIP_BOOTSTRAP=1   do nothing (for machines set up by other means)
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# What the project needs. Add new requirements HERE, and nowhere else.
# ---------------------------------------------------------------------------------------------

# Debian packages (names as `apt-get install` takes them).
DEBIAN_PACKAGES=(
  build-essential   # g++, make
  cmake
  ninja-build
  libeigen3-dev     # public dependency: results give Eigen views of their numbers
  libboost-dev      # Boost.Odeint (header-only)
  libyaml-cpp-dev   # scenario files
  catch2            # C++ tests
  libpugixml-dev    # XMILE models
  libminizip-dev    # .xlsx workbooks read by Vensim data functions (GET DIRECT ...)
  libsleef-dev      # exp, log and pow with the same bits in batches as in single runs
  libbenchmark-dev  # Google Benchmark
  pybind11-dev      # Python bindings
  python3-dev
  python3-pip       # pip itself, for PYTHON_PACKAGES below
  chromium          # tests/python/test_report.py opens the HTML report headless
  clang             # scripts/sanitize.sh: the ASan+UBSan build and the libFuzzer targets
  libclang-rt-dev   # ... their runtimes (AddressSanitizer, UBSan, libFuzzer)
)

# Python packages (names as `pip install` takes them; "name==version" pins are fine).
PYTHON_PACKAGES=(
  numpy
  pandas
  matplotlib
  pytest
  pyyaml       # tests/python/test_schemas.py: reads the YAML files
  jsonschema   # tests/python/test_schemas.py: checks them against schemas/
  referencing  # tests/python/test_schemas.py: the hydrogen schema refers to the model schema
  # The Python package (pip install --no-build-isolation . in `make test`) and its tests.
  scikit-build-core  # build backend of pyproject.toml
  pybind11           # the _h2sim module (pyproject's build requirement)
  xarray             # run_batch results, netCDF output
  tqdm               # run_batch progress bar
  scipy              # h2sim.calibrate's optimisers; xarray's netCDF writer; scripts/validation.py; flagship (qmc)
  emcee              # h2sim.calibration.sample_posterior: MCMC over the calibration payoff
  pyarrow            # Parquet output (`h2sim run -o out.parquet`)
  nbclient           # tests/python/test_notebooks.py runs notebooks/
  nbformat
  ipykernel          # the python3 kernel the notebooks run in
  plotly             # h2sim report (charts, plotly.js inlined) and the explorer's charts
  ipywidgets         # h2sim.explore_widget
  anywidget          # plotly's FigureWidget in the explorer
  websocket-client   # tests/python/browser.py drives headless Chromium (DevTools protocol)
  # Exploration, sensitivity and robustness (h2sim.explore, docs/exploration.md).
  SALib              # Sobol/Saltelli and Morris designs and indices
  ema_workbench      # PRIM scenario discovery and the EMA Workbench adapter
  dask               # h2sim.explore on a cluster: dask.distributed executors
  distributed
  netCDF4            # time series streamed chunk by chunk into .nc files
  zarr               # ... or into .zarr stores
)

# Python packages that only some tests need: installed when pip can (a warning otherwise), and
# the tests that need them are skipped with a message where they are absent.
OPTIONAL_PYTHON_PACKAGES=(
  pysimlin==0.8.5  # tests/python/test_pysimlin.py runs h2sim's XMILE export in Simlin (its gaps are listed for this version)
)

# ---------------------------------------------------------------------------------------------

PYTHON="${PYTHON:-python3}"
export DEBIAN_FRONTEND=noninteractive

say() { printf 'bootstrap: %s\n' "$*"; }
die() {
  printf '\nbootstrap: ERROR: %s\n' "$*" >&2
  exit 1
}
on_error() {
  printf '\nbootstrap: ERROR: command failed (exit %s) at line %s: %s\n' "$1" "$2" "$3" >&2
}
trap 'on_error $? $LINENO "$BASH_COMMAND"' ERR

if [[ "${H2SIM_SKIP_BOOTSTRAP:-0}" == 1 ]]; then
  say "H2SIM_SKIP_BOOTSTRAP=1: skipped"
  exit 0
fi

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo --preserve-env=DEBIAN_FRONTEND "$@"
  else
    die "need root to run '$*' (run this script as root: sudo $0)"
  fi
}

# --- Debian packages ---------------------------------------------------------------------------
command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script is for Debian 12"
if [[ -r /etc/os-release ]]; then
  # shellcheck disable=SC1091
  . /etc/os-release
  if [[ "${ID:-}" != debian || "${VERSION_ID:-}" != 12 ]]; then
    say "warning: written for Debian 12, this is ${PRETTY_NAME:-unknown}; trying anyway"
  fi
fi

missing_debian=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
  [[ "$status" == installed ]] || missing_debian+=("$package")
done

if ((${#missing_debian[@]})); then
  say "installing Debian packages: ${missing_debian[*]}"
  as_root apt-get update -q || die "apt-get update failed (no network or broken sources?)"
  as_root apt-get install -y -q --no-install-recommends "${missing_debian[@]}" ||
    die "apt-get install failed for: ${missing_debian[*]}"
  for package in "${missing_debian[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
    [[ "$status" == installed ]] || die "Debian package '$package' is still not installed"
  done
fi

# --- Python packages ---------------------------------------------------------------------------
command -v "$PYTHON" >/dev/null 2>&1 || die "'$PYTHON' not found (set PYTHON=/path/to/python3)"

# Prints the packages of the arguments that the interpreter does not have.
missing_python_packages() {
  "$PYTHON" - "$@" <<'PY'
import importlib.metadata as metadata
import re
import sys

for requirement in sys.argv[1:]:
    name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        print(requirement)
PY
}

missing_python=()
report="$(missing_python_packages "${PYTHON_PACKAGES[@]}")" ||
  die "could not ask $PYTHON which packages it has (needs Python 3.8 or later)"
[[ -z "$report" ]] || mapfile -t missing_python <<<"$report"
if ((${#missing_python[@]})); then
  python_path="$(command -v "$PYTHON")"
  say "installing Python packages for $python_path: ${missing_python[*]}"
  "$PYTHON" -m pip --version >/dev/null 2>&1 ||
    die "'$PYTHON -m pip' does not work; install pip for $python_path"
  pip_options=(--disable-pip-version-check --no-input --progress-bar off)
  # Debian's own Python refuses pip installs unless told (PEP 668).
  if "$PYTHON" -c 'import os, sys, sysconfig
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)'; then
    pip_options+=(--break-system-packages)
  fi
  if [[ "$(id -u)" -eq 0 ]]; then
    pip_options+=(--root-user-action=ignore)
  fi
  "$PYTHON" -m pip install "${pip_options[@]}" "${missing_python[@]}" ||
    die "pip install failed for: ${missing_python[*]}"
  report="$(missing_python_packages "${missing_python[@]}")"
  [[ -z "$report" ]] || die "Python packages still missing after pip install: ${report//$'\n'/ }"
fi

report="$(missing_python_packages "${OPTIONAL_PYTHON_PACKAGES[@]}")" || report=""
if [[ -n "$report" ]]; then
  mapfile -t missing_optional <<<"$report"
  say "installing optional Python packages: ${missing_optional[*]}"
  "$PYTHON" -m pip install --disable-pip-version-check --no-input --progress-bar off \
    $("$PYTHON" -c 'import os, sys, sysconfig
print("--break-system-packages" if os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else "")') \
    "${missing_optional[@]}" ||
    say "WARNING: could not install ${missing_optional[*]}; the tests that need them are skipped"
fi

if ((${#missing_debian[@]} + ${#missing_python[@]})); then
  say "done"
else
  say "everything is installed"
fi
