"""Cross-language interop test: a Python client needs nothing but ``protos/`` to call Lineup.

What this proves:

* The ``.proto`` files under ``protos/`` are a complete, self-contained contract. Python stubs
  are generated from them at test time with ``grpc_tools.protoc`` (plus protoc's bundled
  well-known types); nothing from the Swift sources, nor any pre-generated code, is used.
* The real ``lineup-server`` binary speaks that contract over plain gRPC/HTTP2: the standard
  health protocol, GetRecommendations and GetTrending served from the fallback-data files,
  ``x-request-id`` echoing, INVALID_ARGUMENT messages that name the offending field (including
  enum values the server does not know), RecordInteractions (a retried batch counts once, a bad
  event is rejected by field path, google.protobuf.Timestamp from Python), and GetFeed pages
  that never repeat an item within a session.
* Two ``lineup-server`` processes on one real ``redis-server``: a flag killed and a breaker
  forced open through one are obeyed by the other within 2 s, and audited once.
* Its metrics port serves Prometheus text that holds every metric the shipped alert rules
  (``loadtest/prometheus-rules.yml``) use; the rules themselves pass ``promtool check rules``
  and their unit tests (``promtool test rules``).
* The server starts from its documented command line, reports SERVING on the health service,
  and exits with code 0 on SIGTERM.

Run it after building the server::

    swift build --product lineup-server
    python3 -m pytest Tests/interop

Environment:

* ``LINEUP_SERVER_BIN``: the server binary (default ``<repo>/.build/debug/lineup-server``).
* ``LINEUP_FALLBACK_DATA``: the fallback-data folder (default ``<repo>/fallback-data``).

Needs Python 3.11 with ``grpcio``, ``grpcio-tools`` and ``pytest``, and ``promtool`` (Debian's
``prometheus`` package; ``scripts/install-deps.sh test`` installs it).
"""

from __future__ import annotations

import importlib
import importlib.resources
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import grpc
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTOS_DIR = REPO_ROOT / "protos"
DEFAULT_SERVER_BIN = REPO_ROOT / ".build" / "debug" / "lineup-server"
DEFAULT_FALLBACK_DATA = REPO_ROOT / "fallback-data"

CALL_TIMEOUT = 5  # seconds, for every RPC a test makes
READY_TIMEOUT = 30.0  # seconds the server may take to report SERVING
READY_POLL_INTERVAL = 0.1  # seconds between readiness probes
STOP_TIMEOUT = 15  # seconds the server may take to exit after SIGTERM
LOG_TAIL_LINES = 60

# protos/grpc/health/v1/health.proto would generate a Python package `grpc.health.v1`, which
# collides with the real `grpc` package (grpcio): `import grpc.health...` would search inside
# the installed grpcio, and the generated health_pb2_grpc.py itself does
# `from grpc.health.v1 import health_pb2`. So every proto under protos/grpc/ is compiled under
# a *virtual* proto path instead: protoc's `--proto_path=VIRTUAL=DISK` form maps the disk folder
# protos/grpc to the virtual folder `lineup_interop_grpc`, so the file is compiled as
# `lineup_interop_grpc/health/v1/health.proto` and becomes the Python package
# `lineup_interop_grpc.health.v1` (including the import inside health_pb2_grpc.py).
# Only the file's *path* changes: its proto `package grpc.health.v1;` does not, and that is what
# goes on the wire (the RPC path stays "/grpc.health.v1.Health/Check"), so this is exactly the
# protocol the file describes. (Caveat: this only works while no lineup proto imports
# "grpc/health/v1/health.proto"; none does.)
GRPC_PROTO_ALIAS = "lineup_interop_grpc"

# Every channel: never route loopback traffic through an HTTP proxy from the environment.
CHANNEL_OPTIONS = [("grpc.enable_http_proxy", 0)]
# The readiness channel retries connecting every 100 ms instead of gRPC's default exponential
# backoff (1 s, 1.6 s, 2.6 s, ...), so a server that comes up is noticed at once.
READY_CHANNEL_OPTIONS = CHANNEL_OPTIONS + [
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 100),
]


