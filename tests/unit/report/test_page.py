"""The report page is self-contained: nothing to fetch, every planned chart drawn, every rule listed."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pyarrow as pa

from emitter.report.build import build_report, plan_charts
from emitter.scenarios import RuleResult, Scenario

# Attributes through which a page loads something.
LOADING = {"src", "href", "xlink:href", "srcset", "poster", "data", "action", "formaction", "background"}


class _References(HTMLParser):
    """Every tag, and every value of a loading attribute or a CSS url()."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.references: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name in LOADING:
                self.references.append(value)
            if name == "style":
                self.references += re.findall(r"url\(([^)]*)\)", value)

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.references += re.findall(r"url\(([^)]*)\)", data)
            self.references += re.findall(r"@import\s+([^;]+)", data)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False


def external(page: str) -> list[str]:
    """What the page would load from elsewhere: any reference that isn't an anchor in the page itself."""
    parser = _References()
    parser.feed(page)
    loaded = [r for r in parser.references if not r.strip("'\" ").startswith("#")]
    loaders = [t for t in parser.tags if t in {"script", "link", "img", "iframe", "object", "embed"}]
    return loaded + loaders


def test_the_page_loads_nothing_from_the_network(retail: tuple[Scenario[Any], dict[str, pa.Table]]) -> None:
    scenario, tables = retail

    page = build_report(scenario, tables, scenario.rules(tables))

    assert external(page) == []
    assert not re.search(r"https?://", page)  # not even an SVG namespace URI is left to look like one


def test_the_check_sees_a_script_a_stylesheet_or_an_image() -> None:
    assert external("<script src='https://cdn.example/vega.js'></script>") != []
    assert external("<link rel='stylesheet' href='https://fonts.example/css'>") != []
    assert external("<style>@import 'https://fonts.example/a.css';</style>") != []
    assert external("<svg><image xlink:href='http://x.example/a.png'/></svg>") != []
    assert external("<nav><a href='#rules'>Rules</a></nav>") == []


def test_every_planned_chart_is_drawn_as_inline_svg(retail: tuple[Scenario[Any], dict[str, pa.Table]]) -> None:
    scenario, tables = retail
    assert not any(f.empty for f in scenario.figures(tables))
    expected = 3 + len(scenario.figures(tables))  # hour, weekday and day volume, then the domain's figures

    page = build_report(scenario, tables, [])

    assert len(plan_charts(scenario, tables)) == expected
    figures = re.findall(r"<figure class='chart[^']*' data-title='([^']*)'>(.*?)</figure>", page, re.S)
    assert len(figures) == expected
    assert all(body.count("<svg") == 1 and "role-mark" in body for _, body in figures)
    titles = [t for t, _ in figures]
    assert titles[:3] == ["Events per hour of day", "Events per day of week", "Events per day"]
    assert titles[3:] == [f.title for f in scenario.figures(tables) if f.kind != "top"] + [
        f.title for f in scenario.figures(tables) if f.kind == "top"
    ]


def test_the_header_says_scenario_seed_range_and_rows(retail: tuple[Scenario[Any], dict[str, pa.Table]]) -> None:
    scenario, tables = retail
    first = scenario.demo.start.date()

    page = build_report(scenario, tables, [])

    assert f"<dd>{scenario.seed}</dd>" in page
    assert f"{first:%Y-%m-%d} to " in page and "(2 days)" in page
    total = sum(t.num_rows for t in tables.values())
    assert f"{total:,} in {len(tables)} tables" in page
    receipts = tables["receipts"].num_rows
    assert f"receipts <b>{receipts:,}</b>" in page


def test_failed_rules_are_listed_first_and_counted(retail: tuple[Scenario[Any], dict[str, pa.Table]]) -> None:
    scenario, tables = retail
    results = [RuleResult("totals add up", True, "0 differ"), RuleResult("stock <never> negative", False, "3 rows")]

    page = build_report(scenario, tables, results)

    assert "1 of 2 rules fail." in page and "<dd>1 of 2 hold</dd>" in page
    assert page.index("stock &lt;never&gt; negative") < page.index("totals add up")  # escaped, and first
    assert "<td class='bad'>FAILED</td>" in page


def test_a_figure_with_nothing_to_draw_is_left_off(retail: tuple[Scenario[Any], dict[str, pa.Table]]) -> None:
    scenario, tables = retail
    without_receipts = {**tables, "receipts": tables["receipts"].slice(0, 0)}
    empty = [f.title for f in scenario.figures(without_receipts) if f.empty]
    assert "Payment mix" in empty and "Top stores by receipts" in empty

    titles = [p.title for p in plan_charts(scenario, without_receipts)]

    assert not set(empty) & set(titles)
    assert "Basket size" in titles  # receipt lines are still there
