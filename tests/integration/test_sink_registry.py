"""Confluent-framed topics and the registry the sink asks: only a registry's "no such id" makes dead letters.

A registry that can't be reached is a transient fault: the sink stops with exit 1 and commits nothing.
The registry here is a tiny real HTTP server that answers as a schema registry does.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from support import http_server

from emitter.config import Config
from emitter.sink.destinations import open_destination
from emitter.sink.topic_reader import read_topic
from emitter.stream.runner import StreamSettings
from emitter.stream.session import Delivery, stream
from emitter.stream.targets import TargetOptions


class _Registry(BaseHTTPRequestHandler):
    """``GET /schemas/ids/<id>``: the schema if known, else the registry's 404 (error code 40403)."""

    schemas: Mapping[int, str] = {}

    def do_GET(self) -> None:
        prefix = "/schemas/ids/"
        path = self.path.split("?", 1)[0]
        known = path.startswith(prefix) and path[len(prefix) :].isdigit() and int(path[len(prefix) :]) in self.schemas
        if known:
            self._answer(200, {"schema": self.schemas[int(path[len(prefix) :])]})
        else:
            self._answer(404, {"error_code": 40403, "message": "Schema not found"})

    def _answer(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def registry_server() -> Iterator[str]:
    """The URL of a reachable registry that knows no schema."""
    with http_server(_Registry) as url:
        yield url


@pytest.fixture
def framed_topic(kafka_bootstrap: str, small_config: Config) -> tuple[str, int]:
    """(prefix, messages): receipts in the Confluent wire format, their ids from an in-memory registry."""
    prefix = f"r{uuid.uuid4().hex[:8]}."
    registry = SchemaRegistryClient.new_client({"url": f"mock://{uuid.uuid4().hex[:8]}"})
    stream(
        small_config,
        StreamSettings(
            tables=("receipts",), topic_prefix=prefix, start=datetime(2024, 3, 5, 9), end=datetime(2024, 3, 5, 12),
            speed=float("inf"),
        ),
        Delivery(options=TargetOptions(bootstrap_servers=kafka_bootstrap), schema_registry=registry, partitions=2),
    )  # fmt: skip
    read = read_topic(kafka_bootstrap, prefix + "receipts")
    assert read.complete and len(read) > 0
    assert all(value is not None and value[:1] == b"\x00" for value in read.values), "not Confluent-framed"
    return prefix, len(read)


def _sink(bootstrap: str, prefix: str, url: str, registry: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-m", "emitter", "sink", "--bootstrap-servers", bootstrap, "--topics", f"{prefix}*",
            "--warehouse", url, "--group", f"g-{uuid.uuid4().hex[:8]}", "--quiet", "--scenario", "retail",
            "--schema-registry", registry, "--until-idle", "2s",
        ],
        cwd=cwd, timeout=180, capture_output=True, text=True,
    )  # fmt: skip


def _counts(url: str, topic: str) -> tuple[int, int, dict[tuple[str, int], int]]:
    """(rows, dead letters, stored offsets) of ``topic`` in the warehouse."""
    with open_destination(url) as d:
        tables = d.data_tables(["retail"])
        rows = (
            int(d.query(f"SELECT count(*) AS n FROM retail.receipts WHERE _topic = '{topic}'").column("n")[0].as_py())
            if any(t.name == "receipts" for t in tables)
            else 0
        )
        dead = d.query(f"SELECT count(*) AS n FROM _emitter_dead_letters WHERE topic = '{topic}'")
        return rows, int(dead.column("n")[0].as_py()), d.stored_offsets([topic])


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_registry_stops_the_sink_and_commits_nothing(
    kafka_bootstrap: str, framed_topic: tuple[str, int], tmp_path: Path
) -> None:
    prefix, _ = framed_topic
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"

    run = _sink(kafka_bootstrap, prefix, url, f"http://127.0.0.1:{_unused_port()}", tmp_path)

    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: schema registry: can't look up schema id"), run.stderr
    assert "nothing of this batch was committed" in lines[0]
    assert _counts(url, prefix + "receipts") == (0, 0, {})


def test_a_registry_that_answers_no_such_id_sends_the_events_to_dead_letters(
    kafka_bootstrap: str, framed_topic: tuple[str, int], registry_server: str, tmp_path: Path
) -> None:
    prefix, messages = framed_topic
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"

    run = _sink(kafka_bootstrap, prefix, url, registry_server, tmp_path)

    assert run.returncode == 0, run.stderr
    rows, dead, stored = _counts(url, prefix + "receipts")
    assert (rows, dead) == (0, messages)
    assert sum(stored.values()) == messages
    with open_destination(url) as d:
        reasons = set(d.query("SELECT DISTINCT reason FROM _emitter_dead_letters").column("reason").to_pylist())
    assert reasons and all("no schema with id" in r for r in reasons), reasons