# --------------------------------------------------------------------------------------------
# Stub generation
# --------------------------------------------------------------------------------------------


def _protoc_input_name(relative: str) -> str:
    """The name protoc compiles protos/<relative> under (see GRPC_PROTO_ALIAS)."""
    if relative.startswith("grpc/"):
        return f"{GRPC_PROTO_ALIAS}/{relative.removeprefix('grpc/')}"
    return relative


def _generate_stubs(out_dir: Path) -> None:
    """Compiles every .proto under protos/ into Python messages and gRPC stubs in out_dir."""
    relative = sorted(p.relative_to(PROTOS_DIR).as_posix() for p in PROTOS_DIR.rglob("*.proto"))
    if not relative:
        pytest.fail(f"no .proto files under {PROTOS_DIR}")
    well_known_types = importlib.resources.files("grpc_tools") / "_proto"
    command = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"--proto_path={PROTOS_DIR}",
        f"--proto_path={GRPC_PROTO_ALIAS}={PROTOS_DIR / 'grpc'}",
        f"--proto_path={well_known_types}",
        f"--python_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *(_protoc_input_name(name) for name in relative),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(
            f"grpc_tools.protoc failed with exit code {result.returncode}:\n"
            f"{' '.join(command)}\n{result.stdout}{result.stderr}"
        )
    # Make every generated folder (lineup, lineup/v1, lineup_interop_grpc/...) a regular
    # package, so it imports from out_dir even if a namespace package of the same name exists
    # elsewhere on sys.path.
    for folder in [p for p in out_dir.rglob("*") if p.is_dir()]:
        (folder / "__init__.py").touch()


@pytest.fixture(scope="session")
def pb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The generated modules: common, recommender(_grpc), admin(_grpc), health(_grpc)."""
    out_dir = tmp_path_factory.mktemp("generated-stubs")
    _generate_stubs(out_dir)
    sys.path.insert(0, str(out_dir))
    try:
        yield SimpleNamespace(
            common=importlib.import_module("lineup.v1.common_pb2"),
            recommender=importlib.import_module("lineup.v1.recommender_pb2"),
            recommender_grpc=importlib.import_module("lineup.v1.recommender_pb2_grpc"),
            admin=importlib.import_module("lineup.v1.admin_pb2"),
            admin_grpc=importlib.import_module("lineup.v1.admin_pb2_grpc"),
            health=importlib.import_module(f"{GRPC_PROTO_ALIAS}.health.v1.health_pb2"),
            health_grpc=importlib.import_module(f"{GRPC_PROTO_ALIAS}.health.v1.health_pb2_grpc"),
        )
    finally:
        sys.path.remove(str(out_dir))


# --------------------------------------------------------------------------------------------
# The server process
# --------------------------------------------------------------------------------------------


def _free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _log_tail(log_path: Path) -> str:
    """The last lines of the server log, framed for a failure message."""
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError as error:
        return f"(cannot read server log {log_path}: {error})"
    tail = "\n".join(lines[-LOG_TAIL_LINES:]) if lines else "(empty)"
    return f"--- last {LOG_TAIL_LINES} lines of {log_path} ---\n{tail}\n--- end of server log ---"


def _wait_until_serving(
    process: subprocess.Popen[bytes], address: str, pb: SimpleNamespace, log_path: Path
) -> None:
    """Polls health Check(service="") every 100 ms until SERVING; fails after READY_TIMEOUT."""
    serving = pb.health.HealthCheckResponse.SERVING
    deadline = time.monotonic() + READY_TIMEOUT
    last_outcome = "no answer yet"
    with grpc.insecure_channel(address, options=READY_CHANNEL_OPTIONS) as channel:
        health = pb.health_grpc.HealthStub(channel)
        while True:
            exit_code = process.poll()
            if exit_code is not None:
                pytest.fail(
                    f"lineup-server exited with code {exit_code} during startup.\n"
                    f"{' '.join(process.args)}\n{_log_tail(log_path)}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(
                    f"lineup-server did not report SERVING on {address} within "
                    f"{READY_TIMEOUT:.0f} s (last health check: {last_outcome}).\n"
                    f"{' '.join(process.args)}\n{_log_tail(log_path)}"
                )
            try:
                reply = health.Check(
                    pb.health.HealthCheckRequest(service=""), timeout=min(1.0, remaining)
                )
                if reply.status == serving:
                    return
                last_outcome = pb.health.HealthCheckResponse.ServingStatus.Name(reply.status)
            except grpc.RpcError as error:
                last_outcome = f"{error.code().name}: {error.details()}"
            time.sleep(READY_POLL_INTERVAL)


def _stop(process: subprocess.Popen[bytes], log_path: Path) -> None:
    """SIGTERM, then require exit code 0 within STOP_TIMEOUT (kill and fail otherwise)."""
    process.send_signal(signal.SIGTERM)
    try:
        exit_code = process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(
            f"lineup-server did not exit within {STOP_TIMEOUT} s of SIGTERM; killed it.\n"
            f"{_log_tail(log_path)}"
        )
    if exit_code != 0:
        pytest.fail(
            f"lineup-server exited with code {exit_code} after SIGTERM (want 0).\n"
            f"{_log_tail(log_path)}"
        )


@pytest.fixture(scope="session")
def metrics_port() -> int:
    """The server's metrics port (/metrics, /healthz, /readyz)."""
    return _free_loopback_port()


