"""The report's charts as Altair (Vega-Lite) specs: volume heatmaps, events per day, and the domain figures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

import altair as alt

from emitter.report.volume import WEEKDAYS, TableVolume
from emitter.scenarios.figures import Figure, FigureKind

WIDE = 760  # volume charts span the page
NARROW = 340  # domain figures sit two to a row
BAR = 18  # height of one horizontal bar
ACCENT = "#3b6ea8"
HOLIDAY = "#c0392b"

Spec = alt.TopLevelMixin  # any chart that renders on its own: Chart, LayerChart, ...


def _data(rows: list[dict[str, Any]]) -> alt.Data:
    """Inline values: the report's data is already counted, a few hundred rows at most."""
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def hour_heatmap(volumes: Sequence[TableVolume]) -> Spec:
    """Each table's events per hour of day against its busiest hour: one row per table."""
    rows = [
        {"table": v.table, "hour": hour, "share": n / max(int(v.by_hour.max()), 1)}
        for v in volumes
        for hour, n in enumerate(v.by_hour.tolist())
    ]
    return _heatmap(rows, "hour", "hour of day (local)", list(range(24)), [v.table for v in volumes])


def weekday_heatmap(volumes: Sequence[TableVolume]) -> Spec:
    """Each table's events per day of week against its busiest weekday: one row per table."""
    rows = [
        {"table": v.table, "weekday": WEEKDAYS[d], "share": n / max(int(v.by_weekday.max()), 1)}
        for v in volumes
        for d, n in enumerate(v.by_weekday.tolist())
    ]
    return _heatmap(rows, "weekday", "day of week", list(WEEKDAYS), [v.table for v in volumes], width=WIDE // 2)


def _heatmap(
    rows: list[dict[str, Any]], x: str, x_title: str, x_order: list[Any], tables: list[str], width: int = WIDE
) -> Spec:
    return cast(
        Spec,
        alt.Chart(_data(rows))
        .mark_rect()
        .encode(
            x=alt.X(f"{x}:O", title=x_title, sort=x_order, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("table:N", title=None, sort=tables, axis=alt.Axis(labelLimit=220)),
            color=alt.Color(
                "share:Q",
                title="against the table's busiest",
                scale=alt.Scale(scheme="blues", domain=[0, 1]),
                legend=alt.Legend(format=".0%", orient="bottom", gradientLength=240),
            ),
        )
        .properties(width=width, height=BAR * len(tables)),
    )


def daily_chart(volumes: Sequence[TableVolume], holidays: Sequence[tuple[date, str]]) -> Spec:
    """Events per day of every table (log scale), holidays marked with a rule and their name."""
    rows: list[dict[str, Any]] = [
        {"table": v.table, "day": day.isoformat(), "events": int(n)}
        for v in volumes
        for day, n in zip(v.days(), v.by_day.tolist(), strict=True)
        if n > 0  # a log scale has no zero; a gap says the table had no events that day
    ]
    x = alt.X("day:T", title=None, scale=alt.Scale(type="utc"), axis=alt.Axis(format="%a %d %b", labelAngle=-30))
    lines = (
        alt.Chart(_data(rows))
        .mark_line(point=alt.OverlayMarkDef(size=18))
        .encode(
            x=x,
            y=alt.Y(
                "events:Q",
                title="events per day (log scale)",
                scale=alt.Scale(type="log"),
                axis=alt.Axis(values=_decades(max((int(v.by_day.max()) for v in volumes), default=1)), format="~s"),
            ),
            color=alt.Color(
                "table:N",
                title="table",
                sort=[v.table for v in volumes],
                scale=alt.Scale(scheme="tableau20"),
                legend=alt.Legend(orient="right", labelLimit=200),
            ),
        )
    )
    layers: list[alt.Chart] = [lines]
    if holidays:
        marks = _data([{"day": d.isoformat(), "name": name} for d, name in holidays])
        layers.append(alt.Chart(marks).mark_rule(color=HOLIDAY, strokeDash=[4, 3]).encode(x=x))
        layers.append(
            alt.Chart(marks)
            .mark_text(color=HOLIDAY, align="left", baseline="top", dx=3, dy=2, fontSize=11, angle=0)
            .encode(x=x, y=alt.value(0), text="name:N")
        )
    return cast(Spec, alt.layer(*layers).properties(width=WIDE - 160, height=260))


def _decades(most: int) -> list[int]:
    """Log-axis ticks at 1, 10, 100, ... up to the first power of ten at or above ``most``."""
    ticks = [1]
    while ticks[-1] < most:
        ticks.append(ticks[-1] * 10)
    return ticks


def figure_chart(figure: Figure) -> Spec:
    """A domain figure: vertical bars for a distribution, horizontal bars with a label for the others."""
    labels = [label for label, _ in figure.points]
    if figure.kind is FigureKind.DISTRIBUTION:
        rows = [{"label": label, "value": value} for label, value in figure.points]
        return cast(
            Spec,
            alt.Chart(_data(rows))
            .mark_bar(color=ACCENT)
            .encode(
                x=alt.X("label:O", title=figure.x, sort=labels, axis=alt.Axis(labelAngle=0, labelOverlap="parity")),
                y=alt.Y("value:Q", title=figure.y),
            )
            .properties(width=NARROW, height=200),
        )
    total = sum(value for _, value in figure.points) or 1.0
    first = figure.points[0][1] if figure.points else 1.0
    rows = [
        {"label": label, "value": value, "text": _bar_text(figure, value, total, first)}
        for label, value in figure.points
    ]
    base = alt.Chart(_data(rows)).encode(
        y=alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=180)),
        x=alt.X("value:Q", title=figure.y, axis=alt.Axis(format="~s")),
    )
    bars = base.mark_bar(color=ACCENT)
    text = base.mark_text(align="left", dx=3, fontSize=11).encode(text="text:N")
    return cast(Spec, alt.layer(bars, text).properties(width=NARROW - 120, height=BAR * max(len(rows), 1)))


def _bar_text(figure: Figure, value: float, total: float, first: float) -> str:
    """A mix shows each share of the whole, a funnel each step's share of the first, a ranking its value."""
    if figure.kind is FigureKind.MIX:
        return f"{value / total:.0%}"
    if figure.kind is FigureKind.STAGES:
        return f"{value / first:.0%}" if first else ""
    return f"{value:,.0f}"
