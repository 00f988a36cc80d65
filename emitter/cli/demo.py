"""``emitter demo``: broker, stream and sink together on embedded defaults, then a look at the warehouse."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.text import Text

from emitter.cli.options import (
    ConfigPathOption,
    HttpOption,
    HttpTokenOption,
    PresetOption,
    ScaleOption,
    ScenarioOption,
    SeedOption,
    SetOption,
    build_config,
    ensure_memory,
    parse_moment,
)
from emitter.cli.output import command_console, result_table
from emitter.demo import DemoResult, run_demo
from emitter.errors import ConfigError
from emitter.ops.run_ops import serve_run
from emitter.scenarios import scenario_class
from emitter.sink.consumer import SinkStatus
from emitter.stream.rate_profile import parse_duration
from emitter.stream.runner import StreamStatus
from emitter.stream.targets import TargetStats


def demo(
    ctx: typer.Context,
    duration: Annotated[str, typer.Option("--duration", help="How long to stream, e.g. 30s or 2m.")] = "30s",
    warehouse: Annotated[Path, typer.Option("--warehouse", help="DuckDB file to (re)create.", dir_okay=False)] = Path(
        "warehouse.duckdb"
    ),
    start: Annotated[
        str | None,
        typer.Option(
            "--start", help="Model time to replay from. Default: the scenario's (retail: Black Friday 06:00)."
        ),
    ] = None,
    speed: Annotated[
        float | None, typer.Option("--speed", help="Simulated seconds per real second. Default: the scenario's.")
    ] = None,
    http: HttpOption = None,
    http_token: HttpTokenOption = None,
    seed: SeedOption = None,
    scenario: ScenarioOption = None,
    preset: PresetOption = None,
    scale: ScaleOption = None,
    sets: SetOption = None,
    config_path: ConfigPathOption = None,
) -> None:
    """Run the whole pipeline locally: bundled broker → stream → sink → DuckDB, then sample queries.

    Nothing to install or start: the broker is embedded and stops with the demo (Ctrl-C too).
    """
    config = build_config(config_path, {"seed": seed}, scenario, preset, scale, sets, ctx)
    demo_spec = scenario_class(config.scenario).demo
    if config.preset is None and demo_spec.preset is not None:  # the scenario's own demo size, unless one is chosen
        config = build_config(config_path, {"seed": seed}, scenario, demo_spec.preset, scale, sets, ctx)
    ensure_memory(config)
    begin = parse_moment(start, "--start") if start else demo_spec.start
    speed = demo_spec.speed if speed is None else speed
    if speed <= 0:
        raise ConfigError("--speed: must be above 0")
    seconds = parse_duration(duration, "--duration")
    console = command_console()
    console.print(
        f"[bold]emitter demo[/bold]: replaying the {config.scenario} model from {begin:%Y-%m-%d %H:%M} "
        f"at {speed:g}x for {duration} into the bundled broker, and sinking it into {warehouse}"
    )
    live = Live(Text("starting the broker…"), console=console, refresh_per_second=4, transient=True)
    marks: dict[str, tuple[float, int]] = {}

    def rate(name: str, count: int) -> float:
        now = time.monotonic()
        then, before = marks.get(name, (now, count))
        marks[name] = (now, count)
        return (count - before) / (now - then) if now > then else 0.0

    def status(s: StreamStatus, t: TargetStats, k: SinkStatus | None) -> None:
        loaded = k.loaded if k else 0
        lag = sum(k.lag.values()) if k else 0
        live.update(
            Text(
                f"stream {rate('stream', s.total):>9,.0f} ev/s  sent {s.total:>10,}  delivered {t.delivered:>10,} | "
                f"sink {rate('sink', loaded):>9,.0f} ev/s  loaded {loaded:>10,}  lag {lag:,}",
                no_wrap=True,
                overflow="ellipsis",
            )
        )

    show = sys.stdout.isatty()
    if show:
        live.start()
    try:
        with serve_run(http, http_token, stream=True, sink=True, announce=console.print) as ops:
            result = run_demo(config, warehouse, seconds, begin, speed, on_status=status if show else None, ops=ops)
    finally:
        if show:
            live.stop()
    _report(result, console)


def _report(result: DemoResult, console: Console) -> None:
    s = result.stream.summary
    console.print(
        f"streamed {s.total:,} events ({s.achieved_rate:,.0f}/s), delivered {result.stream.target.delivered:,}; "
        f"sink loaded {result.sink.loaded:,} rows, {result.sink.dead} dead letters"
    )
    rows = result_table(f"rows in {result.warehouse}")
    rows.add_column("table")
    rows.add_column("rows", justify="right")
    for name, n in result.rows.items():
        rows.add_row(name, f"{n:,}")
    console.print(rows)
    for title, table in result.samples.items():
        sample = result_table(title)
        for column in table.column_names:
            sample.add_column(column, justify="right" if table.schema.field(column).type != "string" else "left")
        for record in table.to_pylist():
            sample.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in record.values()))
        console.print(sample)
    schemas = sorted({name.split(".", 1)[0] for name in result.rows})
    console.print(
        "query it further:\n"
        f"  {_python_snippet(str(result.warehouse), result.hint)}\n"
        f"  or, with the DuckDB CLI: duckdb {result.warehouse}   (schemas: {', '.join(schemas)}; "
        "main._emitter_offsets holds the consumed offsets)",
        soft_wrap=True,
    )


def _python_snippet(warehouse: str, sql: str) -> str:
    """A shell line that runs ``sql`` on the warehouse, readable when it can be, and safe to paste always."""
    if "'" not in warehouse and not any(c in sql + warehouse for c in '"$`\\\n!'):
        # inside the shell's double quotes, single quotes are plain and \" is a quote
        return f'python -c "import duckdb; print(duckdb.connect(\'{warehouse}\').sql(\\"{sql}\\"))"'
    code = f"import duckdb; print(duckdb.connect({warehouse!r}).sql({sql!r}))"
    return f"python -c {shlex.quote(code)}"
