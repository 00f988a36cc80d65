"""``--http`` on the commands: the option's optional value, the help, and a real stream served over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from support import write_small_config
from typer.testing import CliRunner

from emitter.cli.app import app
from emitter.cli.options import with_optional_values

HANG_GUARD_S = 60.0


def test_http_alone_means_the_loopback_default_and_a_value_is_kept() -> None:
    assert with_optional_values(["--http"]) == ["--http=127.0.0.1:9100"]
    assert with_optional_values(["--http", "--duration", "5s"]) == ["--http=127.0.0.1:9100", "--duration", "5s"]
    assert with_optional_values(["--http", "0.0.0.0:9200", "--quiet"]) == ["--http", "0.0.0.0:9200", "--quiet"]
    assert with_optional_values(["--http=:9300"]) == ["--http=:9300"]
    assert with_optional_values(["--", "--http"]) == ["--", "--http"]


@pytest.mark.parametrize("command", ["stream", "sink", "demo"])
def test_every_command_with_http_documents_it(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--http" in result.output and "127.0.0.1:9100" in result.output
    if command != "sink":
        assert "--http-token" in result.output


def test_a_bad_http_address_is_one_line(tmp_path: Path) -> None:
    config = write_small_config(tmp_path / "config.json")
    result = CliRunner().invoke(
        app, ["stream", "--http", "nowhere:port", "--duration", "1s", "--config", str(config), "--quiet"]
    )
    assert result.exit_code == 1
    assert "--http: 'nowhere:port' is not HOST:PORT" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(url: str, method: str = "GET", body: object = None, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(), method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_emitter_stream_with_http_serves_and_obeys_the_token_from_the_environment(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    token = uuid.uuid4().hex
    args = ["stream", "--http", f"127.0.0.1:{port}", "--duration", "60s", "--emit-interval-ms", "100"]
    args += ["--burst", "5", "--tables", "receipts", "--quiet", "--bootstrap-servers", kafka_bootstrap]
    args += ["--topic-prefix", f"c{uuid.uuid4().hex[:8]}.", "--config", str(write_small_config(tmp_path / "c.json"))]
    process = subprocess.Popen(
        [sys.executable, "-m", "emitter", *args],
        env={**os.environ, "EMITTER_HTTP_TOKEN": token},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + HANG_GUARD_S
        while True:
            try:
                if _call(f"{url}/readyz")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "hang guard: never ready"
            time.sleep(0.1)
        assert _call(f"{url}/healthz") == (200, {"status": "ok"})
        assert _call(f"{url}/control", "POST", {"action": "pause"})[0] == 401
        status, state = _call(f"{url}/control", "POST", {"action": "pause"}, token)
        assert status == 200 and state["mode"] == "live"
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=HANG_GUARD_S)
    assert process.returncode == 0, err
    assert "info: stream control: pause" in err  # a change is logged where the user sees it
