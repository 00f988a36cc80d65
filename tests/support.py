"""Helpers shared by test modules (importable because pytest puts tests/ on sys.path).

The Avro decoder here uses fastavro and schemas/ only, never emitter's own codec, so tests that use it
check emitter's output against an independent reader.
"""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import fastavro
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]


@cache
def retail_schemas() -> dict[bytes, tuple[str, Any]]:
    """CRC-64-AVRO fingerprint → (table, parsed schema) for every schemas/retail/*.avsc."""
    out = {}
    for path in (ROOT / "schemas" / "retail").glob("*.avsc"):
        raw = json.loads(path.read_text())
        canonical = fastavro.schema.to_parsing_canonical_form(raw)
        out[bytes.fromhex(fastavro.schema.fingerprint(canonical, "CRC-64-AVRO"))] = (
            path.stem,
            fastavro.parse_schema(raw),
        )
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