def _server_binary() -> Path:
    binary = Path(os.environ.get("LINEUP_SERVER_BIN", str(DEFAULT_SERVER_BIN)))
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.fail(
            f"lineup-server binary not found (or not executable) at {binary}. Build it with "
            f"`swift build --product lineup-server`, or point LINEUP_SERVER_BIN at it."
        )
    return binary


def _fallback_data() -> Path:
    fallback_data = Path(os.environ.get("LINEUP_FALLBACK_DATA", str(DEFAULT_FALLBACK_DATA)))
    if not fallback_data.is_dir():
        pytest.fail(
            f"fallback-data folder not found at {fallback_data} "
            f"(set LINEUP_FALLBACK_DATA to use another one)."
        )
    return fallback_data


def _start_server(
    pb: SimpleNamespace, log_path: Path, extra_args: Sequence[str] = (), env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """Starts the real lineup-server on a free loopback port and waits until it is SERVING;
    returns the process and its "host:port". Stop it with `_stop`."""
    port = _free_loopback_port()
    address = f"127.0.0.1:{port}"
    command = [
        str(_server_binary()),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--fallback-data", str(_fallback_data()),
        *extra_args,
    ]  # fmt: skip
    with log_path.open("wb") as log:
        # A session of its own: a Ctrl-C on pytest reaches only pytest, which then stops the
        # server through the teardown (SIGTERM), as a deployment would.
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    try:
        _wait_until_serving(process, address, pb, log_path)
    except BaseException:
        if process.poll() is None:
            process.kill()
            process.wait()
        raise
    return process, address


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, pb: SimpleNamespace, metrics_port: int) -> Iterator[str]:
    """Runs the real lineup-server on a free loopback port; yields its "host:port"."""
    log_path = tmp_path_factory.mktemp("server") / "lineup-server.log"
    process, address = _start_server(pb, log_path, ["--metrics-port", str(metrics_port)])

    yield address

    _stop(process, log_path)


@pytest.fixture(scope="session")
def channel(server: str) -> Iterator[grpc.Channel]:
    """One client channel for all tests; closed before the server is stopped."""
    with grpc.insecure_channel(server, options=CHANNEL_OPTIONS) as ch:
        yield ch


@pytest.fixture(scope="session")
def recommender(channel: grpc.Channel, pb: SimpleNamespace) -> Any:
    return pb.recommender_grpc.RecommenderStub(channel)


