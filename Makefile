# Lineup — the two commands: `make run` and `make test`.
# Both install what is missing first (scripts/install-deps.sh).

SWIFT ?= swift
# The interop test's Python: a virtual environment install-deps.sh creates.
PYTHON ?= .build-venv/bin/python
# Extra flags for `make run`, e.g. make run ARGS="--port 6000 --log-level debug"
ARGS ?=

.PHONY: run test build bench generate check-generated clean

## Starts lineup-server on 127.0.0.1:50051 with the embedded in-memory store and fallback-data/.
run:
	@scripts/install-deps.sh run
	$(SWIFT) build -c release --product lineup-server
	.build/release/lineup-server --fallback-data fallback-data $(ARGS)

## Builds once, then runs every test: Swift (unit + end to end) and the Python interop test.
test: build
	# Serially: several tests bound how long a deadline or a failure may take, and 47 suites
	# in parallel on a 2-core machine delay timers by up to a second. Serial takes ~100 s.
	$(SWIFT) test --skip-build --no-parallel
	LINEUP_SERVER_BIN=$(CURDIR)/.build/debug/lineup-server $(PYTHON) -m pytest -q Tests/interop

build:
	@scripts/install-deps.sh test
	$(SWIFT) build --build-tests

## The standard load-test set against a release build and local redis-servers; rewrites the
## generated section of docs/benchmarks.md. Takes several minutes.
bench:
	@scripts/install-deps.sh test
	$(SWIFT) build -c release --product lineup-server
	$(SWIFT) build -c release --product lineup-loadtest
	.build/release/lineup-loadtest bench --output docs/benchmarks.md

## Regenerates Sources/LineupWire/Generated from protos/.
generate:
	@scripts/install-deps.sh test
	scripts/generate-protos.sh

## Fails when the committed generated code differs from what protos/ produce (CI).
check-generated:
	@scripts/install-deps.sh test
	scripts/generate-protos.sh --check

clean:
	rm -rf .build .build-protoc .build-venv
