"""``emitter scenarios``: every registered scenario with its tables, kinds, namespaces, presets and flags."""

from __future__ import annotations

import typer

from emitter.cli.output import command_console, result_table
from emitter.scenarios import scenario_class, scenario_names


def scenarios() -> None:
    """List the scenarios: tables (kind, namespace, stream key), default settings, presets and flags."""
    console = command_console()
    for name in scenario_names():
        cls = scenario_class(name)
        catalog = cls.catalog()
        listing = result_table(f"{name}: {cls.title}", expand=False)
        for column in ("table", "kind", "namespace", "key", "event time"):
            listing.add_column(column)
        for spec in catalog.tables:
            kind = str(spec.kind) if spec.streamed else f"{spec.kind}, streamed only when named"
            listing.add_row(spec.id, kind, spec.namespace, spec.key or "", spec.event_time or "")
        console.print(listing)
        defaults = cls.settings_model().model_dump(mode="json")
        console.print(f"  settings (section {name!r} of config.json): {defaults}", soft_wrap=True)
        console.print(f"  presets: {', '.join(cls.settings_model.PRESETS)}; --scale multiplies ", end="")
        console.print(", ".join(cls.settings_model.SCALABLE) or "nothing", soft_wrap=True)
        flags = [f"--{flag} sets {path}" for flag, path in cls.settings_model.FLAGS.items()]
        console.print(f"  flags (backfill, stream, demo): {', '.join(flags) or 'none'}", soft_wrap=True)
    typer.echo(f"{len(scenario_names())} scenarios: {', '.join(scenario_names())}")
