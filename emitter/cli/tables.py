"""``emitter tables``: the scenario's tables and their columns, read from its Avro schemas."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from emitter.cli.options import ConfigPathOption, ScenarioOption, build_config, split_names
from emitter.cli.output import command_console, result_table
from emitter.scenarios import scenario_class


def tables(
    names: Annotated[
        str | None,
        typer.Option("--table", help="Comma-separated tables to show (default: all).", show_default=False),
    ] = None,
    scenario: ScenarioOption = None,
    config_path: ConfigPathOption = None,
) -> None:
    """List the scenario's tables (kind, namespace) with each column's type and meaning."""
    config = build_config(config_path, {}, scenario)
    catalog = scenario_class(config.scenario).catalog()
    console = command_console()
    for spec in catalog.select(split_names(names, "--table")):
        avro = catalog.avro(spec)
        quiet = ", streamed only when named" if spec.per_day and not spec.streamed else ""
        title = f"{spec.id} ({spec.kind}{quiet}, namespace {spec.namespace}) - {avro.get('doc', '')}"
        listing = result_table(title, expand=False)
        listing.add_column("column")
        listing.add_column("type")
        listing.add_column("doc")
        for field in avro["fields"]:
            listing.add_row(field["name"], describe_type(field["type"]), field.get("doc", ""))
        console.print(listing)


def describe_type(avro_type: Any) -> str:
    """A short human name for an Avro field type, e.g. ``decimal(12,2)`` or ``int | null``."""
    if isinstance(avro_type, list):
        return " | ".join(describe_type(branch) for branch in avro_type if branch != "null") + " | null"
    if isinstance(avro_type, dict):
        logical = avro_type.get("logicalType")
        if logical == "decimal":
            return f"decimal({avro_type['precision']},{avro_type.get('scale', 0)})"
        if logical is not None:
            return str(logical)
        return describe_type(avro_type["type"])
    return str(avro_type)
