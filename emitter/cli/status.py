"""``emitter status`` and ``emitter clear``: a scenario's rows in backfill output or a warehouse, and deleting them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emitter.backfill.status import backfill_holdings, clear_backfill
from emitter.backfill.validate import expect_scenario
from emitter.cli.options import ConfigPathOption, build_config
from emitter.cli.output import command_console, result_table
from emitter.cli.warehouse_source import WarehouseURLOption, one_source
from emitter.errors import ConfigError
from emitter.scenarios import scenario_class
from emitter.scenarios.holdings import Holdings, TableHolding, all_namespaces, quantity
from emitter.sink.destinations import Destination, shown
from emitter.sink.status import WarehouseHoldings, clear_warehouse, held_scenario, warehouse_holdings
from emitter.sink.warehouse_scope import open_warehouse

_MB = 1_000_000

OutDirArgument = Annotated[
    Path | None,
    typer.Argument(
        help="A directory written by `emitter backfill` (or give --warehouse).", metavar="DIR", show_default=False
    ),
]
NamespaceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--namespace",
        help="Only this namespace of the scenario (repeatable); `emitter tables` shows each table's.",
        show_default=False,
    ),
]
WarehouseScenarioOption = Annotated[
    str | None,
    typer.Option(
        "--scenario",
        help="Business domain. DIR: read from its manifest (must match if given). --warehouse: the one it "
        "holds; needed when it holds several.",
        envvar="EMITTER_SCENARIO",
        show_default=False,
    ),
]


def status(
    out: OutDirArgument = None,
    warehouse: WarehouseURLOption = None,
    namespaces: NamespaceOption = None,
    scenario: WarehouseScenarioOption = None,
    config_path: ConfigPathOption = None,
) -> None:
    """Show the rows per table of a scenario, per namespace with totals, in backfill output or a warehouse.

    Every declared table is listed; one the output or warehouse lacks shows as absent. Per-day tables
    show the days their rows cover. DIR also shows files and MB from its manifest; --warehouse also the
    loaded files, stored offsets and dead letters emitter keeps of these tables.
    """
    one_source(out, warehouse, [], "status")
    if out is not None:
        expect_scenario(out, scenario)
        found = backfill_holdings(out, namespaces)
        _print(f"{found.holdings.scenario} in {out} ({found.format}, seed {found.seed})", found.holdings, files=True)
        typer.echo(f"{quantity(found.holdings.files, 'file')}, {found.holdings.bytes / _MB:,.1f} MB")
        return
    assert warehouse is not None
    with open_warehouse(warehouse) as destination:
        held = _warehouse_holdings(destination, scenario, config_path, namespaces)
    _print(f"{held.holdings.scenario} in {shown(warehouse)}", held.holdings, files=False)
    typer.echo(f"bookkeeping: {held.bookkeeping.describe()}")


def clear(
    out: OutDirArgument = None,
    warehouse: WarehouseURLOption = None,
    confirm: Annotated[bool, typer.Option("--confirm", help="Really delete; without it nothing is deleted.")] = False,
    namespaces: NamespaceOption = None,
    scenario: WarehouseScenarioOption = None,
    config_path: ConfigPathOption = None,
) -> None:
    """Delete a scenario's data: a backfill output's files and manifest, or a warehouse's tables and bookkeeping.

    Without --confirm it says what it would delete and exits 1. DIR must hold a backfill manifest; files
    it doesn't list stay. --warehouse drops the scenario's tables and forgets their loaded files, stored
    offsets, dead letters and recorded runs, so a following `emitter load` or `sink` starts clean.
    --namespace limits either to some namespaces (a directory keeps its manifest for the rest).
    """
    one_source(out, warehouse, [], "clear")
    if out is not None:
        expect_scenario(out, scenario)
        found = backfill_holdings(out, namespaces).holdings
        if not confirm:
            raise ConfigError(f"clear: would delete {_files_of(found, out, namespaces)}; pass --confirm to delete them")
        cleared = clear_backfill(out, namespaces)
        typer.echo(f"deleted {_files_of(cleared.removed, out, namespaces)}")
        if cleared.kept:
            typer.echo(f"left {quantity(cleared.kept, 'file')} in {out} that the backfill did not write")
        return
    assert warehouse is not None
    with open_warehouse(warehouse) as destination:
        held = _warehouse_holdings(destination, scenario, config_path, namespaces)
        what = f"{held.holdings.describe()} from {shown(warehouse)} (and {held.bookkeeping.describe()})"
        if not confirm:
            raise ConfigError(f"clear: would delete {what}; pass --confirm to delete them")
        clear_warehouse(destination, scenario_class(held.holdings.scenario).catalog(), namespaces)
    typer.echo(f"deleted {what}")


def _warehouse_holdings(
    destination: Destination, scenario: str | None, config_path: Path | None, namespaces: list[str] | None
) -> WarehouseHoldings:
    configured = build_config(config_path, {}).scenario
    name = held_scenario(destination, scenario, configured)
    return warehouse_holdings(destination, scenario_class(name).catalog(), namespaces)


def _files_of(holdings: Holdings, out: Path, namespaces: list[str] | None) -> str:
    """``1,234 rows in 5 tables of scenario retail from out (20 files and its manifest)``."""
    manifest = " and its manifest" if all_namespaces(scenario_class(holdings.scenario).catalog(), namespaces) else ""
    return f"{holdings.describe()} from {out} ({quantity(holdings.files, 'file')}{manifest})"


def _print(title: str, holdings: Holdings, files: bool) -> None:
    listing = result_table(title)
    columns = ["namespace", "table", "kind", "rows", "days", "first day", "last day"]
    for name in columns + (["files", "MB"] if files else []):
        listing.add_column(name, justify="right" if name in ("rows", "days", "files", "MB") else "left")
    for namespace, tables in holdings.by_namespace().items():
        for table in tables:
            listing.add_row(namespace, table.spec.name, table.spec.kind.value, *_cells(table, files))
        listing.add_row(namespace, "total", "", *_total(tables, files), style="bold", end_section=True)
    listing.add_row("all", "total", "", *_total(holdings.tables, files), style="bold")
    command_console().print(listing)


def _cells(table: TableHolding, files: bool) -> list[str]:
    if not table.present:
        return ["absent", "", "", ""] + (["", ""] if files else [])
    days = [f"{table.days:,}", str(table.first_day), str(table.last_day)] if table.first_day else ["", "", ""]
    sizes = [f"{table.files or 0:,}", f"{(table.bytes or 0) / _MB:,.1f}"] if files else []
    return [f"{table.rows or 0:,}", *days, *sizes]


def _total(tables: tuple[TableHolding, ...], files: bool) -> list[str]:
    firsts = [t.first_day for t in tables if t.first_day]
    lasts = [t.last_day for t in tables if t.last_day]
    span = [str(min(firsts)), str(max(lasts))] if firsts and lasts else ["", ""]
    sizes = (
        [f"{sum(t.files or 0 for t in tables):,}", f"{sum(t.bytes or 0 for t in tables) / _MB:,.1f}"] if files else []
    )
    return [f"{sum(t.rows or 0 for t in tables):,}", "", *span, *sizes]
