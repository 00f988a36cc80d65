"""The ops server over real HTTP (urllib): health, readiness, /control answers, the token, the default bind."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from emitter.errors import ConfigError
from emitter.ops.address import DEFAULT_ADDRESS, parse_http_address
from emitter.ops.run_ops import RunOps, serve_run
from emitter.stream.pacing import Lateness
from emitter.stream.runner import StreamSettings

TOKEN = "t0ken-for-tests"


def call(url: str, method: str = "GET", body: bytes | None = None, token: str | None = None) -> tuple[int, Any]:
    """(status, parsed JSON or text) of one request."""
    request = urllib.request.Request(url, data=body, method=method)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode()
    try:
        return status, json.loads(text)
    except json.JSONDecodeError:
        return status, text


def post(ops: RunOps, payload: object, token: str | None = TOKEN) -> tuple[int, Any]:
    assert ops.server is not None
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return call(f"{ops.server.url}/control", "POST", body, token)


@pytest.fixture
def ops() -> Iterator[RunOps]:
    with serve_run("127.0.0.1:0", TOKEN, stream=True) as served:
        yield served


def _begin(ops: RunOps, **settings: Any) -> None:
    assert ops.control is not None
    ops.control.begin(StreamSettings(tables=("receipts",), topic_prefix="r.", **settings), True, Lateness())


def test_healthz_answers_while_serving_and_readyz_only_once_the_stream_runs(ops: RunOps) -> None:
    assert ops.server is not None
    assert call(f"{ops.server.url}/healthz") == (200, {"status": "ok"})
    assert call(f"{ops.server.url}/readyz") == (503, {"status": "not ready", "reason": "stream starting"})
    _begin(ops)
    assert call(f"{ops.server.url}/readyz") == (200, {"status": "ready"})
    assert ops.control is not None
    ops.control.finish()
    assert call(f"{ops.server.url}/readyz") == (503, {"status": "not ready", "reason": "stream finished"})


def test_control_wants_the_token_and_metrics_and_health_do_not(ops: RunOps) -> None:
    assert ops.server is not None
    _begin(ops)
    for token in (None, "wrong"):
        status, body = call(f"{ops.server.url}/control", token=token)
        assert status == 401 and "Bearer" in body["error"]
        assert post(ops, {"action": "pause"}, token=token)[0] == 401
    assert ops.control is not None and not ops.control.pace.paused  # refused requests change nothing
    assert call(f"{ops.server.url}/control", token=TOKEN)[0] == 200
    assert call(f"{ops.server.url}/metrics")[0] == 200
    assert call(f"{ops.server.url}/healthz")[0] == 200


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b"{not json", "not JSON"),
        (b"", "JSON object"),
        ([1, 2], "JSON object"),
        ({"action": "jump"}, "is not one of"),
        ({"speed": 3}, "is not one of"),
        ({"action": "rate", "events_per_s": -1}, "events_per_s"),
        ({"action": "rate", "events_per_s": "fast"}, "events_per_s"),
        ({"action": "rate"}, "events_per_s"),
        ({"action": "burst", "burst": 0}, "burst"),
        ({"action": "burst", "burst": 2.5}, "burst"),
        ({"action": "burst", "burst": 5, "interval_ms": 0}, "interval_ms"),
        ({"action": "burst", "burst": True}, "burst"),
        ({"action": "profile", "profile": "zigzag:1"}, "unknown profile"),
        ({"action": "profile", "profile": "ramp:1:2"}, "ramp:A:B:DURATION"),
        ({"action": "profile"}, "rate profile string"),
        ({"action": "pause", "burst": 3}, "unexpected field"),
    ],
)
def test_a_bad_request_gets_400_with_a_json_error_and_changes_nothing(
    ops: RunOps, payload: object, fragment: str
) -> None:
    _begin(ops, burst=10, interval_ms=100)
    assert ops.control is not None
    before = ops.control.pace
    status, body = post(ops, payload)
    assert status == 400
    assert fragment in body["error"]
    assert ops.control.pace is before


def test_good_requests_answer_with_the_new_state(ops: RunOps) -> None:
    _begin(ops, burst=10, interval_ms=100)
    status, state = post(ops, {"action": "burst", "burst": 4, "interval_ms": 250})
    assert status == 200
    assert state["pending"] is True  # the loop applies it at its next tick
    assert ops.control is not None
    assert ops.control.pace.burst == 4 and ops.control.pace.interval_ms == 250
    assert post(ops, {"action": "rate", "events_per_s": 12.5})[0] == 200
    assert ops.control.pace.profile is not None and ops.control.pace.profile.rate(99) == 12.5
    assert post(ops, {"action": "pause"})[0] == 200 and ops.control.pace.paused


def test_a_replay_takes_only_pause_and_resume(ops: RunOps) -> None:
    _begin(ops, start=datetime(2024, 3, 9, 11, 0), speed=60.0)
    status, body = post(ops, {"action": "rate", "events_per_s": 5})
    assert status == 400 and "only pause and resume" in body["error"]
    assert post(ops, {"action": "pause"})[0] == 200


def test_control_before_the_start_and_after_the_end_is_a_conflict(ops: RunOps) -> None:
    assert post(ops, {"action": "pause"})[0] == 409
    _begin(ops)
    assert ops.control is not None
    ops.control.finish()
    status, body = post(ops, {"action": "resume"})
    assert status == 409 and "finished" in body["error"]


def test_metrics_are_prometheus_text_and_show_pause_and_target_rate(ops: RunOps) -> None:
    assert ops.server is not None and ops.control is not None
    _begin(ops)
    ops.control.loop.target_rate = 200.0
    ops.control.loop.pace = ops.control.pace.__class__(True, 100, 500, None)  # as the loop applies a pause
    status, text = call(f"{ops.server.url}/metrics")
    assert status == 200
    samples = {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples if not s.labels}
    assert samples["emitter_stream_paused"] == 1.0
    assert samples["emitter_stream_target_rate"] == 200.0
    assert samples["emitter_stream_running"] == 1.0


def test_a_sink_serves_no_control(tmp_path: Any) -> None:
    with serve_run("127.0.0.1:0", sink=True) as ops:
        assert ops.server is not None
        assert call(f"{ops.server.url}/control")[0] == 404
        assert call(f"{ops.server.url}/readyz") == (503, {"status": "not ready", "reason": "sink starting"})


def test_the_default_address_is_loopback_and_a_bare_port_stays_on_it() -> None:
    assert DEFAULT_ADDRESS == "127.0.0.1:9100"
    assert parse_http_address("9101") == ("127.0.0.1", 9101)
    assert parse_http_address(":9102") == ("127.0.0.1", 9102)
    assert parse_http_address("0.0.0.0:9103") == ("0.0.0.0", 9103)
    assert parse_http_address("[::1]:9104") == ("::1", 9104)
    for bad in ("host:port", "1:99999", "x"):
        with pytest.raises(ConfigError, match="--http"):
            parse_http_address(bad)


def test_a_server_binds_only_the_loopback_interface_by_default() -> None:
    with serve_run(":0", stream=True) as ops:
        assert ops.server is not None
        assert ops.server.bound == [("127.0.0.1", ops.server.port)]


def test_a_taken_port_is_a_one_line_error() -> None:
    with serve_run("127.0.0.1:0") as first:
        assert first.server is not None
        with (
            pytest.raises(ConfigError, match=r"can.t listen on 127\.0\.0\.1"),
            serve_run(f"127.0.0.1:{first.server.port}"),
        ):
            pass


def test_a_labelled_counter_fed_from_a_dict_joins_the_stream_metrics(ops: RunOps) -> None:
    assert ops.server is not None and ops.stream is not None
    counts = {("r.receipts", "late"): 3, ("r.receipts", "duplicate"): 1}
    ops.stream.add_counts("emitter_faults", "Faults injected.", ("topic", "kind"), lambda: dict(counts))
    counts[("r.lines", "malformed")] = 2  # read at scrape time, not when added
    _, text = call(f"{ops.server.url}/metrics")
    faults = {
        (s.labels["topic"], s.labels["kind"]): s.value
        for f in text_string_to_metric_families(text)
        if f.name == "emitter_faults"
        for s in f.samples
    }
    assert faults == {("r.receipts", "late"): 3, ("r.receipts", "duplicate"): 1, ("r.lines", "malformed"): 2}
