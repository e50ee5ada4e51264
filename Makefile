# Thin wrapper: Debian packages, CMake build, run, tests. See README.md.
SHELL := /bin/bash
BUILD ?= build
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080
DB ?= sqlite:var/rendezvous.db

# Debian 12 packages the build and the tests need.
DEB_PACKAGES := build-essential cmake pkg-config git ca-certificates tzdata \
  libboost-dev libical-dev libcurl4-openssl-dev libhowardhinnant-date-dev nlohmann-json3-dev libsqlite3-dev sqlite3 \
  libsodium-dev libssl-dev libgmime-3.0-dev libphonenumber-dev googletest libgtest-dev libgmock-dev curl python3 python3-icalendar khal \
  python3-aiosmtpd libkainjow-mustache-dev chromium \
  libpqxx-dev postgresql python3-prometheus-client \
  nginx-light prometheus systemd openssl postgresql-client python3-yaml wrk libcpprest-dev
# Node.js and npm (contract tests) come from Debian only when the machine has none.
NODE_PACKAGES := $(if $(shell command -v npm),,nodejs npm)

FUZZ_SECONDS ?= 120

.PHONY: all deps build run test bench test-sanitize test-tsan fuzz lint fmt clean

all: build

# Installs the missing packages only (as root, or through sudo when available).
deps:
	@missing=$$(for p in $(DEB_PACKAGES) $(NODE_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j$(JOBS)

run: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j$(JOBS) --target rendezvous
	@mkdir -p var
	$(BUILD)/rendezvous serve --listen $(LISTEN) --db $(DB) --demo

test: build
	cd $(BUILD) && ctest --output-on-failure --timeout 600

# The department benchmark (BENCHMARKS.md says what each line means), then the
# capacity rule of group sessions on PostgreSQL; every figure next to a
# reference measured in the same run. About 25 minutes, 10 of them the soak.
bench: build
	$(BUILD)/department_bench --out $(BUILD)/bench
	$(BUILD)/capacity_rule_bench

# AddressSanitizer + UndefinedBehaviorSanitizer over the C++ suites.
test-sanitize: deps
	cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DRDV_SANITIZE=address,undefined
	cmake --build build-sanitize -j$(JOBS)
	cd build-sanitize && LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  ctest --output-on-failure --timeout 900 -E "contract|bench-quick"

# ThreadSanitizer over what runs concurrently: the server's I/O threads, its
# handler pool and periodic tasks, under racing bookings and the scheduler.
test-tsan: deps
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRDV_SANITIZE=thread
	cmake --build build-tsan -j$(JOBS) --target rendezvous e2e_tests unit_tests
	cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
	  tests/unit_tests --gtest_filter='WriteGroups*' --gtest_repeat=20 --gtest_brief=1
	cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
	  tests/e2e_tests --gtest_filter='Concurrency.*:Durability.*:Server*:MessagesOverHttp.*:Security.*:Operations.*'

# libFuzzer over the iCalendar import for FUZZ_SECONDS, seeded with the real-world corpus.
fuzz: deps
	@command -v clang++ >/dev/null || $$([ "$$(id -u)" = 0 ] || echo sudo) apt-get install -y -q clang libclang-rt-14-dev
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRDV_FUZZ=ON -DRDV_SANITIZE=address,undefined
	cmake --build build-fuzz -j$(JOBS) --target ics_import_fuzzer multipart_fuzzer
	mkdir -p build-fuzz/fuzz-corpus build-fuzz/multipart-corpus
	build-fuzz/tests/ics_import_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	  -rss_limit_mb=2048 build-fuzz/fuzz-corpus tests/data/ics-corpus
	build-fuzz/tests/multipart_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	  -rss_limit_mb=2048 build-fuzz/multipart-corpus

lint:
	clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.h')
	clang-tidy -p $(BUILD) --quiet $$(git ls-files 'src/*.cpp' 'api/*.cpp' 'scheduler/*.cpp' 'notifier/*.cpp')

fmt:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD) build-sanitize build-tsan build-fuzz
