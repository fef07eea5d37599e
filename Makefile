# hotline — the README's commands. CMake does the building; this file only
# names the everyday targets.
#   make run    build, then serve with the embedded defaults
#   make test   build twice (plain and ASan+UBSan) and run every test through ctest,
#               then run the libFuzzer targets (clang) for a bounded number of inputs
#   make bench  Release build, then bench/webhook.sh
#   make bench-pipeline  Release build, then bench/pipeline.sh
JOBS ?= $(shell nproc)
CTEST_FLAGS ?= --output-on-failure -j $(JOBS)

.PHONY: all deps build build-asan build-release build-fuzz run test test-plain test-asan test-fuzz \
	demo bench bench-pipeline clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build -j $(JOBS)

build-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHL_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

build-release: deps
	@cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build-release -j $(JOBS)

build-fuzz: deps
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DHL_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

run: build
	./build/hotline serve

test-plain: build
	ctest --test-dir build $(CTEST_FLAGS)

test-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --test-dir build-asan $(CTEST_FLAGS)

test-fuzz: build-fuzz
	ctest --test-dir build-fuzz $(CTEST_FLAGS)

test: test-plain test-asan test-fuzz

demo: build
	./build/hotline demo

bench: build-release
	bash bench/webhook.sh

bench-pipeline: build-release
	bash bench/pipeline.sh

clean:
	rm -rf build build-asan build-release build-fuzz
