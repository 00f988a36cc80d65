"""``open_destination``: URL forms, and one readable line for bad URLs and unreachable databases."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from emitter.sink.destinations import (
    DestinationConnectionError,
    DestinationError,
    DestinationURLError,
    TableName,
    open_destination,
    shown,
)
from emitter.sink.destinations.postgres import parse_url


@pytest.mark.parametrize(
    "url", ["sqlite:///x.db", "warehouse.duckdb", "", "duckdb://x.duckdb", "duckdb:///", "mysql://u@h/db"]
)
def test_malformed_or_unknown_urls_are_refused_with_examples(url: str) -> None:
    with pytest.raises(DestinationURLError) as refused:
        open_destination(url)

    assert "\n" not in str(refused.value)
    assert "duckdb:///" in str(refused.value)


def test_a_relative_duckdb_path_is_created_with_its_parent_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    with open_destination("duckdb:///data/nested/warehouse.duckdb") as destination:
        assert destination.capabilities.supports_arrow_ingest

    assert (tmp_path / "data" / "nested" / "warehouse.duckdb").is_file()


def test_an_absolute_duckdb_path_and_memory(tmp_path: Path) -> None:
    with open_destination(f"duckdb:///{tmp_path}/abs.duckdb") as destination:
        assert destination.table_names() == []
    assert (tmp_path / "abs.duckdb").is_file()
    with open_destination("duckdb:///:memory:") as memory:
        assert memory.table_names(include_internal=True) == [
            "_emitter_dead_letters",
            "_emitter_loaded_files",
            "_emitter_offsets",
            "_emitter_origins",
        ]


def test_a_duckdb_file_held_by_another_process_says_how_to_fix_it(tmp_path: Path) -> None:
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(path)!r}); print('ready', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(DestinationConnectionError, match="another process") as refused:
            open_destination(f"duckdb:///{path}")
        assert "\n" not in str(refused.value)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_postgres_is_one_readable_line_without_the_password() -> None:
    url = f"postgresql://someone:s3cret@127.0.0.1:{_closed_port()}/db"

    with pytest.raises(DestinationConnectionError) as refused:
        open_destination(url)

    message = str(refused.value)
    assert "\n" not in message
    assert "s3cret" not in message and "someone:***@127.0.0.1" in message
    assert "check that the server runs" in message
    assert refused.value.__cause__ is not None


def test_postgres_urls_take_a_schema_parameter() -> None:
    assert parse_url("postgresql://u@h:5432/db?schema=sales") == ("postgresql://u@h:5432/db", "sales")
    assert parse_url("postgres://u@h/db?sslmode=disable") == ("postgres://u@h/db?sslmode=disable", "public")
    with pytest.raises(DestinationURLError, match="schema"):
        parse_url("postgresql://u@h/db?schema=")


def test_a_postgres_schema_is_created_and_used(pg_url: str) -> None:
    with open_destination(f"{pg_url}?schema=sales") as destination:
        assert destination.schema == "sales"
        assert destination.table_names() == []
        assert destination.query("SELECT current_schema() AS s").column("s").to_pylist() == ["sales"]
        assert set(destination.table_names(include_internal=True)) == {
            "_emitter_dead_letters",
            "_emitter_loaded_files",
            "_emitter_offsets",
            "_emitter_origins",
        }


def test_a_postgres_destination_without_a_schema_keeps_its_bookkeeping_in_public(pg_url: str) -> None:
    with open_destination(pg_url) as destination:
        assert destination.schema == "public"
        assert "_emitter_offsets" in destination.table_names(include_internal=True)


def test_data_tables_go_to_their_namespace_whatever_the_urls_schema(pg_url: str) -> None:
    receipts = TableName("retail", "receipts")
    with open_destination(f"{pg_url}?schema=sales") as destination:
        destination.write({receipts: pa.table({"id": pa.array([1, 2], pa.int32())})}, None, {("retail.receipts", 0): 2})
        assert destination.data_tables(["retail"]) == [receipts]
        assert destination.table_names() == []
    with open_destination(pg_url) as public:
        bookkeeping = ("_emitter_dead_letters", "_emitter_loaded_files", "_emitter_offsets", "_emitter_origins")
        assert public.data_tables(["retail", "sales", "public"]) == sorted(
            [receipts, *(TableName(schema, t) for schema in ("sales", "public") for t in bookkeeping)]
        )
        assert public.stored_offsets(["retail.receipts"]) == {}, "offsets live with the destination's schema"


def test_summaries_show_where_a_relative_duckdb_url_resolves_and_never_a_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert shown("duckdb:///tmp/w.duckdb") == f"duckdb:///tmp/w.duckdb ({tmp_path / 'tmp' / 'w.duckdb'})"
    assert shown("duckdb:////abs/w.duckdb") == "duckdb:////abs/w.duckdb"
    assert shown("duckdb:///:memory:") == "duckdb:///:memory:"
    assert shown("duckdb:///~/w.duckdb") == "duckdb:///~/w.duckdb"  # opened in the home directory, as it says
    assert shown("postgresql://u:secret@127.0.0.1/test") == "postgresql://u:***@127.0.0.1/test"


def test_a_duckdb_file_named_after_a_schema_is_refused_in_one_line(tmp_path: Path) -> None:
    """DuckDB names the database after the file: retail.duckdb would make retail.<table> ambiguous."""
    rows = pa.table({"id": [1, 2]})
    with open_destination(f"duckdb:///{tmp_path / 'retail.duckdb'}") as warehouse:
        with pytest.raises(DestinationError) as refused:
            warehouse.load_file(TableName("retail", "stores"), rows, "master/stores.parquet", "x")
        assert "name the file otherwise" in str(refused.value) and "\n" not in str(refused.value)
        warehouse.load_file(TableName("shop", "stores"), rows, "master/stores.parquet", "x")  # other schemas load
        assert warehouse.query("SELECT count(*) AS n FROM shop.stores").column("n")[0].as_py() == 2
