"""Build the report page from (scenario, tables, rule results), whichever source the tables came from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from emitter.core.holidays import holidays_between
from emitter.errors import OutputError, first_line
from emitter.formats.staged import atomic_write_bytes
from emitter.report.charts import daily_chart, figure_chart, hour_heatmap, weekday_heatmap
from emitter.report.page import DrawnChart, Header, Section, render_page
from emitter.report.svg import svg_of
from emitter.report.volume import TableVolume, date_range, table_volumes
from emitter.scenarios import RuleResult, Scenario
from emitter.scenarios.figures import Figure, FigureKind


@dataclass(frozen=True)
class PlannedChart:
    """A chart before drawing: the section it belongs to, its heading, a note and its Altair spec."""

    section: str
    title: str
    note: str
    spec: Any
    wide: bool = False


SECTIONS = (
    ("volume", "Volume", "No table at hand has events."),
    ("distributions", "Distributions", "This scenario declares no domain charts."),
    ("top", "Top entities", "This scenario declares no top entities."),
)


def plan_charts(
    scenario: Scenario[Any], tables: Mapping[str, pa.Table], volumes: Sequence[TableVolume] | None = None
) -> list[PlannedChart]:
    """Every chart of the page: the volume charts from the table declarations, then the scenario's figures."""
    volumes = table_volumes(scenario.catalog(), tables) if volumes is None else list(volumes)
    out = []
    span = date_range(volumes)
    if span is not None:
        holidays = holidays_between(*span)
        marked = ", ".join(f"{name} ({d:%d %b})" for d, name in holidays) or "no holidays in the range"
        out += [
            PlannedChart(
                "volume",
                "Events per hour of day",
                "each table against its own busiest hour",
                hour_heatmap(volumes),
                True,
            ),
            PlannedChart(
                "volume",
                "Events per day of week",
                "each table against its own busiest weekday",
                weekday_heatmap(volumes),
            ),
            PlannedChart(
                "volume", "Events per day", f"holidays marked: {marked}", daily_chart(volumes, holidays), True
            ),
        ]
    for figure in drawable_figures(scenario, tables):
        section = "top" if figure.kind is FigureKind.TOP else "distributions"
        out.append(PlannedChart(section, figure.title, figure.note, figure_chart(figure)))
    return out


def drawable_figures(scenario: Scenario[Any], tables: Mapping[str, pa.Table]) -> list[Figure]:
    """The scenario's figures that have something to draw; an empty one is left off the page."""
    return [f for f in scenario.figures(tables) if not f.empty]


def build_report(scenario: Scenario[Any], tables: Mapping[str, pa.Table], results: Sequence[RuleResult]) -> str:
    """The report page (HTML) of ``tables`` as ``scenario`` declares them, with the rule results given."""
    catalog = scenario.catalog()
    volumes = table_volumes(catalog, tables)
    planned = plan_charts(scenario, tables, volumes)
    drawn = [(p.section, DrawnChart(p.title, p.note, svg_of(p.spec, p.title), p.wide)) for p in planned]
    sections = [
        Section(anchor, title, [chart for section, chart in drawn if section == anchor], empty)
        for anchor, title, empty in SECTIONS
    ]
    rows = [(t.id, str(t.kind), tables[t.id].num_rows) for t in catalog.tables if t.id in tables]
    span = date_range(volumes)
    header = Header(scenario.name, scenario.title, scenario.seed, _range_text(span), rows)
    return render_page(header, sections, results)


def _range_text(span: tuple[date, date] | None) -> str:
    if span is None:
        return "no events"
    first, last = span
    days = (last - first).days + 1
    return f"{first:%Y-%m-%d} to {last:%Y-%m-%d} ({days} day{'s' if days != 1 else ''})"


def write_report(path: Path, page: str) -> None:
    """Write the page atomically, so a reader never sees half of it."""
    if not path.parent.is_dir():
        raise OutputError(f"-o: {path.parent} is not a directory; create it or write the page elsewhere")
    try:
        atomic_write_bytes(path, page.encode("utf-8"))
    except OSError as exc:
        raise OutputError(f"-o: can't write {path}: {first_line(exc)}") from exc
