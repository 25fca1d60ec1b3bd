# pixelrelay — the two front-door commands are `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
PORT ?= 8080
APT_PACKAGES := libcurl4-openssl-dev libssl-dev pkg-config
TEST_APT_PACKAGES := chromium nodejs fonts-dejavu-core fiu-utils
BENCH_APT_PACKAGES := nginx wrk

.PHONY: run test build release deps test-deps bench soak fuzz fuzz-check lint format browser-test clean

# Installs what is missing (Debian, as root); quiet when everything is there.
deps:
	@scripts/ensure-packages.sh $(APT_PACKAGES)

test-deps: deps
	@scripts/ensure-packages.sh $(TEST_APT_PACKAGES)

build: deps
	$(SWIFT) build --product pixelrelay

release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product pixelrelay

## Build and start the gateway on :$(PORT) in dry-run mode with the demo page.
run: build
	@echo "pixelrelay on http://127.0.0.1:$(PORT)  — demo: http://127.0.0.1:$(PORT)/demo  status: http://127.0.0.1:$(PORT)/status"
	@echo "dry-run: the CAPI requests that would be sent are appended to ./data/dry-run/requests.jsonl"
	PIXELRELAY_LOG_FORMAT=text .build/debug/pixelrelay serve --dry-run --port $(PORT) --data-dir ./data

## The whole test suite: Swift unit + end-to-end tests, browser tests, manifest validation.
# The Swift suite runs last so its summary closes the output.
test: test-deps
	$(SWIFT) build --build-tests
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory fuzz-check
	$(MAKE) --no-print-directory validate-k8s
	$(MAKE) --no-print-directory browser-test
	PIXELRELAY_TEST_REQUIRE_FIU=1 $(SWIFT) test --skip-build --parallel --num-workers 2 --skip DurabilitySoakTests

browser-test: build
	Tests/browser/run-gateway.sh .build/debug/pixelrelay

bench: release
	$(SWIFT) build -c release --static-swift-stdlib --product fakegraph
	@scripts/ensure-packages.sh $(BENCH_APT_PACKAGES)
	scripts/bench.sh

soak: build
	PIXELRELAY_SOAK=1 $(SWIFT) test --filter Soak

# The fuzz harnesses type-check against today's sources (seconds; no fuzzing).
fuzz-check:
	@for target in json http event config graph; do scripts/fuzz.sh $$target check || exit 1; done
	@echo "fuzz-check: 5 harnesses type-check"

fuzz:
	scripts/fuzz.sh json 60
	scripts/fuzz.sh http 60
	scripts/fuzz.sh event 60
	scripts/fuzz.sh config 60
	scripts/fuzz.sh graph 60

lint:
	$(SWIFT) format lint --recursive --strict Sources Tests Package.swift

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build .build-* data

-include mk/deploy.mk
