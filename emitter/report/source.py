"""Where a report's tables come from: each source returns the scenario that made them and the tables by id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from emitter.backfill.validate import expect_scenario, load_output, manifest_of, scenario_of
from emitter.errors import OutputError
from emitter.scenarios import Scenario


def from_backfill(out_dir: Path, scenario: str | None = None) -> tuple[Scenario[Any], dict[str, pa.Table]]:
    """A backfill output directory: the scenario its manifest records (seed, settings) and every table in it.

    ``scenario``, when given, must be the one that wrote the output.
    """
    if not out_dir.exists():
        raise OutputError(f"{out_dir}: no such directory; point at a directory written by `emitter backfill`")
    expect_scenario(out_dir, scenario)
    manifest = manifest_of(out_dir)
    return scenario_of(manifest), load_output(out_dir, manifest=manifest)
