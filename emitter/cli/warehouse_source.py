"""Options and resolution shared by the commands that read a scenario's tables back from a warehouse.

``validate --warehouse`` and ``report --warehouse`` judge loaded rows by the run that made them: the run
``emitter load`` or ``emitter demo`` recorded in the warehouse, or, for rows that came through
``emitter sink``, the one the stream's own settings flags describe.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from emitter.cli.options import build_config
from emitter.errors import ConfigError
from emitter.scenarios import Scenario, open_scenario
from emitter.sink.destinations import Destination, shown
from emitter.sink.validate import recorded_scenario, same_run

WarehouseURLOption = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        help="Read loaded tables instead of files: duckdb:///warehouse.duckdb, postgresql://user@host/db, "
        "postgresql://user@host/{namespace} (a database per namespace), clickhouse+local:///dir or "
        "clickhouse://user@host:8123/db.",
        show_default=False,
    ),
]


def settings_flags_given(
    ctx: typer.Context, seed: int | None, preset: str | None, scale: float | None, sets: list[str] | None,
    config_path: Path | None,
) -> list[str]:  # fmt: skip
    """The settings flags on the command line, by name (scenario flags included)."""
    flags = {"--seed": seed, "--preset": preset, "--scale": scale, "--set": sets, "--config": config_path}
    return [flag for flag, value in flags.items() if value] + list(ctx.args[:1])


def judged_scenario(
    ctx: typer.Context,
    destination: Destination,
    scenario: str | None,
    seed: int | None,
    preset: str | None,
    scale: float | None,
    sets: list[str] | None,
    config_path: Path | None,
) -> tuple[Scenario[Any], str]:
    """The run the warehouse's rows come from, and where that was read ("as recorded by the load" or flags)."""
    recorded = recorded_scenario(destination)
    given = settings_flags_given(ctx, seed, preset, scale, sets, config_path)
    if recorded is not None and not given and scenario in (None, recorded.name):
        return recorded, "as recorded by the load"
    config = build_config(config_path, {"seed": seed}, scenario, preset, scale, sets, ctx)
    judged = open_scenario(config)
    if recorded is not None and not same_run(recorded, judged):
        settings = "the same" if recorded.settings == judged.settings else "other"
        settings = f" with {settings} settings" if recorded.name == judged.name else ""
        raise ConfigError(
            f"{shown(destination.where)} was loaded from scenario {recorded.name} seed {recorded.seed}, but the "
            f"flags give scenario {judged.name} seed {judged.seed}{settings}; drop --scenario and the settings "
            "flags to use what was loaded"
        )
    return judged, "from the config and flags"


def one_source(out: Path | None, warehouse: str | None, given: list[str], command: str) -> None:
    """Exactly one of DIR and --warehouse; settings flags only with --warehouse (a manifest records them)."""
    if (out is None) == (warehouse is None):
        raise ConfigError(f"{command}: give a backfill directory or --warehouse URL, one of them")
    if out is not None and given:
        raise ConfigError(
            f"{given[0]}: {out}'s manifest records its settings; settings flags apply with --warehouse only"
        )