@pytest.fixture(scope="session")
def health(channel: grpc.Channel, pb: SimpleNamespace) -> Any:
    return pb.health_grpc.HealthStub(channel)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def recommendations_request(
    pb: SimpleNamespace,
    *,
    user_id: str = "py-user-1",
    country: str = "BR",
    platform: int | None = None,
    limit: int = 10,
    exclude: Sequence[str] = (),
) -> Any:
    """A GetRecommendationsRequest; platform defaults to PLATFORM_ANDROID."""
    return pb.recommender.GetRecommendationsRequest(
        user_id=user_id,
        context=pb.common.RequestContext(
            country=country,
            platform=pb.common.PLATFORM_ANDROID if platform is None else platform,
        ),
        limit=limit,
        exclude_item_ids=list(exclude),
    )


def rpc_error(call: Callable[..., Any], request: Any, **kwargs: Any) -> grpc.RpcError:
    """Makes the call (with the per-call timeout), requires it to fail, returns the error."""
    with pytest.raises(grpc.RpcError) as info:
        call(request, timeout=CALL_TIMEOUT, **kwargs)
    return info.value


def enum_name(enum: Any, value: int) -> str:
    """The name of an enum value, for failure messages; tolerates unknown numbers."""
    try:
        return enum.Name(value)
    except ValueError:
        return str(value)


def assert_slate(items: Sequence[Any], want: int) -> None:
    """Exactly `want` distinct, fully populated items (common.proto's Item contract)."""
    ids = [item.item_id for item in items]
    assert len(items) == want, f"want {want} items, got {len(items)}: {ids}"
    assert len(set(ids)) == len(ids), f"duplicate item ids: {ids}"
    for item in items:
        assert item.item_id, f"item without item_id: {item}"
        assert item.creator_id, f"{item.item_id}: empty creator_id"
        assert item.category, f"{item.item_id}: empty category"
        assert 0.0 <= item.score <= 1.0, f"{item.item_id}: score {item.score} not in [0, 1]"
        assert item.reasons, f"{item.item_id}: no reasons"
        for reason in item.reasons:
            assert reason.code, f"{item.item_id}: reason without code: {reason}"
            assert reason.text, f"{item.item_id}: reason {reason.code} without text"


def assert_fallback(pb: SimpleNamespace, provenance: Any, level: int | None = None) -> None:
    """A fallback answer (at `level`, when given) with a request id and a positive TTL."""
    common = pb.common
    assert provenance.source == common.SOURCE_FALLBACK, (
        f"source = {enum_name(common.Source, provenance.source)}, want SOURCE_FALLBACK"
    )
    if level is not None:
        assert provenance.fallback_level == level, (
            f"fallback_level = {enum_name(common.FallbackLevel, provenance.fallback_level)}, "
            f"want {enum_name(common.FallbackLevel, level)}"
        )
    assert provenance.request_id, "provenance.request_id is empty"
    assert provenance.ttl_sec > 0, f"provenance.ttl_sec = {provenance.ttl_sec}, want > 0"


# --------------------------------------------------------------------------------------------
# Health
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("service", ["", "lineup.v1.Recommender"], ids=["server", "recommender"])
def test_health_check_serving(pb: SimpleNamespace, health: Any, service: str) -> None:
    reply = health.Check(pb.health.HealthCheckRequest(service=service), timeout=CALL_TIMEOUT)
    assert reply.status == pb.health.HealthCheckResponse.SERVING, (
        f"{service!r}: {enum_name(pb.health.HealthCheckResponse.ServingStatus, reply.status)}"
    )


def test_health_check_unknown_service_is_not_found(pb: SimpleNamespace, health: Any) -> None:
    error = rpc_error(health.Check, pb.health.HealthCheckRequest(service="no.such.Service"))
    assert error.code() == grpc.StatusCode.NOT_FOUND, f"{error.code()}: {error.details()}"


# --------------------------------------------------------------------------------------------
# GetRecommendations / GetTrending
# --------------------------------------------------------------------------------------------


def test_recommendations_for_brazil_come_from_the_country_file(
    pb: SimpleNamespace, recommender: Any
) -> None:
    reply = recommender.GetRecommendations(recommendations_request(pb), timeout=CALL_TIMEOUT)
    assert_slate(reply.items, 10)
    assert_fallback(pb, reply.provenance, pb.common.FALLBACK_LEVEL_COUNTRY_FILE)


