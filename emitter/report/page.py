"""The report's HTML: one self-contained page (inline CSS and SVG, no script, nothing fetched)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from emitter import __version__
from emitter.scenarios.rules import RuleResult


@dataclass(frozen=True)
class DrawnChart:
    """A chart ready for the page: its heading, a one-line note, and its SVG."""

    title: str
    note: str
    svg: str
    wide: bool = False  # spans the page rather than half of it


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    charts: Sequence[DrawnChart]
    empty: str = ""  # shown instead when there is no chart


@dataclass(frozen=True)
class Header:
    """What the page is about: scenario, seed, range and the rows of every table."""

    scenario: str
    title: str
    seed: int
    range: str
    rows: Sequence[tuple[str, str, int]]  # (table id, kind, rows)


STYLE = """
:root { --ink: #1f2a36; --muted: #5b6b7b; --line: #dde3ea; --ok: #1e7d4f; --bad: #b3261e; --accent: #3b6ea8; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--ink); background: #f5f7fa; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 20px 32px 12px; }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { margin: 0 0 12px; font-size: 18px; }
h3 { margin: 0; font-size: 14px; }
.sub { color: var(--muted); margin: 0 0 12px; }
.facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0 0 12px; }
.facts div { display: flex; flex-direction: column; }
.facts dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.facts dd { margin: 0; font-size: 16px; font-weight: 600; }
.rows { margin: 0 0 12px; display: flex; flex-wrap: wrap; gap: 4px 6px; }
.chip { background: #eef2f7; border-radius: 10px; padding: 1px 8px; font-size: 12px; color: var(--muted); }
.chip b { color: var(--ink); font-weight: 600; }
.chip.ref { background: #f3f0e8; }
nav a { color: var(--accent); margin-right: 16px; text-decoration: none; }
main { padding: 16px 32px 32px; max-width: 1200px; }
section { margin: 0 0 28px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(430px, 1fr)); gap: 16px; }
figure.chart { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px;
               overflow-x: auto; }
figure.chart.wide { grid-column: 1 / -1; }
figcaption { margin: 0 0 8px; }
figcaption p { margin: 2px 0 0; color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
details summary { cursor: pointer; color: var(--accent); margin-bottom: 6px; }
.ok { color: var(--ok); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
tr.failed td { background: #fdf0ef; }
footer { color: var(--muted); font-size: 12px; padding: 0 32px 24px; }
"""


def render_page(header: Header, sections: Sequence[Section], results: Sequence[RuleResult]) -> str:
    """The whole page as one HTML string."""
    total = sum(n for _, _, n in header.rows)
    failed = sum(not r.ok for r in results)
    facts = [
        ("scenario", header.scenario),
        ("seed", str(header.seed)),
        ("range", header.range),
        ("rows", f"{total:,} in {len(header.rows)} tables"),
        ("rules", f"{len(results) - failed} of {len(results)} hold"),
    ]
    links = [(s.anchor, s.title) for s in sections] + [("rules", "Rules")]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>emitter report: {escape(header.scenario)}, {escape(header.range)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<header><h1>{escape(header.scenario)} report</h1><p class='sub'>{escape(header.title)}</p>",
        "<dl class='facts'>",
        *(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in facts),
        "</dl>",
        _row_counts(header.rows),
        "<nav>",
        *(f"<a href='#{a}'>{escape(t)}</a>" for a, t in links),
        "</nav></header><main>",
        *(_section(s) for s in sections),
        _rules(results),
        f"</main><footer>Made by emitter {escape(__version__)}.</footer></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _section(section: Section) -> str:
    body = (
        "<div class='grid'>" + "".join(_chart(c) for c in section.charts) + "</div>"
        if section.charts
        else f"<p class='sub'>{escape(section.empty)}</p>"
    )
    return f"<section id='{section.anchor}'><h2>{escape(section.title)}</h2>{body}</section>"


def _chart(chart: DrawnChart) -> str:
    note = f"<p>{escape(chart.note)}</p>" if chart.note else ""
    wide = " wide" if chart.wide else ""
    return (
        f"<figure class='chart{wide}' data-title='{escape(chart.title)}'>"
        f"<figcaption><h3>{escape(chart.title)}</h3>{note}</figcaption>{chart.svg}</figure>"
    )


def _rules(results: Sequence[RuleResult]) -> str:
    """Breaches in plain view; the rules that hold folded under one line, so a breach is the first thing read."""
    failed = [r for r in results if not r.ok]
    held = [r for r in results if r.ok]
    parts = ["<section id='rules'><h2>Rules</h2>"]
    if failed:
        parts.append(f"<p class='bad'>{len(failed)} of {len(results)} rules fail.</p>{_rule_table(failed)}")
    elif results:
        parts.append(f"<p class='ok'>All {len(results)} rules hold.</p>")
    else:
        parts.append("<p class='sub'>No rule was checked.</p>")
    if held:
        parts.append(f"<details><summary>the {len(held)} rules that hold</summary>{_rule_table(held)}</details>")
    return "".join(parts) + "</section>"


def _rule_table(results: Sequence[RuleResult]) -> str:
    rows = "".join(
        f"<tr class='{'held' if r.ok else 'failed'}'><td>{escape(r.rule)}</td>"
        f"<td class='{'ok' if r.ok else 'bad'}'>{'ok' if r.ok else 'FAILED'}</td><td>{escape(r.detail)}</td></tr>"
        for r in results
    )
    return f"<table><thead><tr><th>rule</th><th>result</th><th>detail</th></tr></thead><tbody>{rows}</tbody></table>"


def _row_counts(rows: Sequence[tuple[str, str, int]]) -> str:
    """Every table's rows, reference tables marked, as one wrapped line."""
    chips = "".join(
        f"<span class='chip{' ref' if kind == 'reference' else ''}' title='{escape(kind)}'>"
        f"{escape(t)} <b>{n:,}</b></span>"
        for t, kind, n in rows
    )
    return f"<p class='rows'>{chips}</p>"
