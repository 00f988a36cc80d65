"""Options shared by commands, and turning them into a Config (flags override file and environment)."""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Collection
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from emitter.config import Config, deep_merge, drop_none, load_config, selected_scenario
from emitter.core.clock import FIRST_DAY, LAST_DAY
from emitter.errors import ConfigError
from emitter.memory import check_memory
from emitter.ops.address import DEFAULT_ADDRESS
from emitter.scenarios import open_scenario, scenario_class, scenario_names

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
ManifestScenarioOption = Annotated[
    str | None,
    typer.Option(
        "--scenario",
        help="Business domain the output must have been written with; read from its manifest when omitted.",
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

StartDayOption = Annotated[str, typer.Option("--start", help="First day, YYYY-MM-DD.", show_default=False)]
EndDayOption = Annotated[str | None, typer.Option("--end", help="Last day, YYYY-MM-DD, included. Default: --start.")]
DaysOption = Annotated[int | None, typer.Option("--days", help="Number of days from --start (instead of --end).")]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override one setting, KEY=VALUE with a dotted key (repeatable), e.g. --set retail.volume.stores=40.",
        show_default=False,
    ),
]

HttpOption = Annotated[
    str | None,
    typer.Option(
        "--http",
        metavar="[HOST:PORT]",
        help=f"Serve /metrics, /healthz and /readyz (and /control for a stream) while running; "
        f"--http alone listens on {DEFAULT_ADDRESS} (loopback). Off by default.",
        envvar="EMITTER_HTTP",
        show_default=False,
    ),
]
HttpTokenOption = Annotated[
    str | None,
    typer.Option(
        "--http-token",
        help="With --http: /control wants 'Authorization: Bearer TOKEN'.",
        envvar="EMITTER_HTTP_TOKEN",
        show_default=False,
    ),
]


def with_optional_values(args: list[str]) -> list[str]:
    """``--http`` given alone (last, or before another option) means ``--http=<default address>``.

    Typer options always take a value; this lets ``--http`` also stand alone, as its help says.
    """
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--":
            return out + args[i:]
        alone = i + 1 == len(args) or args[i + 1].startswith("-")
        out.append(f"--http={DEFAULT_ADDRESS}" if arg == "--http" and alone else arg)
    return out


class HttpOptionCommand(TyperCommand):
    """A command with an ``--http`` whose value may be left out (see ``with_optional_values``)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's click types are private
        result: list[str] = super().parse_args(ctx, with_optional_values(args))
        return result


class ScenarioFlagsCommand(HttpOptionCommand):
    """A command that also takes the selected scenario's flags (``ScenarioSettings.FLAGS``).

    Click can't know them before the scenario is chosen, so it leaves every option it doesn't know in
    ``ctx.args`` and ``build_config`` reads them there; the help lists every registered scenario's flags.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        settings = {"allow_extra_args": True, "ignore_unknown_options": True}
        kwargs["context_settings"] = {**settings, **(kwargs.get("context_settings") or {})}
        super().__init__(*args, **kwargs)

    def format_epilog(self, ctx: Any, formatter: Any) -> None:  # typer's click types are private
        super().format_epilog(ctx, formatter)
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(scenario_flags_help())  # at help time: scenarios registered late count too


def build_config(
    config_path: Path | None,
    overrides: dict[str, Any],
    scenario: str | None = None,
    preset: str | None = None,
    scale: float | None = None,
    sets: list[str] | None = None,
    ctx: typer.Context | None = None,
) -> Config:
    """Load the config file and environment, with command-line values (None = not given) on top.

    ``ctx`` is a ``ScenarioFlagsCommand``'s context: its leftover arguments are the scenario's flags.
    """
    if ctx is not None and ctx.args:
        name = scenario or selected_scenario(config_path)
        # after every --set: the later of two settings of one key wins, as between two --set
        sets = [*(sets or []), *scenario_flag_sets(name, ctx.args, _long_options(ctx))]
    flags = deep_merge(parse_sets(sets or []), drop_none(overrides))  # a command's own option wins over --set
    return load_config(config_path, overrides={**flags, "scenario": scenario, "preset": preset, "scale": scale})


