"""The demo's "query it further" line runs as printed, whatever quotes its SQL holds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from emitter.cli.demo import _python_snippet


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) AS n FROM ods.visits",
        "SELECT count(*) AS n FROM ods.visits WHERE kind = 'in'",
        "SELECT count(*) AS \"n\" FROM ods.visits WHERE kind = 'in'",
    ],
)
def test_the_printed_line_runs_in_a_shell(tmp_path: Path, sql: str) -> None:
    warehouse = tmp_path / "it's here.duckdb" if '"' in sql else tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA ods; CREATE TABLE ods.visits AS SELECT 'in' AS kind FROM range(7)")
    line = _python_snippet(str(warehouse), sql)
    assert line.startswith("python -c ")
    run = subprocess.run(
        ["bash", "-c", f'python() {{ "{sys.executable}" "$@"; }}; {line}'], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert re.search(r"│\s+7\s+│", run.stdout), run.stdout