def test_request_id_metadata_is_echoed(pb: SimpleNamespace, recommender: Any) -> None:
    reply = recommender.GetRecommendations(
        recommendations_request(pb),
        timeout=CALL_TIMEOUT,
        metadata=[("x-request-id", "interop-req-42")],
    )
    assert reply.provenance.request_id == "interop-req-42"


def test_country_without_baseline_falls_back_to_global(
    pb: SimpleNamespace, recommender: Any
) -> None:
    reply = recommender.GetRecommendations(
        recommendations_request(pb, country="AQ"), timeout=CALL_TIMEOUT
    )
    assert_slate(reply.items, 10)
    assert_fallback(pb, reply.provenance, pb.common.FALLBACK_LEVEL_GLOBAL)


def test_excluded_items_are_not_served(pb: SimpleNamespace, recommender: Any) -> None:
    first = recommender.GetRecommendations(recommendations_request(pb), timeout=CALL_TIMEOUT)
    excluded = [item.item_id for item in first.items[:3]]
    assert len(excluded) == 3, f"first call served only {len(first.items)} items"

    second = recommender.GetRecommendations(
        recommendations_request(pb, exclude=excluded), timeout=CALL_TIMEOUT
    )
    assert_slate(second.items, 10)
    served = {item.item_id for item in second.items}
    assert not served & set(excluded), f"excluded items served: {sorted(served & set(excluded))}"


def test_trending_in_japan(pb: SimpleNamespace, recommender: Any) -> None:
    request = pb.recommender.GetTrendingRequest(
        context=pb.common.RequestContext(country="JP"), limit=5
    )
    reply = recommender.GetTrending(request, timeout=CALL_TIMEOUT)
    assert_slate(reply.items, 5)
    assert reply.provenance.source == pb.common.SOURCE_FALLBACK, (
        f"source = {enum_name(pb.common.Source, reply.provenance.source)}, want SOURCE_FALLBACK"
    )


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"user_id": ""}, "user_id"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"country": "BRA"}, "context.country"),
        # proto3 enums are open: Python serializes 99 as-is, exactly what a client built from a
        # newer proto would send. common.proto says the server must reject it.
        ({"platform": 99}, "context.platform"),
    ],
    ids=["empty-user-id", "limit-0", "limit-101", "country-BRA", "platform-99"],
)
def test_bad_input_is_invalid_argument_naming_the_field(
    pb: SimpleNamespace, recommender: Any, overrides: dict[str, Any], field: str
) -> None:
    error = rpc_error(recommender.GetRecommendations, recommendations_request(pb, **overrides))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, f"{error.code()}: {error.details()}"
    assert field in (error.details() or ""), f"status message {error.details()!r} lacks {field!r}"


def test_record_interactions_counts_a_retry_once_and_names_bad_fields(
    pb: SimpleNamespace, recommender: Any
) -> None:
    from google.protobuf import timestamp_pb2

    now = timestamp_pb2.Timestamp()
    now.GetCurrentTime()
    rec = pb.recommender
    good = rec.InteractionEvent(
        event_id="py-evt-1", user_id="py-user-7", item_id="it-00042", type=rec.INTERACTION_TYPE_VIEW,
        timestamp=now, watch_seconds=12.5, context=pb.common.RequestContext(country="BR"),
    )
    bad = rec.InteractionEvent(
        event_id="py-evt-2", user_id="py-user-7", item_id="it-00042", type=rec.INTERACTION_TYPE_GIFT,
        timestamp=now, gift_amount=-1,
    )
    request = rec.RecordInteractionsRequest(events=[good, bad])
    first = recommender.RecordInteractions(request, timeout=5)
    assert (first.accepted, first.duplicates) == (1, 0)
    assert [(r.index, r.event_id, r.field) for r in first.rejections] == [(1, "py-evt-2", "events[1].gift_amount")]
    retry = recommender.RecordInteractions(request, timeout=5)
    assert (retry.accepted, retry.duplicates) == (0, 1), "a retried event must count once"