def scenario_flag_sets(scenario: str, args: list[str], command_options: Collection[str] = ()) -> list[str]:
    """The scenario's flags among ``args`` as ``--set`` items, so they behave exactly like ``--set``.

    ``--members 2000`` and ``--members=2000`` give ``fitness.volume.members=2000`` (the value is read by
    ``parse_sets``); a later one wins, as with ``--set``. Anything else in ``args`` is a one-line
    ConfigError naming the scenario's flags; ``command_options`` only feed its did-you-mean.
    """
    declared = scenario_class(scenario).settings_model.FLAGS
    sets: list[str] = []
    rest = list(args)
    while rest:
        item = rest.pop(0)
        if not item.startswith("-"):
            raise ConfigError(f"unexpected argument {item!r}: every value follows its option, e.g. --seed 7")
        option, has_value, value = item.partition("=")
        flag = option[2:] if option.startswith("--") else ""
        if flag not in declared:
            raise ConfigError(_no_such_option(option, scenario, declared, command_options))
        if not has_value and rest and not rest[0].startswith("--"):
            value = rest.pop(0)
        if not value:
            raise ConfigError(f"{option}: needs a value, e.g. {option} 100 (it sets {scenario}.{declared[flag]})")
        sets.append(f"{scenario}.{declared[flag]}={value}")
    return sets


def scenario_flags_help() -> str:
    """The help paragraph that lists each registered scenario's flags."""
    lines = []
    for name in scenario_names():
        try:
            flags = scenario_class(name).settings_model.FLAGS
        except ConfigError:
            continue  # a scenario that can't be imported fails in one line when it is selected, not in help
        if flags:
            lines.append(f"  {name}: {', '.join(f'--{flag}' for flag in flags)}")
    return (
        "Scenario flags: the selected --scenario's shorthands for --set <scenario>.<path>=VALUE; "
        "`emitter scenarios` shows the path each one sets.\n\n\b\n"
        + "\n".join(lines or ["  (no registered scenario declares any)"])
    )


def _no_such_option(option: str, scenario: str, declared: Collection[str], command_options: Collection[str]) -> str:
    flags = [f"--{flag}" for flag in declared]
    close = difflib.get_close_matches(option, [*flags, *command_options], n=1, cutoff=0.8)
    hint = f" (did you mean {close[0]}?)" if close else ""
    if not flags:
        return f"{option}: no such option{hint}; scenario {scenario} takes no scenario flags"
    return f"{option}: no such option for scenario {scenario}{hint}; its flags are {', '.join(flags)}"


def _long_options(ctx: typer.Context) -> list[str]:
    return [name for param in ctx.command.params for name in param.opts if name.startswith("--")]


def ensure_memory(config: Config, processes: int = 1) -> None:
    """Refuse, in one line and before anything starts, settings that need more memory than is free."""
    check_memory(open_scenario(config), processes)


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


def _in_calendar(day: date, flag: str, text: str) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ConfigError(f"{flag}: {text} is outside the model's calendar; use a day from {FIRST_DAY} to {LAST_DAY}")


def parse_day(value: str, flag: str) -> date:
    """A YYYY-MM-DD option value as a date inside the model's calendar, or a ConfigError naming the flag."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{flag}: {value!r} is not a date; use YYYY-MM-DD, e.g. 2024-01-31") from None
    _in_calendar(day, flag, value)
    return day


def parse_moment(value: str, flag: str) -> datetime:
    """A model time (``2024-01-01`` or ``2024-01-01T13:30``) inside the model's calendar."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{flag}: {value!r} is not a time; use e.g. 2024-01-01 or 2024-01-01T13:30") from None
    _in_calendar(moment.date(), flag, value)
    return moment


def resolve_end(start: date, end: str | None, days: int | None) -> date:
    """The inclusive last day from either ``--end`` or ``--days`` (default: just ``start``)."""
    if end is not None and days is not None:
        raise ConfigError("--end and --days: give one of them, not both")
    if days is not None:
        if days < 1:
            raise ConfigError(f"--days: {days} is not a day count; pass 1 or more")
        if days - 1 > (LAST_DAY - start).days:
            raise ConfigError(f"--days: {days} days from {start} run past {LAST_DAY}, the model's last day")
        return start + timedelta(days=days - 1)
    if end is None:
        return start
    last = parse_day(end, "--end")
    if last < start:
        raise ConfigError(f"--end: {last} is before --start {start}; pass an --end on or after --start")
    return last


def split_names(value: str | None, flag: str = "--tables") -> list[str] | None:
    """``"a, b"`` as ``["a", "b"]``; None when the option wasn't given; an empty list is a mistake."""
    if value is None:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise ConfigError(f"{flag}: {value!r} names no table; give e.g. {flag} receipts, or leave it out for all")
    return names


def parse_speed(text: str) -> float:
    """A replay --speed: simulated seconds per real second, or 'max' (no pacing) as infinity."""
    if text.strip().lower() == "max":
        return math.inf
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"--speed: {text!r} is not a number; use e.g. 1, 60 or max") from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"--speed: {text!r} must be a finite number above 0 (or 'max')")
    return value
