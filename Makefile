# Lineup — the two commands: `make run` and `make test`.
# Both install what is missing first (scripts/install-deps.sh).

SWIFT ?= swift
PYTHON ?= python3
# Extra flags for `make run`, e.g. make run ARGS="--port 6000 --log-level debug"
ARGS ?=

.PHONY: all deps build run test test-swift test-interop generate check-generated loadtest-smoke clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build --build-tests

## Starts lineup-server on 127.0.0.1:50051 with the embedded in-memory store and fallback-data/.
run: deps
	$(SWIFT) build -c release --product lineup-server
	.build/release/lineup-server --fallback-data fallback-data $(ARGS)

## Builds once, then runs every test: Swift (unit + end to end) and the Python interop test.
test: build
	$(SWIFT) test --skip-build
	LINEUP_SERVER_BIN=$(CURDIR)/.build/debug/lineup-server $(PYTHON) -m pytest -q Tests/interop

## Regenerates Sources/LineupWire/Generated from protos/.
generate: deps
	scripts/generate-protos.sh

## Fails when the committed generated code differs from what protos/ produce.
check-generated: deps
	scripts/generate-protos.sh --check

clean:
	rm -rf .build .build-protoc
