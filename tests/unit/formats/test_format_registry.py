from __future__ import annotations

import pytest

from emitter.errors import ConfigError
from emitter.formats import DEFAULT_FORMAT, FORMATS, writer_for


def test_registry_names_and_extensions() -> None:
    assert DEFAULT_FORMAT == "parquet"
    assert {name: fmt.extension for name, fmt in FORMATS.items()} == {
        "parquet": "parquet",
        "csv": "csv",
        "jsonl": "jsonl",
        "avro": "avro",
    }


def test_lookup_ignores_case() -> None:
    assert writer_for("CSV") is FORMATS["csv"]


def test_unknown_format_lists_the_choices() -> None:
    with pytest.raises(ConfigError, match="unknown format 'xml'; choose one of parquet, csv, jsonl, avro"):
        writer_for("xml")
