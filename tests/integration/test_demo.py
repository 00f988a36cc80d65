"""``emitter demo`` as a user runs it: bundled broker → stream → sink → DuckDB, a report, and Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from support import ProcessTree

from emitter.scenarios.retail import RetailScenario

ENV = {**os.environ, "COLUMNS": "200"}
CATALOG = RetailScenario.catalog()
# the warehouse holds retail's tables in the schema of their namespace: retail.receipts, ...
REFERENCE = {f"{t.namespace}.{t.name}" for t in CATALOG.reference}
PER_DAY = {f"{t.namespace}.{t.name}" for t in CATALOG.per_day}


def _demo(warehouse: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "emitter", "demo", "--warehouse", str(warehouse), *args]


def _printed_rows(stdout: str) -> dict[str, int]:
    """The ``rows in <warehouse>`` listing: schema.table → rows."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("rows in "))
    rows = {}
    for line in lines[start + 1 :]:
        if line.startswith("└"):
            break
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) == 2 and cells[1].replace(",", "").isdigit():
            rows[cells[0]] = int(cells[1].replace(",", ""))
    return rows


def _number(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    assert match, (pattern, text)
    return int(match.group(1).replace(",", ""))


def _warehouse_counts(warehouse: Path) -> tuple[dict[str, int], int]:
    """Rows per schema.table, and rows that came from Kafka (``_topic`` set), read with plain duckdb."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        assert {t for s, t in names if s == "main"} == {
            "_emitter_offsets",
            "_emitter_dead_letters",
            "_emitter_loaded_files",
            "_emitter_origins",
        }, "only emitter's bookkeeping in the warehouse's own schema"
        tables = sorted(f"{s}.{t}" for s, t in names if s != "main")
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}
        from_kafka = sum(
            con.execute(f"SELECT count(*) FROM {t} WHERE _topic IS NOT NULL").fetchall()[0][0] for t in tables
        )
    return counts, from_kafka


def test_demo_streams_into_duckdb_and_reports_what_landed(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    run = subprocess.run(
        _demo(warehouse, "--duration", "3s"), cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    out = run.stdout
    printed = _printed_rows(out)
    for title in RetailScenario.demo.queries:
        assert title in out
    assert "query it further" in out

    streamed = _number(r"streamed ([\d,]+) events", out)
    delivered = _number(r"delivered ([\d,]+)", out)
    loaded = _number(r"sink loaded ([\d,]+) rows", out)
    assert streamed > 0
    assert streamed == delivered == loaded
    assert _number(r"([\d,]+) dead letters", out) == 0

    counts, from_kafka = _warehouse_counts(warehouse)
    assert counts == printed
    assert printed["retail.receipts"] > 0
    assert set(counts) >= REFERENCE
    facts = set(counts) - REFERENCE
    assert facts <= PER_DAY and "retail.receipts" in facts
    assert sum(counts[t] for t in facts) == from_kafka == streamed


def test_demo_that_streams_no_receipts_still_reports(tmp_path: Path) -> None:
    """At 1x for 1 s hardly any event happens; the sample queries must not fail on the tables that didn't arrive.

    Today: exit 1, ``error: duckdb:///…/w.duckdb: query failed: Catalog Error: Table with name receipts does not
    exist!`` and no report at all.
    """
    warehouse = tmp_path / "w.duckdb"
    run = subprocess.run(
        _demo(warehouse, "--duration", "1s", "--speed", "1"),
        cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "error:" not in run.stderr
    counts, _ = _warehouse_counts(warehouse)
    assert _printed_rows(run.stdout) == counts


def _start_and_interrupt(tmp_path: Path, whole_group: bool) -> tuple[subprocess.Popen[str], Path, ProcessTree]:
    """Start a 30 s demo, wait until it streams (its warehouse exists, so Ctrl-C is handled), then press Ctrl-C.

    ``whole_group`` sends SIGINT to the whole process group, as a terminal's Ctrl-C does.
    """
    warehouse = tmp_path / "w.duckdb"
    began = time.monotonic()
    process = subprocess.Popen(
        _demo(warehouse, "--duration", "30s"),
        cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = began + 60
    brokers = ProcessTree({})
    while time.monotonic() < deadline and not (brokers.processes and warehouse.exists()):
        assert process.poll() is None, process.communicate()
        brokers = ProcessTree.of(process.pid).matching("tansu")
        time.sleep(0.05)
    assert brokers.processes, "the demo started no broker"
    time.sleep(max(0.0, began + 2.0 - time.monotonic()))
    if whole_group:
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    return process, warehouse, brokers


def _finish(process: subprocess.Popen[str], timeout: float) -> tuple[str, str]:
    try:
        return process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: the demo and everything it started
        _, err = process.communicate()
        pytest.fail(f"the demo did not stop within {timeout:g}s of Ctrl-C; stderr: {err[-2000:]}")


def _assert_stopped_cleanly(
    process: subprocess.Popen[str], out: str, err: str, warehouse: Path, brokers: ProcessTree
) -> None:
    assert process.returncode in (0, 130), err
    assert "Traceback" not in err
    assert "error:" not in err, err
    assert not brokers.running(), "the broker outlived the demo"
    counts, from_kafka = _warehouse_counts(warehouse)  # readable: nothing holds the file any more
    assert set(counts) >= REFERENCE
    if process.returncode == 0:
        assert _printed_rows(out) == counts
        assert from_kafka == _number(r"sink loaded ([\d,]+) rows", out)


def test_sigint_stops_the_demo_cleanly(tmp_path: Path) -> None:
    """SIGINT to the demo process alone (``kill -INT``): it stops streaming, reports, and stops its broker."""
    process, warehouse, brokers = _start_and_interrupt(tmp_path, whole_group=False)
    out, err = _finish(process, timeout=30)
    _assert_stopped_cleanly(process, out, err, warehouse, brokers)


def test_ctrl_c_in_a_terminal_stops_the_demo_cleanly(tmp_path: Path) -> None:
    """Ctrl-C in a terminal signals the whole process group: the broker and the generator process get it too.

    Today the broker dies at once, and the demo either fails with ``error: KeyboardInterrupt:`` (the generator
    process) or hangs in the producer's final flush to the dead broker (``message.timeout.ms``, 5 minutes).
    """
    process, warehouse, brokers = _start_and_interrupt(tmp_path, whole_group=True)
    out, err = _finish(process, timeout=15)
    _assert_stopped_cleanly(process, out, err, warehouse, brokers)
