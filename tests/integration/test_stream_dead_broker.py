"""``emitter stream`` against a broker that dies mid-run, or was never there: it ends, and counts exactly.

Each test starts a broker of its own and kills it (SIGKILL) once the stream has delivered something,
so the broker is known to die mid-run however loaded the machine is. The stream runs as the real CLI
in a subprocess with a bound on how long it may take: a hang fails the test, it never stalls the suite.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import write_small_config

from emitter.stream.embedded_broker import EmbeddedBroker, free_port

from .test_stream_kafka import _wait_for_records

TABLES = ("receipts", "receipt_lines")
BOUND_S = 90  # far above what each run needs (duration + flush grace + start-up); only a hang reaches it
_IDENTITY = re.compile(
    r"sent ([\d,]+) = delivered ([\d,]+) \+ failed ([\d,]+) \+ never confirmed ([\d,]+)(?! \+ still in flight)"
)


@pytest.fixture
def broker() -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker() as running:
        yield running


def _stream(bootstrap: str, prefix: str, config: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "emitter", "stream", "--bootstrap-servers", bootstrap, "--topic-prefix", prefix]
    command += ["--tables", ",".join(TABLES), "--config", str(config), *args]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=config.parent,
        env={**os.environ, "COLUMNS": "200"},
    )


def _kill_once_delivering(broker: EmbeddedBroker, prefix: str, process: subprocess.Popen[str]) -> None:
    _wait_for_records(broker.bootstrap, [prefix + t for t in TABLES], process, timeout=60)
    assert broker.pid is not None
    os.kill(broker.pid, signal.SIGKILL)


def _accounting(stdout: str) -> tuple[int, int, int, int]:
    """(sent, delivered, failed, never confirmed) from the summary; nothing may be left in flight."""
    match = _IDENTITY.search(stdout)
    assert match, f"no settled sent/delivered line in the summary:\n{stdout}"
    sent, delivered, failed, unconfirmed = (int(group.replace(",", "")) for group in match.groups())
    return sent, delivered, failed, unconfirmed


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) < 20, stderr  # client log lines are deduplicated, not dumped
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, stderr
    return errors[0]


def _assert_losses_reported(process: subprocess.Popen[str], broker: EmbeddedBroker) -> tuple[int, int, int]:
    """Exit 1, one error line naming the broker, and sent = delivered + failed + never confirmed exactly."""
    stdout, stderr = process.communicate(timeout=BOUND_S)
    assert process.returncode == 1, (stdout, stderr)
    error = _one_error_line(stderr)
    sent, delivered, failed, unconfirmed = _accounting(stdout)
    assert sent == delivered + failed + unconfirmed
    assert delivered > 0 and failed + unconfirmed > 0
    assert f"{failed + unconfirmed:,} of {sent:,} events not delivered to {broker.bootstrap}" in error, error
    assert f"{delivered:,} delivered, {failed:,} failed, {unconfirmed:,} never confirmed" in error, error
    return failed, unconfirmed, sent


def test_losses_on_a_dead_broker_are_counted_exactly(broker: EmbeddedBroker, tmp_path: Path) -> None:
    """Delivery errors stop the stream; the summary still prints, and every event sent is accounted for."""
    prefix = f"t{uuid.uuid4().hex[:8]}."
    config = write_small_config(tmp_path / "config.json")
    process = _stream(
        broker.bootstrap, prefix, config, "--start", "2024-03-05T08:00", "--speed", "max",
        "--producer-property", "message.timeout.ms=5000",
    )  # fmt: skip
    try:
        _kill_once_delivering(broker, prefix, process)
        failed, _, _ = _assert_losses_reported(process, broker)
    finally:
        process.kill()
    assert failed > 0  # timed out within the flush grace: the client said so


def test_duration_wins_over_a_dead_broker(broker: EmbeddedBroker, tmp_path: Path) -> None:
    """Default settings (librdkafka would retry for 5 minutes): the run ends after --duration and the grace."""
    prefix = f"t{uuid.uuid4().hex[:8]}."
    config = write_small_config(tmp_path / "config.json")
    # long enough that the broker dies inside it however slowly the first records show on a loaded machine
    process = _stream(broker.bootstrap, prefix, config, "--duration", "30s", "--emit-interval-ms", "100")
    try:
        _kill_once_delivering(broker, prefix, process)
        _, unconfirmed, _ = _assert_losses_reported(process, broker)
    finally:
        process.kill()
    assert unconfirmed > 0  # still unanswered when the grace ran out


def test_sigterm_wins_over_a_send_stuck_on_a_full_queue(broker: EmbeddedBroker, tmp_path: Path) -> None:
    """At full speed the producer's queue fills once the broker is gone; SIGTERM still ends the run."""
    prefix = f"t{uuid.uuid4().hex[:8]}."
    config = write_small_config(tmp_path / "config.json")
    process = _stream(
        broker.bootstrap, prefix, config, "--start", "2024-03-05T08:00", "--speed", "max", "--flush-grace", "3s"
    )
    try:
        _kill_once_delivering(broker, prefix, process)
        process.send_signal(signal.SIGTERM)
        _assert_losses_reported(process, broker)
    finally:
        process.kill()


def test_an_unreachable_broker_is_one_line(tmp_path: Path) -> None:
    nobody = f"127.0.0.1:{free_port()}"
    config = write_small_config(tmp_path / "config.json")
    run = subprocess.run(
        [sys.executable, "-m", "emitter", "stream", "--bootstrap-servers", nobody, "--duration", "5s",
         "--tables", "receipts", "--config", str(config)],
        capture_output=True, text=True, cwd=tmp_path, timeout=BOUND_S,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    error = _one_error_line(run.stderr)
    assert f"could not list topics at {nobody}" in error and "is the broker running" in error, error
    assert run.stderr.splitlines() == [error], run.stderr  # the client's own words about it are detail (INFO)