def test_get_feed_pages_never_repeat_within_a_session(pb: SimpleNamespace, recommender: Any) -> None:
    # A cold user on the embedded store: baseline pages, deduplicated by the session.
    def page(cursor: str) -> Any:
        return recommender.GetFeed(
            pb.recommender.GetFeedRequest(
                user_id="py-user-1",
                context=pb.common.RequestContext(
                    country="BR", platform=pb.common.PLATFORM_ANDROID, session_id="interop-session"
                ),
                page_size=10,
                cursor=cursor,
            ),
            timeout=CALL_TIMEOUT,
        )

    first = page("")
    second = page(first.next_cursor)
    assert len(first.items) == 10 and len(second.items) == 10
    assert first.next_cursor and second.next_cursor and first.next_cursor != second.next_cursor
    assert not {i.item_id for i in first.items} & {i.item_id for i in second.items}
    assert all(item.reasons for item in [*first.items, *second.items])
    assert first.provenance.ttl_sec == 60
    bad = pb.recommender.GetFeedRequest(user_id="py-user-1", page_size=10, cursor="not-a-cursor")
    error = rpc_error(recommender.GetFeed, bad)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, f"{error.code()}: {error.details()}"
    assert "cursor" in error.details()


# --------------------------------------------------------------------------------------------
# Metrics and the alert rules
# --------------------------------------------------------------------------------------------

RULES = REPO_ROOT / "loadtest" / "prometheus-rules.yml"
RULE_TESTS = REPO_ROOT / "loadtest" / "prometheus-rules.test.yml"


def _promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool not found: install Debian's prometheus package (scripts/install-deps.sh test does)")
    return path


