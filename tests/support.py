"""Helpers shared by test modules (importable because pytest puts tests/ on sys.path).

The Avro decoder here uses fastavro and the scenario's schema files only (package data of
``emitter.scenarios.retail``), never emitter's own codec, so tests that use it check emitter's output
against an independent reader.

``small_config`` is the one small test world of the suite: the retail ``small`` preset.

``ProcessTree`` reads the process table (/proc) to check that nothing a command started outlives it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import fastavro
from typer.testing import CliRunner

from emitter.config import Config, load_config
from emitter.sink.topic_reader import TopicRecord
from emitter.stream.runner import StreamSettings
from emitter.stream.session import Delivery, StreamResult, stream
from emitter.stream.targets import TargetOptions

ROOT = Path(__file__).resolve().parents[1]
RETAIL_PACKAGE = "emitter.scenarios.retail"
#: the ``topic_records`` fixture: ``topic_records(topic, timeout=30)`` → every record, read to the true end
ReadTopic = Callable[..., list[TopicRecord]]
SMALL_PRESET = "small"


# A record with a JSON column and a nullable one: the shape the JSON-column tests share.
JSON_STRING = {"type": "string", "logicalType": "json"}
JSON_PRODUCT_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "product",
    "namespace": "emitter.shop",
    "fields": [
        {"name": "sku", "type": "string"},
        {"name": "attributes", "type": JSON_STRING},
        {"name": "ship_to", "type": ["null", JSON_STRING]},
    ],
}


def small_config(retail: Mapping[str, Any] | None = None, **shared: Any) -> Config:
    """The small retail world (the ``small`` preset), as flags alone give it: no ./config.json, no EMITTER_*.

    Args:
        retail: retail settings on top of the preset, e.g. ``{"volume": {"customers": 100_000}}``.
        shared: shared config values, e.g. ``seed=7``.
    """
    overrides: dict[str, Any] = {"preset": SMALL_PRESET, **shared}
    if retail:
        overrides["retail"] = dict(retail)  # explicit values win over the preset's
    with tempfile.TemporaryDirectory() as empty, contextlib.chdir(empty):
        return load_config(path=None, overrides=overrides, environ={})


def write_small_config(path: Path, **shared: Any) -> Path:
    """A config file selecting the small world (plus ``shared`` sections, e.g. ``paths``); returns ``path``."""
    path.write_text(json.dumps({"preset": SMALL_PRESET, **shared}))
    return path


@cache
def retail_schemas() -> dict[bytes, tuple[str, Any]]:
    """CRC-64-AVRO fingerprint → (table, parsed schema) for every retail ``schemas/*.avsc``."""
    out = {}
    for entry in resources.files(RETAIL_PACKAGE).joinpath("schemas").iterdir():
        if not entry.name.endswith(".avsc"):
            continue
        raw = json.loads(entry.read_text())
        canonical = fastavro.schema.to_parsing_canonical_form(raw)
        out[bytes.fromhex(fastavro.schema.fingerprint(canonical, "CRC-64-AVRO"))] = (
            entry.name.removesuffix(".avsc"),
            fastavro.parse_schema(raw),
        )
    assert out, f"no schemas in {RETAIL_PACKAGE}"
    return out


def decode_single_object(value: bytes, table: str | None = None) -> tuple[str, dict[str, Any]]:
    """(table, record) of an Avro single-object message; with ``table``, also assert it is that table's."""
    assert value[:2] == b"\xc3\x01", "not Avro single-object encoding"
    name, schema = retail_schemas()[value[2:10]]
    assert table is None or name == table, (name, table)
    record: dict[str, Any] = fastavro.schemaless_reader(io.BytesIO(value[10:]), schema)
    return name, record


def fails_with(runner: CliRunner, args: list[str], *fragments: str) -> str:
    """Run the CLI and assert a user mistake: exit 1, one ``error:`` line holding every fragment, no traceback."""
    from emitter.cli.app import app

    result = runner.invoke(app, args)
    assert result.exit_code == 1, (result.output, result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), (result.stderr, result.exception)
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def default_sigint() -> None:
    """A ``preexec_fn``: the child starts with SIGINT at its default, as under a terminal.

    A shell runs background jobs with SIGINT ignored, the ignore is inherited through exec, and Python then
    installs no KeyboardInterrupt handler; so a test that presses Ctrl-C must not depend on how the suite
    itself was started.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class ManifestDiskFull:
    """Make the manifest's temp file land on ``/dev/full`` after ``allowed`` writes, so writing it fails with ENOSPC.

    The fault sits at the OS boundary: ``os.open`` of a temp file named after ``_manifest.json`` opens
    ``/dev/full`` instead, and the kernel refuses the bytes as a full disk would. Data files are untouched.
    Install with ``monkeypatch.setattr(os, "open", ManifestDiskFull(allowed))``.
    """

    def __init__(self, allowed: int = 0) -> None:
        self.allowed = allowed
        self.refused = 0
        self._open = os.open

    def __call__(self, path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        name = os.path.basename(os.fsdecode(path))
        if name.startswith("._manifest.json.") and flags & os.O_CREAT:
            if self.allowed > 0:
                self.allowed -= 1
            else:
                self.refused += 1
                fd = self._open(path, flags, mode, dir_fd=dir_fd)  # the temp file exists, as on a full disk
                os.close(fd)
                return self._open("/dev/full", os.O_WRONLY)
        return self._open(path, flags, mode, dir_fd=dir_fd)


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name: state first, start time at index 19; None when gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_state(pid: int) -> str | None:
    """The state letter of a process (R, S, T stopped, Z zombie, ...), or None when there is no such pid."""
    fields = _stat_fields(pid)
    return fields[0] if fields else None


def _children(pid: int) -> set[int]:
    kids: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids |= {int(kid) for kid in (task / "children").read_text().split()}
        except OSError:
            continue
    return kids


@dataclass(frozen=True)
class ProcessTree:
    """A process's descendants at one moment (children, theirs, ...), each known by pid and start time.

    The start time tells a process from a later one that got its pid back.
    """

    processes: dict[int, tuple[str, str]]  # pid → (start time, command line)

    @classmethod
    def of(cls, pid: int) -> ProcessTree:
        found: dict[int, tuple[str, str]] = {}
        todo = [pid]
        while todo:
            for kid in _children(todo.pop()):
                fields = _stat_fields(kid)
                if kid in found or fields is None:
                    continue
                try:
                    command = Path(f"/proc/{kid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
                except OSError:
                    continue
                found[kid] = (fields[19], command)
                todo.append(kid)
        return cls(found)

    def commands(self) -> list[str]:
        return [command for _, command in self.processes.values()]

    def matching(self, fragment: str) -> ProcessTree:
        """The members whose command line holds ``fragment``."""
        return ProcessTree({pid: p for pid, p in self.processes.items() if fragment in p[1]})

    def running(self) -> dict[int, str]:
        """The members still running (a zombie, dead but not yet reaped, counts as gone): pid → command."""
        out = {}
        for pid, (started, command) in self.processes.items():
            fields = _stat_fields(pid)
            if fields is not None and fields[0] != "Z" and fields[19] == started:
                out[pid] = command
        return out

    def running_after(self, seconds: float) -> dict[int, str]:
        """The members still running once ``seconds`` have passed, or none as soon as every one is gone."""
        deadline = time.monotonic() + seconds
        while (left := self.running()) and time.monotonic() < deadline:
            time.sleep(0.05)
        return left

    def kill(self) -> None:
        """SIGKILL every member still running (a failed test must not leave them behind)."""
        for pid in self.running():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of a real HTTP server answering with ``handler`` in a thread, while the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, name="test-http", daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def replay_into_topics(
    config: Config,
    bootstrap: str,
    tables: Sequence[str],
    prefix: str,
    start: datetime,
    end: datetime,
    partitions: int = 3,
) -> StreamResult:
    """Replay ``config``'s model from ``start`` to ``end`` at full speed into the topics ``prefix`` + table."""
    return stream(
        config,
        StreamSettings(tables=tuple(tables), topic_prefix=prefix, start=start, end=end, speed=float("inf")),
        Delivery(options=TargetOptions(bootstrap_servers=bootstrap), partitions=partitions),
    )


def without_schema(url: str, database: str | None = None) -> str:
    """``url`` without emitter's ``?schema=`` (libpq doesn't know it), on ``database`` if given."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "schema"])
    return urlunsplit(parts._replace(query=query, path=parts.path if database is None else f"/{database}"))


@contextlib.contextmanager
def fresh_pg_database(pg_dsn: str) -> Iterator[str]:
    """A new PostgreSQL database on ``pg_dsn``'s server (its URL, no ``?schema=``), dropped afterwards."""
    import uuid

    import psycopg

    database = f"t_{uuid.uuid4().hex[:12]}"
    server = without_schema(pg_dsn)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        yield without_schema(pg_dsn, database)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@contextlib.contextmanager
def fresh_pg_databases(pg_dsn: str) -> Iterator[str]:
    """A database-per-namespace URL (``…/t_<hex>_{namespace}``) on ``pg_dsn``'s server; every database it
    made (``t_<hex>_*``) is dropped afterwards."""
    import uuid

    import psycopg

    prefix = f"t_{uuid.uuid4().hex[:12]}_"
    server = without_schema(pg_dsn)
    try:
        yield without_schema(pg_dsn, prefix + "{namespace}")
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            made = conn.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]).fetchall()
            for (database,) in made:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def namespace_database(template: str, namespace: str) -> str:
    """The libpq URL of ``namespace``'s database under a ``fresh_pg_databases`` template."""
    return template.replace("{namespace}", namespace)
