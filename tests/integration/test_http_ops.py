"""--http against the real broker: /metrics scraped with a real HTTP client during and after a stream and a
sink (counters equal the run's summary), and /control pausing, resuming and re-rating a live stream, with
the rate measured from the topic: a live tick stamps all its events alike, so events per distinct
timestamp are events per tick, however busy the machine is.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import datetime
from itertools import groupby
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from prometheus_client.parser import text_string_to_metric_families
from support import ReadTopic, decode_single_object, replay_into_topics

from emitter.config import Config
from emitter.ops.run_ops import RunOps, serve_run
from emitter.scenarios.retail import RetailScenario
from emitter.sink.consumer import SinkSettings
from emitter.sink.session import sink
from emitter.stream.runner import StreamSettings
from emitter.stream.session import Delivery, StreamResult, stream
from emitter.stream.targets import TargetOptions
from emitter.stream.timeline import to_micros

CATALOG = RetailScenario.catalog()
SECRET = "hunter2-not-to-be-served"
HANG_GUARD_S = 60.0


def _prefix() -> str:
    return f"h{uuid.uuid4().hex[:8]}."


def _get(url: str, method: str = "GET", payload: object = None) -> tuple[int, Any]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode()
    return status, (text if "metrics" in url else json.loads(text))


def _scrape(ops: RunOps) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """``{sample name: {sorted labels: value}}`` of one /metrics scrape, parsed by prometheus-client."""
    assert ops.server is not None
    status, text = _get(f"{ops.server.url}/metrics")
    assert status == 200
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return out


def _by(samples: dict[tuple[tuple[str, str], ...], float], *keys: str) -> dict[tuple[str, ...], float]:
    return {tuple(dict(labels)[k] for k in keys): v for labels, v in samples.items() if "le" not in dict(labels)}


def _until(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + HANG_GUARD_S
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"hang guard: {what} did not happen")
        time.sleep(0.05)


def test_stream_metrics_equal_the_summary_of_the_run(kafka_bootstrap: str, small_config: Config) -> None:
    prefix = _prefix()
    settings = StreamSettings(tables=("receipts", "receipt_lines"), topic_prefix=prefix, interval_ms=20, burst=30)
    settings = StreamSettings(**{**settings.__dict__, "max_events": 600})
    delivery = Delivery(options=TargetOptions(bootstrap_servers=kafka_bootstrap), partitions=2)
    with serve_run("127.0.0.1:0", stream=True) as ops:
        result: StreamResult = stream(small_config, settings, delivery, control=ops.control, metrics=ops.stream)
        # the run is over, the server is not: the final counts are what it serves
        metrics = _scrape(ops)
        assert ops.server is not None
        assert _get(f"{ops.server.url}/readyz") == (503, {"status": "not ready", "reason": "stream finished"})
    summary, target = result.summary, result.target
    topics = result.topics
    assert summary.total == 600 and target.delivered == 600
    sent = _by(metrics["emitter_stream_events_sent_total"], "topic")
    assert sent == {(topics[t],): float(n) for t, n in summary.sent.items() if n}
    assert sum(_by(metrics["emitter_stream_bytes_sent_total"], "topic").values()) == summary.bytes
    delivered = _by(metrics["emitter_stream_events_delivered_total"], "topic")
    assert delivered == {(t,): float(n) for t, n in target.delivered_by_topic.items()}
    # every delivery report was timed
    assert _by(metrics["emitter_stream_delivery_latency_seconds_count"], "topic") == delivered
    assert metrics["emitter_stream_events_failed_total"][()] == 0
    assert metrics["emitter_stream_tick_lateness_seconds_count"][()] == summary.lateness.ticks
    assert metrics["emitter_stream_tick_lateness_seconds_sum"][()] == pytest.approx(summary.lateness.total_ns / 1e9)
    assert metrics["emitter_stream_target_rate"][()] == 1500.0  # 30 events every 20 ms
    assert metrics["emitter_stream_running"][()] == 0.0


def test_control_pauses_resumes_and_rerates_a_live_stream(
    kafka_bootstrap: str, small_config: Config, topic_records: ReadTopic
) -> None:
    prefix = _prefix()
    topic = prefix + "receipts"
    settings = StreamSettings(tables=("receipts",), topic_prefix=prefix, interval_ms=100, burst=5)
    delivery = Delivery(options=TargetOptions(bootstrap_servers=kafka_bootstrap), partitions=2)
    stop = threading.Event()
    outcome: dict[str, Any] = {}
    with serve_run("127.0.0.1:0", stream=True) as ops:
        assert ops.server is not None
        url = ops.server.url

        def run() -> None:
            try:
                outcome["result"] = stream(
                    small_config, settings, delivery, stop=stop, control=ops.control, metrics=ops.stream
                )
            except BaseException as exc:
                outcome["error"] = exc

        runner = threading.Thread(target=run, daemon=True)
        runner.start()
        try:

            def sent() -> float:
                return sum(_scrape(ops).get("emitter_stream_events_sent_total", {}).values())

            def delivered() -> float:
                return sum(_scrape(ops).get("emitter_stream_events_delivered_total", {}).values())

            def ask(payload: dict[str, Any]) -> None:
                status, state = _get(f"{url}/control", "POST", payload)
                assert status == 200, state
                _until(f"{payload} applied", lambda: _get(f"{url}/control")[1]["pending"] is False)

            _until("readiness", lambda: _get(f"{url}/readyz")[0] == 200)
            _until("three ticks of 5", lambda: sent() >= 15)
            ask({"action": "burst", "burst": 7})
            after_burst = sent()
            _until("three ticks of 7", lambda: sent() >= after_burst + 21)

            ask({"action": "pause"})
            paused_at = sent()
            assert _scrape(ops)["emitter_stream_paused"][()] == 1.0
            assert _scrape(ops)["emitter_stream_target_rate"][()] == 0.0
            _until("the paused stream's events delivered", lambda: delivered() == paused_at)
            in_topic = len(topic_records(topic))
            time.sleep(1.0)  # ten ticks' worth: a stream that kept sending would show it below
            assert sent() == paused_at
            assert len(topic_records(topic)) == in_topic == paused_at

            ask({"action": "rate", "events_per_s": 30})  # applied while paused: 3 per 100 ms tick from the resume
            ask({"action": "resume"})
            assert _scrape(ops)["emitter_stream_paused"][()] == 0.0
            _until("three ticks of 3", lambda: sent() >= paused_at + 9)
            assert _scrape(ops)["emitter_stream_target_rate"][()] == 30.0
        finally:
            stop.set()
            runner.join(HANG_GUARD_S)
    assert "error" not in outcome, outcome.get("error")
    result: StreamResult = outcome["result"]
    stamps = sorted(
        to_micros(decode_single_object(r.value or b"", "receipts")[1]["event_ts"]) for r in topic_records(topic)
    )
    assert len(stamps) == result.summary.total == result.target.delivered
    per_tick = [len(list(group)) for _, group in groupby(stamps)]
    runs = [(count, len(list(group))) for count, group in groupby(per_tick)]
    assert [count for count, _ in runs] == [5, 7, 3], runs
    assert all(ticks >= 3 for _, ticks in runs), runs
    assert result.summary.paused_s > 0


def _with_password(url: str) -> str:
    parts = urlsplit(url)
    user = parts.username or "postgres"
    host = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
    return urlunsplit(parts._replace(netloc=f"{user}:{SECRET}@{host}"))


def test_sink_metrics_equal_the_summary_and_serve_no_secret(
    kafka_bootstrap: str, small_config: Config, pg_url: str
) -> None:
    prefix = _prefix()
    tables = ("receipts", "receipt_lines")
    replay_into_topics(
        small_config, kafka_bootstrap, tables, prefix, datetime(2024, 3, 9, 10, 0), datetime(2024, 3, 9, 12, 0)
    )
    warehouse = _with_password(pg_url)  # trust auth: the password is ignored, and must never be served
    settings = SinkSettings(
        kafka_bootstrap, topics=prefix + "*", group=f"g-{uuid.uuid4().hex[:8]}", batch_size=500, idle_exit_s=2.0
    )
    with serve_run("127.0.0.1:0", sink=True) as ops:
        assert ops.server is not None
        summary = sink(CATALOG, settings, warehouse, metrics=ops.sink)
        metrics = _scrape(ops)
        bodies = [_get(f"{ops.server.url}/{path}")[1] for path in ("metrics", "healthz", "readyz")]
    assert summary.loaded > 0
    loaded = _by(metrics["emitter_sink_rows_loaded_total"], "topic", "partition")
    assert sum(loaded.values()) == summary.loaded
    assert {t for t, _ in loaded} == {prefix + t for t in tables}
    assert sum(metrics["emitter_sink_events_consumed_total"].values()) == summary.loaded + summary.dead
    assert sum(metrics.get("emitter_sink_dead_letters_total", {}).values()) == summary.dead
    assert metrics["emitter_sink_batches_total"][()] == summary.batches
    assert metrics["emitter_sink_batch_latency_seconds_count"][()] == summary.batches
    assert metrics["emitter_sink_commit_latency_seconds_count"][()] == summary.batches
    assert all(v == 0 for v in metrics["emitter_sink_lag"].values())  # stopped by idling once caught up
    assert metrics["emitter_sink_running"][()] == 0.0
    assert not any(SECRET in json.dumps(body) for body in bodies)


def test_demo_serves_its_stream_and_sink_metrics(small_config: Config, tmp_path: Any) -> None:
    from emitter.demo import run_demo

    with serve_run("127.0.0.1:0", stream=True, sink=True) as ops:
        assert ops.server is not None
        result = run_demo(small_config, tmp_path / "demo.duckdb", 3.0, ops=ops)
        metrics = _scrape(ops)
        status, state = _get(f"{ops.server.url}/control")
    assert status == 200 and state["mode"] == "replay" and state["phase"] == "finished"
    sent = sum(metrics["emitter_stream_events_sent_total"].values())
    assert sent == result.stream.summary.total > 0
    assert sum(metrics["emitter_stream_events_delivered_total"].values()) == result.stream.target.delivered
    assert sum(metrics["emitter_sink_rows_loaded_total"].values()) == result.sink.loaded
    assert metrics["emitter_sink_batches_total"][()] == result.sink.batches


def test_injected_faults_are_counted_in_the_metrics_as_in_the_summary(
    kafka_bootstrap: str, small_config: Config, tmp_path: Any
) -> None:
    from emitter.stream.fault_spec import parse_faults

    spec = parse_faults("late=0.05:100ms,out_of_order=0.05:20,duplicate=0.05,malformed=0.05")
    settings = StreamSettings(
        tables=("receipts", "receipt_lines"),
        topic_prefix=_prefix(),
        start=datetime(2024, 11, 29, 8),
        end=datetime(2024, 11, 29, 9),
        speed=float("inf"),
        faults={"receipts": spec, "receipt_lines": spec},
    )
    delivery = Delivery(options=TargetOptions(bootstrap_servers=kafka_bootstrap), partitions=2)
    with serve_run("127.0.0.1:0", stream=True) as ops:
        result = stream(small_config, settings, delivery, control=ops.control, metrics=ops.stream)
        metrics = _scrape(ops)
    faults = _by(metrics["emitter_stream_faults_total"], "topic", "kind")
    expected = {(result.topics[t], kind): float(n) for t, kinds in result.faults.items() for kind, n in kinds.items()}
    assert faults == expected and all(expected.values())
    # the broker got the model's events and the injected copies: the events-sent counter counts messages
    copies = sum(kinds["duplicate"] + kinds["malformed"] for kinds in result.faults.values())
    sent = sum(_by(metrics["emitter_stream_events_sent_total"], "topic").values())
    assert sent == result.summary.total + copies == result.target.delivered

    sink_settings = SinkSettings(
        kafka_bootstrap,
        topics=settings.topic_prefix + "*",
        group=f"g{uuid.uuid4().hex[:8]}",
        max_latency_ms=300,
        session_timeout_ms=3_000,
        idle_exit_s=2.0,
        max_events=result.target.delivered,
        dedupe=True,
    )
    with serve_run("127.0.0.1:0", sink=True) as ops:
        summary = sink(CATALOG, sink_settings, f"duckdb:///{tmp_path / 'w.duckdb'}", metrics=ops.sink)
        metrics = _scrape(ops)
    duplicates = sum(kinds["duplicate"] for kinds in result.faults.values())
    assert metrics["emitter_sink_duplicates_skipped_total"][()] == summary.duplicates == duplicates
    malformed = sum(kinds["malformed"] for kinds in result.faults.values())
    assert sum(metrics["emitter_sink_dead_letters_total"].values()) == summary.dead == malformed
    assert summary.loaded == result.summary.total
