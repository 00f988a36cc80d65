"""Helpers shared by test modules (importable because pytest puts tests/ on sys.path).

The Avro decoder here uses fastavro and the scenario's schema files only (package data of
``emitter.scenarios.retail``), never emitter's own codec, so tests that use it check emitter's output
against an independent reader.

``small_config`` is the one small test world of the suite: the retail ``small`` preset.
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import tempfile
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import fastavro
from typer.testing import CliRunner

from emitter.config import Config, load_config
from emitter.sink.topic_reader import TopicRecord

ROOT = Path(__file__).resolve().parents[1]
RETAIL_PACKAGE = "emitter.scenarios.retail"
#: the ``topic_records`` fixture: ``topic_records(topic, timeout=30)`` → every record, read to the true end
ReadTopic = Callable[..., list[TopicRecord]]
SMALL_PRESET = "small"


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