def _scrape(port: int) -> tuple[str, dict[str, float]]:
    """/metrics as (content type, {series: value}), every sample line parsed."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=CALL_TIMEOUT) as response:
        assert response.status == 200
        content_type = response.headers["content-type"]
        text = response.read().decode()
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        assert series, f"not a sample line: {line!r}"
        samples[series] = float(value)
    return content_type, samples


def test_alert_rules_pass_promtool_check_and_their_unit_tests() -> None:
    promtool = _promtool()
    for command in ([promtool, "check", "rules", str(RULES)], [promtool, "test", "rules", str(RULE_TESTS)]):
        result = subprocess.run(command, capture_output=True, text=True, cwd=RULES.parent, timeout=60)
        assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"


def test_metrics_page_holds_every_metric_the_alert_rules_use(
    pb: SimpleNamespace, recommender: Any, metrics_port: int
) -> None:
    # A few answers, so the request-path series exist: a model answer and its cached repeat.
    from google.protobuf import timestamp_pb2

    now = timestamp_pb2.Timestamp()
    now.GetCurrentTime()
    rec = pb.recommender
    events = [
        rec.InteractionEvent(
            event_id=f"py-metrics-{i}", user_id="py-metrics-user", item_id=item, type=rec.INTERACTION_TYPE_VIEW,
            timestamp=now, context=pb.common.RequestContext(country="BR"),
        )
        for i, item in enumerate(["it-00001", "it-00002"])
    ]
    recommender.RecordInteractions(rec.RecordInteractionsRequest(events=events), timeout=CALL_TIMEOUT)
    request = recommendations_request(pb, user_id="py-metrics-user", country="BR", limit=10)
    for _ in range(2):
        recommender.GetRecommendations(request, timeout=CALL_TIMEOUT)
        time.sleep(0.2)  # lets the first answer's cache fill land

    content_type, samples = _scrape(metrics_port)
    assert content_type.startswith("text/plain; version=0.0.4")
    names = {series.split("{", 1)[0] for series in samples}
    # Metric names in the rules' expressions, not their annotations' prose (recording rules
    # are named lineup:…, with colons, so they do not match).
    expressions = "\n".join(
        line for line in RULES.read_text().splitlines() if not re.match(r"\s*(summary|runbook):", line)
    )
    used = set(re.findall(r"\b(lineup_[a-z_]+)", expressions))
    assert used, "no metric found in the rules"
    missing = sorted(used - names)
    assert not missing, f"the alert rules use metrics the server does not export: {missing}"
    ok = [v for k, v in samples.items() if k.startswith("lineup_rpc_duration_seconds_count{") and 'method="GetRecommendations"' in k and 'code="OK"' in k]
    assert ok and ok[0] >= 2
    assert samples['lineup_breaker_state{breaker="redis.read",state="closed"}'] == 1


# --------------------------------------------------------------------------------------------
# Two replicas on one redis-server
# --------------------------------------------------------------------------------------------

ADMIN_SECRET = "interop-admin-secret-0123456789"


@pytest.fixture()
def redis_server(tmp_path: Path) -> Iterator[str]:
    """A real redis-server on a free loopback port, nothing persisted; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server not found on PATH (scripts/install-deps.sh test installs it)")
    port = _free_loopback_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as probe:
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail(f"redis-server did not answer PING on port {port}")
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def test_a_flag_and_an_override_set_through_one_server_process_are_obeyed_by_another_on_the_same_redis_within_2s(
    pb: SimpleNamespace, redis_server: str, tmp_path: Path
) -> None:
    """The issue's replica test with real processes: a change made through replica A reaches
    replica B over Redis (pub/sub announcement, periodic re-read as a backstop)."""
    env = {"LINEUP_ADMIN_TOKEN": ADMIN_SECRET}
    replicas: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        addresses = []
        for name in "ab":
            log_path = tmp_path / f"replica-{name}.log"
            process, address = _start_server(pb, log_path, ["--redis", redis_server, "--metrics-port", str(_free_loopback_port())], env)
            replicas.append((process, log_path))
            addresses.append(address)
        address_a, address_b = addresses
        bearer = [("authorization", f"Bearer {ADMIN_SECRET}")]
        with grpc.insecure_channel(address_a, options=CHANNEL_OPTIONS) as a, grpc.insecure_channel(address_b, options=CHANNEL_OPTIONS) as b:
            admin_a = pb.admin_grpc.AdminStub(a)
            admin_b = pb.admin_grpc.AdminStub(b)
            recs_b = pb.recommender_grpc.RecommenderStub(b)
            request = recommendations_request(pb, user_id="py-replica-user", country="BR", limit=3)
            before = recs_b.GetRecommendations(request, timeout=CALL_TIMEOUT)
            assert before.provenance.flag.result == pb.common.FLAG_RESULT_ON

            admin_a.SetFlag(
                pb.admin.SetFlagRequest(flag=pb.admin.Flag(name="recs", killed=True), reason="interop: kill on A"),
                metadata=bearer, timeout=CALL_TIMEOUT,
            )
            admin_a.SetBreakerOverride(
                pb.admin.SetBreakerOverrideRequest(name="redis.write", override=pb.admin.BREAKER_OVERRIDE_FORCED_OPEN, reason="interop drill"),
                metadata=bearer, timeout=CALL_TIMEOUT,
            )
            changed = time.monotonic()
            flag_seen = breaker_seen = None
            while time.monotonic() - changed < 2.0 and (flag_seen is None or breaker_seen is None):
                if flag_seen is None:
                    answer = recs_b.GetRecommendations(request, timeout=CALL_TIMEOUT)
                    if answer.provenance.flag.reason == "killed":
                        flag_seen = time.monotonic() - changed
                if breaker_seen is None:
                    breakers = admin_b.ListBreakers(pb.admin.ListBreakersRequest(), metadata=bearer, timeout=CALL_TIMEOUT).breakers
                    if any(x.name == "redis.write" and x.state == pb.admin.BREAKER_STATE_FORCED_OPEN for x in breakers):
                        breaker_seen = time.monotonic() - changed
                time.sleep(0.02)
            assert flag_seen is not None, "replica B still serves with recs on 2 s after A killed it"
            assert breaker_seen is not None, "replica B's redis.write is not forced open 2 s after A forced it"
            # The change is audited once, on the shared stream, whichever replica is asked.
            audit = admin_b.ListAuditEvents(pb.admin.ListAuditEventsRequest(limit=10), metadata=bearer, timeout=CALL_TIMEOUT)
            assert [e.target for e in audit.events][:2] == ["redis.write", "recs"], audit
    finally:
        for process, log_path in replicas:
            _stop(process, log_path)
