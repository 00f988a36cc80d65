"""Piped or redirected, a command's tables keep every character: no cut to 80 columns, no wrapping."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from emitter.scenarios.retail import RetailScenario


def test_piped_tables_listing_keeps_every_doc_on_its_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    run = subprocess.run(
        [sys.executable, "-m", "emitter", "tables", "--scenario", "retail"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert run.returncode == 0, run.stderr
    catalog = RetailScenario.catalog()
    docs = [f["doc"] for spec in catalog.tables for f in catalog.avro(spec)["fields"] if f.get("doc")]
    cells = {cell.strip() for line in run.stdout.splitlines() for cell in line.split("│")}
    assert [doc for doc in docs if doc not in cells] == []
    assert "…" not in run.stdout
    assert max(map(len, run.stdout.splitlines())) > 80, "the listing was fitted to 80 columns"
