from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from emitter.formats import jsonl, writer_for


def _expected(value: Any) -> Any:
    """The value as JSON Lines represents it, parsed with Decimal floats."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _read_back(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "", "every line, the last included, ends with a newline"
    return [json.loads(line, parse_float=Decimal) for line in lines[:-1]]


def test_jsonl_round_trip(mixed_table: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    writer_for("jsonl").write(mixed_table, path)

    rows = _read_back(path)
    expected = [{key: _expected(value) for key, value in row.items()} for row in mixed_table.to_pylist()]
    assert rows == expected
    assert [list(row) for row in rows] == [mixed_table.column_names] * mixed_table.num_rows


def test_decimals_keep_their_exact_digits(mixed_table: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    writer_for("jsonl").write(mixed_table, path)

    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert '"money":0.00' in first and '"rate":0.0825' in first
    assert '"event_ts":"2024-01-01T00:00:00.000000Z"' in first


def test_strings_without_control_characters_match_json_dumps(tmp_path: Path) -> None:
    values = ['say "hi"', "back\\slash", "unicode ☕ and \u2028", "/slash/"]
    table = pa.table({"s": pa.array(values)})
    path = tmp_path / "t.jsonl"
    writer_for("jsonl").write(table, path)

    # split("\n"), not splitlines(): U+2028 is a line break to Python but plain text to JSON Lines.
    assert path.read_text(encoding="utf-8").split("\n")[:-1] == [
        "{" + f'"s":{json.dumps(v, ensure_ascii=False)}' + "}" for v in values
    ]


def test_non_finite_floats_become_null(tmp_path: Path) -> None:
    table = pa.table({"x": pa.array([float("nan"), float("inf"), 1.5])})
    path = tmp_path / "t.jsonl"
    writer_for("jsonl").write(table, path)

    assert [row["x"] for row in _read_back(path)] == [None, None, Decimal("1.5")]


def test_many_batches_and_sliced_input(mixed_table: pa.Table, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(jsonl, "BATCH_ROWS", 2)
    sliced = mixed_table.slice(1, 5)
    path = tmp_path / "t.jsonl"
    writer_for("jsonl").write(sliced, path)

    assert len(_read_back(path)) == 5
    assert _read_back(path)[0]["small"] == sliced.column("small")[0].as_py()


def test_jsonl_is_deterministic_and_empty_tables_write_empty_files(mixed_table: pa.Table, tmp_path: Path) -> None:
    fmt = writer_for("jsonl")
    assert fmt.write(mixed_table, tmp_path / "a.jsonl").sha256 == fmt.write(mixed_table, tmp_path / "b.jsonl").sha256
    assert fmt.write(mixed_table.slice(0, 0), tmp_path / "e.jsonl").bytes == 0
