"""Options shared by commands, and turning them into a Config (flags override file and environment)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from emitter.config import Config, deep_merge, drop_none, load_config
from emitter.errors import ConfigError

ConfigPathOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Config file (JSON). Default: ./config.json if present.",
        envvar="EMITTER_CONFIG",
        dir_okay=False,
    ),
]
SeedOption = Annotated[
    int | None,
    typer.Option("--seed", help="Random seed; the same seed gives the same data.", envvar="EMITTER_SEED"),
]
ScenarioOption = Annotated[
    str | None,
    typer.Option(
        "--scenario",
        help="Business domain; `emitter scenarios` lists them. Default: retail.",
        envvar="EMITTER_SCENARIO",
    ),
]
PresetOption = Annotated[
    str | None,
    typer.Option(
        "--preset",
        help="Named settings of the scenario, e.g. small (quick tries) or full-scale; see `emitter scenarios`.",
        envvar="EMITTER_PRESET",
    ),
]
ScaleOption = Annotated[
    float | None,
    typer.Option(
        "--scale",
        help="Multiply the scenario's volumes (fixed reference tables stay fixed), e.g. 0.1 or 4.",
        envvar="EMITTER_SCALE",
    ),
]

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override one setting, KEY=VALUE with a dotted key (repeatable), e.g. --set retail.volume.stores=40.",
        show_default=False,
    ),
]


def build_config(
    config_path: Path | None,
    overrides: dict[str, Any],
    scenario: str | None = None,
    preset: str | None = None,
    scale: float | None = None,
    sets: list[str] | None = None,
) -> Config:
    """Load the config file and environment, with command-line values (None = not given) on top."""
    flags = deep_merge(parse_sets(sets or []), drop_none(overrides))  # a flag of its own wins over --set
    return load_config(config_path, overrides={**flags, "scenario": scenario, "preset": preset, "scale": scale})


def parse_sets(sets: list[str]) -> dict[str, Any]:
    """``["retail.volume.stores=40"]`` → ``{"retail": {"volume": {"stores": 40}}}``; values are read as JSON."""
    out: dict[str, Any] = {}
    for item in sets:
        key, sep, text = item.partition("=")
        path = [part for part in key.strip().split(".") if part]
        if not sep or not path:
            raise ConfigError(f"--set: {item!r} is not KEY=VALUE; use e.g. --set retail.volume.stores=40")
        try:
            value: Any = json.loads(text)
        except json.JSONDecodeError:
            value = text
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set: {key} crosses a value set by another --set")
        node[path[-1]] = value
    return out


def parse_day(value: str, flag: str) -> date:
    """A YYYY-MM-DD option value as a date, or a ConfigError naming the flag."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{flag}: {value!r} is not a date; use YYYY-MM-DD, e.g. 2024-01-31") from None


def resolve_end(start: date, end: str | None, days: int | None) -> date:
    """The inclusive last day from either ``--end`` or ``--days`` (default: just ``start``)."""
    if end is not None and days is not None:
        raise ConfigError("--end and --days: give one of them, not both")
    if days is not None:
        if days < 1:
            raise ConfigError(f"--days: {days} is not a day count; pass 1 or more")
        return start + timedelta(days=days - 1)
    if end is None:
        return start
    last = parse_day(end, "--end")
    if last < start:
        raise ConfigError(f"--end: {last} is before --start {start}; pass an --end on or after --start")
    return last


def split_names(value: str | None) -> list[str] | None:
    """``"a, b"`` as ``["a", "b"]``; None when the option wasn't given."""
    if value is None:
        return None
    return [name.strip() for name in value.split(",") if name.strip()]
