#!/usr/bin/env bash
# Runs one libFuzzer target of tests/fuzz for a bounded time, seeded from the repository's
# models and broken files, and prints how many inputs it executed.
#
#   scripts/fuzz.sh TARGET BIN_DIR        TARGET: equation, units, yaml, xmile, vensim or
#                                         codegen (equations, compiled and written as C)
#                                         BIN_DIR: where fuzz_TARGET was built
# Environment:
#   H2SIM_FUZZ_SECONDS=30   how long (libFuzzer's -max_total_time)
#   H2SIM_FUZZ_RUNS=N       or stop after N inputs instead (-runs)
#   H2SIM_FUZZ_JOBS=1       parallel fuzzing processes (-fork; each one core)
#
# The corpus grows in BIN_DIR/corpus/TARGET across runs (new coverage is kept); a finding
# (a crash, a sanitizer report, an exception that is not an h2sim::Error, an input that
# takes over 10 s or 2 GiB) is written to BIN_DIR/findings/ and the script exits non-zero.
# Turn every finding into a regression test: copy it to tests/data/fuzz_findings/TARGET/
# (tests/cpp/test_fuzz_findings.cpp replays that folder), then fix the bug.
set -euo pipefail

target="${1:?usage: fuzz.sh TARGET BIN_DIR}"
bin_dir="$(cd "${2:?usage: fuzz.sh TARGET BIN_DIR}" && pwd)"
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="$root/../shared/sd-test-models"
binary="$bin_dir/fuzz_$target"
[[ -x "$binary" ]] || { echo "fuzz.sh: no $binary (build with -DH2SIM_BUILD_FUZZERS=ON)" >&2; exit 2; }

corpus="$bin_dir/corpus/$target"
seeds="$bin_dir/seeds/$target"
findings="$bin_dir/findings"
mkdir -p "$corpus" "$seeds" "$findings"

# Seeds: copied in afresh each run (libFuzzer reads both folders, writes to the first).
rm -rf "${seeds:?}"/*
copy_files() {  # copy_files PATTERN... : small files under the given folders
  local folder
  for folder in "$@"; do
    [[ -d "$folder" ]] || continue
    find "$folder" -type f -size -64k \( -name '*.yaml' -o -name '*.yml' -o -name '*.xmile' \
      -o -name '*.stmx' -o -name '*.xml' -o -name '*.mdl' \) -print0 |
      while IFS= read -r -d '' file; do
        cp "$file" "$seeds/$(echo "$file" | md5sum | cut -c1-16)_$(basename "$file")"
      done
  done
}
split_lines() {  # split_lines FILE : one seed per line
  local n=0 line
  while IFS= read -r line; do
    [[ -n "$line" ]] || continue
    printf '%s' "$line" > "$seeds/line_$n"
    n=$((n + 1))
  done < "$1"
}
findings_dir="$root/tests/data/fuzz_findings/$target"
case "$target" in
  equation|codegen)
    split_lines "$root/tests/fuzz/seeds/equations.txt"
    max_len=4096 ;;
  units)
    split_lines "$root/tests/fuzz/seeds/units.txt"
    max_len=512 ;;
  yaml)
    copy_files "$root/scenarios" "$root/tests/data/yaml_bad" "$root/tests/data/hostile"
    find "$seeds" -type f ! \( -name '*.yaml' -o -name '*.yml' \) -delete
    max_len=16384 ;;
  xmile)
    copy_files "$root/tests/data/xmile_bad" "$root/tests/data/hostile" "$shared"
    find "$seeds" -type f ! \( -name '*.xmile' -o -name '*.stmx' -o -name '*.xml' \) -delete
    max_len=16384 ;;
  vensim)
    copy_files "$root/tests/data/hostile" "$shared"
    find "$seeds" -type f ! -name '*.mdl' -delete
    max_len=16384 ;;
  *)
    echo "fuzz.sh: unknown target '$target' (equation, units, yaml, xmile, vensim, codegen)" >&2
    exit 2 ;;
esac
if [[ -d "$findings_dir" ]]; then cp "$findings_dir"/* "$seeds"/ 2>/dev/null || true; fi

# An input may allocate 2 GiB at once; the process may grow to 4 GiB (libFuzzer's own tables
# and the allocator's caches pass 1 GiB within a few million YAML inputs).
args=(-max_len="$max_len" -timeout=10 -rss_limit_mb=4096 -malloc_limit_mb=2048 -print_final_stats=1
      -artifact_prefix="$findings/$target-" -dict="$root/tests/fuzz/dict/${target/codegen/equation}.dict")
if [[ -n "${H2SIM_FUZZ_RUNS:-}" ]]; then
  args+=(-runs="$H2SIM_FUZZ_RUNS")
else
  args+=(-max_total_time="${H2SIM_FUZZ_SECONDS:-30}")
fi
if [[ "${H2SIM_FUZZ_JOBS:-1}" -gt 1 ]]; then args+=(-fork="$H2SIM_FUZZ_JOBS" -ignore_crashes=0); fi

# Smaller limits than a user's (docs/limits.md): an input that names a million elements takes
# seconds under the sanitizers, and the fuzzer learns to write them; at these limits it
# reaches the same limit checks in milliseconds and spends its time on new paths instead.
# A model file of 16 KiB (max_len above) covers every construct the seeds hold. Files of over
# 32 KiB are refused: a scenario seed names the whole hydrogen model (its main file is 52 KiB),
# which took 150 ms an input to load under the sanitizers, and its mutants were a tenth of the
# YAML target's inputs and nine tenths of its time.
export H2SIM_MAX_FILE_SIZE="${H2SIM_MAX_FILE_SIZE:-32768}"
export H2SIM_MAX_ELEMENTS="${H2SIM_MAX_ELEMENTS:-10000}"
export H2SIM_MAX_COMPILED_TERMS="${H2SIM_MAX_COMPILED_TERMS:-200000}"
export H2SIM_MAX_VARIABLES="${H2SIM_MAX_VARIABLES:-2000}"
export H2SIM_MAX_DOCUMENT_NODES="${H2SIM_MAX_DOCUMENT_NODES:-20000}"
export H2SIM_MAX_EXPRESSION_SIZE="${H2SIM_MAX_EXPRESSION_SIZE:-10000}"
# A stiff model under dopri5 takes the whole step limit before its error: 10^7 steps are 1.5 s
# in a release build and 65 s under the sanitizers with coverage (the fuzzer's timeout is 10).
export H2SIM_MAX_STEPS="${H2SIM_MAX_STEPS:-100000}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
log="$bin_dir/fuzz_$target.log"
cd "$bin_dir"  # relative paths an input names resolve here, not in the repository
set +e
"$binary" "${args[@]}" "$corpus" "$seeds" > "$log" 2>&1
status=$?
set -e
runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
echo "fuzz_$target: ${runs:-?} inputs executed, exit $status (log: $log)"
if [[ $status -ne 0 ]]; then
  tail -40 "$log" >&2
  echo "fuzz.sh: fuzz_$target found a problem; the input is in $findings/" >&2
fi
exit $status
