# h2sim developer commands. The two that matter:
#   make run    builds and runs the main job (scripts/run_main.sh)
#   make test   builds everything and runs every test (CI runs exactly this, see .ci/run)
# Each step first runs scripts/bootstrap.sh, which installs what is missing (quick when nothing is).
#
# Settings (make VAR=value ...):
BUILD_DIR  ?= build
BUILD_TYPE ?= Release
JOBS       ?= 2
GENERATOR  ?= Ninja
CMAKE_ARGS ?=
PYTHON     ?= python3

SOURCE_DIRS := include src tests examples benchmarks python

.DEFAULT_GOAL := build
.PHONY: help bootstrap configure build test sanitize fuzz run bench clean format format-check tidy

help:
	@echo "make run           build and run the main job"
	@echo "make test          build and run every test (what CI runs), then the sanitizer build"
	@echo "make sanitize      the C++ tests and a short fuzz run under ASan+UBSan (clang, build-sanitize/)"
	@echo "make fuzz          a longer fuzzing campaign: FUZZ_SECONDS per target (default 600)"
	@echo "make build         configure $(BUILD_DIR)/ ($(BUILD_TYPE)) and build everything"
	@echo "make bench         build and run the benchmarks"
	@echo "make format        clang-format the C++ sources in place"
	@echo "make format-check  fail when a C++ source is not clang-formatted"
	@echo "make tidy          clang-tidy the library sources (needs a configured $(BUILD_DIR)/)"
	@echo "make clean         remove $(BUILD_DIR)/"
	@echo "settings: BUILD_DIR=$(BUILD_DIR) BUILD_TYPE=$(BUILD_TYPE) JOBS=$(JOBS) GENERATOR=$(GENERATOR) CMAKE_ARGS=$(CMAKE_ARGS) PYTHON=$(PYTHON)"

bootstrap:
	@PYTHON=$(PYTHON) bash scripts/bootstrap.sh

# A build directory keeps the generator it was made with; only a new one gets -G.
configure: bootstrap
	@if [ -f "$(BUILD_DIR)/CMakeCache.txt" ]; then \
	  cmake -S . -B "$(BUILD_DIR)" -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS); \
	else \
	  cmake -S . -B "$(BUILD_DIR)" -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS); \
	fi

build: configure
	cmake --build "$(BUILD_DIR)" --parallel $(JOBS)

# The Python tests need the package installed: pip builds it into build/python-*/.
# Then the checking build: every C++ test and a 30 s run of each fuzz target under
# AddressSanitizer and UndefinedBehaviorSanitizer (scripts/sanitize.sh, build-sanitize/).
test: build
	CMAKE_BUILD_PARALLEL_LEVEL=$(JOBS) PIP_BREAK_SYSTEM_PACKAGES=1 PIP_ROOT_USER_ACTION=ignore \
	  $(PYTHON) -m pip install --no-build-isolation --quiet --disable-pip-version-check .
	ctest --test-dir "$(BUILD_DIR)" --output-on-failure
	@JOBS=$(JOBS) bash scripts/sanitize.sh

sanitize: bootstrap
	@JOBS=$(JOBS) bash scripts/sanitize.sh

# A fuzzing campaign: each target for FUZZ_SECONDS (the corpus in build-sanitize/tests/fuzz/
# grows from run to run); docs/limits.md says how the last one went.
FUZZ_SECONDS ?= 600
fuzz: bootstrap
	@JOBS=$(JOBS) H2SIM_FUZZ_SECONDS=0 bash scripts/sanitize.sh
	@for t in equation units yaml xmile vensim codegen; do \
	  H2SIM_FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh $$t build-sanitize/tests/fuzz || exit 1; \
	done

# The main job: the flagship Zhejiang scenarios through the Python package.
run: bootstrap
	@PYTHON="$(PYTHON)" JOBS=$(JOBS) bash scripts/run_main.sh

bench: build
	@BUILD_DIR="$(BUILD_DIR)" bash scripts/run_benchmarks.sh

clean:
	rm -rf "$(BUILD_DIR)" build-sanitize

format:
	@find $(SOURCE_DIRS) -type f \( -name '*.cpp' -o -name '*.hpp' \) 2>/dev/null | \
	  xargs -r clang-format -i

format-check:
	@find $(SOURCE_DIRS) -type f \( -name '*.cpp' -o -name '*.hpp' \) 2>/dev/null | \
	  xargs -r clang-format --dry-run -Werror

tidy:
	@test -f "$(BUILD_DIR)/compile_commands.json" || \
	  { echo "tidy: no $(BUILD_DIR)/compile_commands.json; run 'make build' first" >&2; exit 1; }
	@find src -type f -name '*.cpp' | xargs -r -n 1 -P $(JOBS) clang-tidy -p "$(BUILD_DIR)" --quiet
