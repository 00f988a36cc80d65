"""``emitter sink`` without a broker, without its topics, or losing its broker mid-run: it says so, and ends.

The sink runs as the real CLI in a subprocess with a bound on how long it may take, so a sink that
never gives up fails the test instead of stalling the suite.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from support import small_config

from emitter.sink.destinations import open_destination
from emitter.stream.embedded_broker import EmbeddedBroker, free_port
from emitter.stream.runner import StreamSettings
from emitter.stream.session import Delivery, stream
from emitter.stream.targets import TargetError, TargetOptions

from .test_sink_exactly_once import _committed

BOUND_S = 90  # far above --until-idle + a metadata probe + start-up; only a sink that never ends reaches it


def _sink(tmp_path: Path, bootstrap: str, *args: str) -> list[str]:
    warehouse = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    return [
        sys.executable, "-m", "emitter", "sink", "--bootstrap-servers", bootstrap, "--warehouse", warehouse,
        "--scenario", "retail", "--quiet", *args,
    ]  # fmt: skip


def _one_error_line(run: subprocess.CompletedProcess[str]) -> str:
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) < 20, run.stderr  # client log lines are deduplicated, not dumped
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, run.stderr
    return errors[0]


def test_until_idle_gives_up_on_an_unreachable_broker(tmp_path: Path) -> None:
    nobody = f"127.0.0.1:{free_port()}"
    run = subprocess.run(
        _sink(tmp_path, nobody, "--until-idle", "3s"), capture_output=True, text=True, cwd=tmp_path, timeout=BOUND_S
    )
    assert f"no answer from {nobody}" in _one_error_line(run)


def test_until_idle_gives_up_when_no_topic_matches(kafka_bootstrap: str, tmp_path: Path) -> None:
    pattern = f"nomatch{uuid.uuid4().hex[:8]}.*"
    run = subprocess.run(
        _sink(tmp_path, kafka_bootstrap, "--topics", pattern, "--until-idle", "3s"),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=BOUND_S,
    )
    assert f"nothing on {kafka_bootstrap} matches '{pattern}'" in _one_error_line(run)


def test_until_idle_gives_up_on_a_broker_that_dies_mid_run(tmp_path: Path) -> None:
    """Events keep arriving until the broker is killed, so the sink can't have stopped as idle before."""
    prefix = f"d{uuid.uuid4().hex[:8]}."
    stop_feeding = threading.Event()
    with EmbeddedBroker() as broker:
        bootstrap = broker.bootstrap

        def feed() -> None:
            settings = StreamSettings(
                tables=("receipts",), topic_prefix=prefix, interval_ms=100, burst=5, flush_grace_s=1.0
            )
            delivery = Delivery(options=TargetOptions(bootstrap_servers=broker.bootstrap), partitions=1)
            with contextlib.suppress(TargetError):  # its broker is gone: what it lost is not the subject here
                stream(small_config(), settings, delivery, stop=stop_feeding)

        feeder = threading.Thread(target=feed)
        feeder.start()
        group = f"g-{uuid.uuid4().hex[:8]}"
        command = _sink(tmp_path, broker.bootstrap, "--topics", f"{prefix}*", "--group", group, "--until-idle", "3s")
        command.remove("--quiet")  # what it loaded before giving up is reported too
        sink = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and sink.poll() is None:
                try:
                    if _committed(broker.bootstrap, group, [prefix + "receipts"]) > 0:
                        break
                except Exception:  # the topic or the group's offsets don't exist yet
                    pass
                time.sleep(0.1)
            assert sink.poll() is None, sink.communicate()
            assert broker.pid is not None
            os.kill(broker.pid, signal.SIGKILL)
            stdout, stderr = sink.communicate(timeout=BOUND_S)
        finally:
            sink.kill()
            stop_feeding.set()
            feeder.join(timeout=BOUND_S)
    error = _one_error_line(subprocess.CompletedProcess(command, sink.returncode, stdout, stderr))
    assert f"no answer from {bootstrap}" in error
    assert "(stopped by error)" in stdout, stdout
    with open_destination(f"duckdb:///{tmp_path / 'warehouse.duckdb'}") as warehouse:
        loaded = warehouse.query("SELECT count(*) AS n FROM retail.receipts").column("n")[0].as_py()
    assert loaded > 0 and f"{loaded:,}" in stdout, stdout


def test_without_until_idle_it_keeps_retrying_and_says_so_once_per_interval(tmp_path: Path) -> None:
    nobody = f"127.0.0.1:{free_port()}"
    sink = subprocess.Popen(_sink(tmp_path, nobody), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(sink.stderr or []), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + BOUND_S
        while sum("still retrying" in line for line in list(lines)) < 2:
            assert sink.poll() is None, lines
            if time.monotonic() > deadline:
                pytest.fail(f"no retry notices within {BOUND_S}s: {lines[:5]}")
            time.sleep(0.1)
        sink.send_signal(signal.SIGTERM)
        sink.wait(timeout=BOUND_S)
        reader.join(timeout=BOUND_S)
    finally:
        sink.kill()
    assert sink.returncode == 0, lines  # a stop signal is a normal end
    notices = [line for line in lines if "still retrying" in line]
    assert all(f"no answer from {nobody}" in line for line in notices), notices
    assert len(lines) < 12, lines  # two notices and each kind of client line once: not a flood
