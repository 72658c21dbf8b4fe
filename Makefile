# The front door: `make deps`, `make`, `make test`, `make demo`, `make bench`.
# CMake does the building; this file only names the steps.

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all build deps grammar test test-fast test-asan test-asan-build test-long fuzz demo bench clean

all: build

# Debian packages and the pinned tree-sitter-python grammar (only what is missing).
deps:
	@scripts/deps.sh

grammar:
	@scripts/fetch-grammar.sh

build: grammar
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSP_WERROR=ON >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Every tier, then every tier again under AddressSanitizer + UBSan.
test: deps
	@$(MAKE) --no-print-directory test-fast
	@$(MAKE) --no-print-directory test-asan

test-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

# The long tiers: the resolver's differential test against pip on 200 seeds.
test-long: build
	SP_DIFF_SEEDS=200 bash tests/scenario/run-differential.sh $(BUILD)/safepip $(CURDIR) $(BUILD)/scratch/long-differential
	SP_DIFF_SEEDS=20 SP_DIFF_SIZE=large bash tests/scenario/run-differential.sh $(BUILD)/safepip $(CURDIR) $(BUILD)/scratch/long-differential-large

# clang, so the libFuzzer harnesses build too and replay their seeds as tests.
test-asan: grammar
	@CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSP_SANITIZE=ON -DSP_FUZZ=ON -DSP_WERROR=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --test-dir $(ASAN_BUILD) --output-on-failure -j$(JOBS)

# Each harness for FUZZ_SECONDS, starting from its seeds (new finds go to the build dir).
FUZZ_SECONDS ?= 60
fuzz: test-asan-build
	@for f in $(ASAN_BUILD)/fuzz/fuzz_*; do \
		n=$$(basename $$f | sed 's/fuzz_//'); mkdir -p $(ASAN_BUILD)/corpus/$$n; \
		echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 $(ASAN_BUILD)/corpus/$$n fuzz/seeds/$$n || exit 1; \
	done

test-asan-build: grammar
	@CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSP_SANITIZE=ON -DSP_FUZZ=ON -DSP_WERROR=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

demo: deps build
	@scripts/demo.sh

bench: build
	@bench/scan-vs-bandit.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
