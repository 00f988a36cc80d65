"""``emitter status`` and ``emitter clear``: help, the table they print, and clear's refusals.

Expected row counts are read from the written files themselves (``load_output``) or the scenario's own
reference tables, never from the manifest or warehouse figures the commands print.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from support import fails_with
from typer.testing import CliRunner

from emitter.backfill import run_backfill
from emitter.backfill.validate import load_output
from emitter.config import Config, load_config
from emitter.scenarios import scenario_class

DAY = date(2024, 3, 15)
RETAIL = scenario_class("retail").catalog()
WRITTEN = ["stores", "receipts"]  # a backfill of only these: every other retail table is absent


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, small_config: Config) -> Path:
    out = tmp_path_factory.mktemp("backfill") / "out"
    run_backfill(small_config, DAY, DAY, out, tables=WRITTEN)
    return out


@pytest.fixture
def out(written: Path, tmp_path: Path) -> Path:
    """A copy of the module's small backfill, for a test to clear."""
    return Path(shutil.copytree(written, tmp_path / "out"))


def _rows(out: Path) -> int:
    return sum(table.num_rows for table in load_output(out).values())


def _table_lines(output: str) -> dict[str, list[str]]:
    """table name → the cells of its row in the printed table."""
    rows = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip("│").split("│")]
        if len(cells) > 3:
            rows[f"{cells[0]}.{cells[1]}"] = cells
    return rows


@pytest.mark.parametrize("command", ["status", "clear"])
def test_help_names_both_sources_and_the_namespace_option(runner: CliRunner, command: str) -> None:
    from emitter.cli.app import app

    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    for option in ("DIR", "--warehouse", "--namespace", "--scenario"):
        assert option in result.stdout, option
    assert ("--confirm" in result.stdout) == (command == "clear")


def test_status_lists_every_declared_table_with_the_absent_ones_and_totals(
    isolated_runner: CliRunner, out: Path
) -> None:
    from emitter.cli.app import app

    result = isolated_runner.invoke(app, ["status", str(out)])

    assert result.exit_code == 0, result.output
    rows = _table_lines(result.stdout)
    for spec in RETAIL.tables:
        cells = rows[f"retail.{spec.name}"]
        assert (cells[3] == "absent") == (spec.name not in WRITTEN), cells
    files = load_output(out)
    assert rows["retail.stores"][3] == f"{files['stores'].num_rows:,}"
    assert rows["retail.receipts"][4:7] == ["1", str(DAY), str(DAY)]
    assert rows["retail.total"][3] == rows["all.total"][3] == f"{_rows(out):,}"


def test_clear_without_confirm_says_what_it_would_delete_and_deletes_nothing(
    isolated_runner: CliRunner, out: Path
) -> None:
    before = sorted(p for p in out.rglob("*"))

    line = fails_with(
        isolated_runner, ["clear", str(out)], f"would delete {_rows(out):,} rows in 2 tables", "--confirm"
    )

    assert "of scenario retail" in line
    assert sorted(p for p in out.rglob("*")) == before


def test_clear_with_confirm_removes_the_output_and_status_then_finds_none(
    isolated_runner: CliRunner, out: Path
) -> None:
    from emitter.cli.app import app

    rows = _rows(out)
    result = isolated_runner.invoke(app, ["clear", str(out), "--confirm"])

    assert result.exit_code == 0, result.output
    assert f"deleted {rows:,} rows in 2 tables" in result.stdout
    assert not out.exists()
    fails_with(isolated_runner, ["status", str(out)], "no _manifest.json")


def test_clear_refuses_a_directory_that_is_no_backfill_output(isolated_runner: CliRunner, tmp_path: Path) -> None:
    keep = tmp_path / "photos" / "holiday.jpg"
    keep.parent.mkdir()
    keep.write_bytes(b"jpeg")

    fails_with(isolated_runner, ["clear", str(keep.parent), "--confirm"], "no _manifest.json", "emitter backfill")

    assert keep.read_bytes() == b"jpeg"


def test_clear_refuses_an_unknown_namespace(isolated_runner: CliRunner, out: Path) -> None:
    fails_with(isolated_runner, ["clear", str(out), "--namespace", "nowhere", "--confirm"], "nowhere", "retail")
    assert (out / "_manifest.json").exists()


def test_a_warehouse_refuses_then_clears_and_loads_again_from_scratch(
    isolated_runner: CliRunner, out: Path, pg_url: str
) -> None:
    from emitter.cli.app import app

    rows = _rows(out)
    loaded = isolated_runner.invoke(app, ["load", str(out), "--warehouse", pg_url, "--quiet"])
    assert loaded.exit_code == 0, loaded.output

    fails_with(
        isolated_runner, ["clear", "--warehouse", pg_url], f"would delete {rows:,} rows in 2 tables", "--confirm"
    )
    status = isolated_runner.invoke(app, ["status", "--warehouse", pg_url])
    assert status.exit_code == 0, status.output
    assert _table_lines(status.stdout)["all.total"][3] == f"{rows:,}"
    assert "2 loaded files" in status.stdout

    cleared = isolated_runner.invoke(app, ["clear", "--warehouse", pg_url, "--confirm"])
    assert cleared.exit_code == 0, cleared.output
    status = isolated_runner.invoke(app, ["status", "--warehouse", pg_url, "--scenario", "retail"])
    assert all(_table_lines(status.stdout)[f"retail.{s.name}"][3] == "absent" for s in RETAIL.tables)
    again = isolated_runner.invoke(app, ["load", str(out), "--warehouse", pg_url, "--quiet"])
    assert again.exit_code == 0, again.output
    status = isolated_runner.invoke(app, ["status", "--warehouse", pg_url])  # no file was skipped as loaded
    assert _table_lines(status.stdout)["all.total"][3] == f"{rows:,}"


def test_a_warehouse_holding_two_scenarios_asks_which(
    isolated_runner: CliRunner, written: Path, tmp_path: Path
) -> None:
    from emitter.cli.app import app

    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    fitness = load_config(None, {"scenario": "fitness", "preset": "small"}, {})
    other = tmp_path / "fitness"
    run_backfill(fitness, DAY, DAY, other, tables=[scenario_class("fitness").catalog().tables[0].id])
    for source in (written, other):
        assert isolated_runner.invoke(app, ["load", str(source), "--warehouse", url, "--quiet"]).exit_code == 0

    fails_with(isolated_runner, ["status", "--warehouse", url], "fitness, retail", "--scenario")
    cleared = isolated_runner.invoke(app, ["clear", "--warehouse", url, "--scenario", "fitness", "--confirm"])
    assert cleared.exit_code == 0, cleared.output
    status = isolated_runner.invoke(app, ["status", "--warehouse", url])  # only retail is left: no question
    assert status.exit_code == 0, status.output
    assert _table_lines(status.stdout)["all.total"][3] == f"{_rows(written):,}"
