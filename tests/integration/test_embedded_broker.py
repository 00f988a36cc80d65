"""The embedded Tansu broker: found, started on 127.0.0.1, answering Kafka, stopped cleanly."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from emitter.stream.embedded_broker import (
    BINARY_ENV,
    BrokerError,
    EmbeddedBroker,
    find_broker_binary,
    free_port,
    metadata_brokers,
)


def _binary_or_skip() -> Path:
    try:
        return find_broker_binary()
    except BrokerError as exc:
        pytest.skip(str(exc))


def test_starts_advertises_127_0_0_1_and_stops() -> None:
    _binary_or_skip()
    with EmbeddedBroker() as broker:
        host, port = broker.bootstrap.split(":")
        assert host == "127.0.0.1"
        assert metadata_brokers(host, int(port)) == [("127.0.0.1", int(port))]
        assert broker.startup_seconds is not None and broker.startup_seconds > 0  # measured, not bounded
        log = broker.log_path
        assert log is not None and log.exists()
        pid = broker.pid
    assert pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped: terminate, wait
    assert not log.parent.exists()  # its temporary directory is gone
    with pytest.raises(BrokerError, match="not running"):
        _ = broker.bootstrap


def test_log_dir_is_kept_when_given(tmp_path: Path) -> None:
    _binary_or_skip()
    with EmbeddedBroker(log_dir=tmp_path / "logs", port=free_port()):
        pass
    assert "tansu" in (tmp_path / "logs" / "tansu.log").read_text()


def test_stops_even_when_the_block_fails() -> None:
    _binary_or_skip()
    broker = EmbeddedBroker()
    with pytest.raises(RuntimeError, match="boom"), broker:
        pid = broker.pid
        raise RuntimeError("boom")
    assert pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_missing_binary_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(BINARY_ENV, str(tmp_path / "no-tansu"))
    with pytest.raises(BrokerError, match=f"{BINARY_ENV}=.*not an executable"):
        EmbeddedBroker().start()


def test_a_binary_that_dies_at_startup_is_reported(tmp_path: Path) -> None:
    fake = tmp_path / "tansu"
    fake.write_text("#!/bin/sh\necho 'cannot bind' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(BrokerError, match=r"exited with code 3.*cannot bind"):
        EmbeddedBroker(binary=fake).start()


def test_a_binary_that_never_answers_times_out(tmp_path: Path) -> None:
    fake = tmp_path / "tansu"
    fake.write_text("#!/bin/sh\nexec sleep 30\n")
    fake.chmod(0o755)
    broker = EmbeddedBroker(binary=fake, startup_timeout_s=0.3)
    with pytest.raises(BrokerError, match="did not answer"):
        broker.start()
    assert broker.pid is None  # stopped on the way out


@pytest.mark.parametrize("holder", ["bound-socket", "listening-socket", "another-broker"])
def test_broker_on_a_taken_port_says_so_in_one_line_and_exits_1(holder: str) -> None:
    """Another broker on the port answered the readiness probe: the command said "broker listening" and ran on."""
    _binary_or_skip()
    with contextlib.ExitStack() as held:
        if holder == "another-broker":
            port = int(held.enter_context(EmbeddedBroker()).bootstrap.rsplit(":", 1)[1])
        else:
            sock = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            if holder == "listening-socket":
                sock.listen()
            port = sock.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "emitter", "broker", "--port", str(port)], capture_output=True, text=True, timeout=60
        )
    assert run.returncode == 1, run
    assert "listening" not in run.stdout
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    assert f"port {port} on 127.0.0.1 is already taken" in lines[0]
    assert "--port" in lines[0]  # how to fix it
