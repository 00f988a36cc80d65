"""``emitter report`` for every registered scenario: the page holds every chart, and a real browser draws it offline."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from emitter.backfill.validate import load_output, manifest_of, scenario_of
from emitter.cli.app import app
from emitter.report.build import build_report, drawable_figures

from .browser import chromium_or_reason
from .conftest import DAYS, SCENARIOS, Generated, first_day

VOLUME_CHARTS = 3  # events per hour of day, per day of week, per day


def test_the_page_holds_the_volume_charts_and_every_declared_figure(generated: Generated) -> None:
    tables = generated.tables()

    page = build_report(generated.scenario, tables, generated.scenario.rules(tables))

    expected = VOLUME_CHARTS + len(drawable_figures(generated.scenario, tables))
    assert page.count("<figure class='chart") == expected
    assert page.count("<svg") == expected
    assert f"<h1>{generated.name} report</h1>" in page


def _backfill_and_report(runner: CliRunner, scenario: str) -> Path:
    day = first_day(scenario).isoformat()
    flags = ["--scenario", scenario, "--preset", "small", "--quiet"]
    result = runner.invoke(app, ["backfill", "--start", day, "--days", str(DAYS), "--out", "out", *flags])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["report", "out", "-o", "page.html"])
    assert result.exit_code == 0, result.output
    assert f"wrote page.html ({scenario}, " in result.output
    return Path("page.html").resolve()


def test_report_writes_the_page_of_a_backfill(isolated_runner: CliRunner, scenario_name: str) -> None:
    page = _backfill_and_report(isolated_runner, scenario_name).read_text()

    manifest = manifest_of(Path("out"))
    assert f"<dd>{manifest.seed}</dd>" in page
    assert f"({DAYS} days)" in page
    other = next(name for name in SCENARIOS if name != scenario_name)
    result = isolated_runner.invoke(app, ["report", "out", "--scenario", other, "-o", "other.html"])
    assert result.exit_code == 1
    assert f"was written by scenario {scenario_name}, not {other}" in result.output
    assert not Path("other.html").exists()


def test_a_loaded_warehouse_gives_the_same_page_as_its_files(isolated_runner: CliRunner, scenario_name: str) -> None:
    files = _backfill_and_report(isolated_runner, scenario_name).read_bytes()
    url = f"duckdb:///{Path('wh.duckdb').resolve()}"
    assert isolated_runner.invoke(app, ["load", "out", "--warehouse", url, "--quiet"]).exit_code == 0

    result = isolated_runner.invoke(app, ["report", "--warehouse", url, "-o", "loaded.html"])

    assert result.exit_code == 0, result.output
    assert _numbered(Path("loaded.html").read_bytes()) == _numbered(files)


def _numbered(page: bytes) -> bytes:
    """The page with its SVG gradient ids renumbered from 0: the renderer counts them per process, not per page."""
    seen: dict[bytes, bytes] = {}
    return re.sub(rb"gradient_\d+", lambda m: seen.setdefault(m.group(), b"gradient_%d" % len(seen)), page)


def test_report_refuses_a_missing_or_foreign_directory(isolated_runner: CliRunner) -> None:
    result = isolated_runner.invoke(app, ["report", "nowhere"])
    assert result.exit_code == 1
    assert "nowhere: no such directory" in result.output
    Path("empty").mkdir()
    result = isolated_runner.invoke(app, ["report", "empty"])
    assert result.exit_code == 1 and "no _manifest.json here" in result.output
    assert not Path("report.html").exists()


# Run in the page: per chart, how many marks its SVG draws with a size (-1 when it has no SVG).
DRAWN_MARKS = """() => [...document.querySelectorAll('figure.chart')].map(figure => {
  const svg = figure.querySelector('svg');
  if (!svg) return -1;
  return [...svg.querySelectorAll('.role-mark > *')].filter(mark => {
    const box = mark.getBoundingClientRect();
    return box.width > 0 || box.height > 0;
  }).length;
})"""


@pytest.fixture(scope="session")
def chromium() -> str:
    path, reason = chromium_or_reason()
    if path is None:
        pytest.skip(f"no headless chromium: {reason}")
    return path


@pytest.mark.slow
def test_a_browser_draws_every_chart_offline(
    isolated_runner: CliRunner, scenario_name: str, chromium: str, tmp_path: Path
) -> None:
    from playwright.sync_api import ConsoleMessage, Request, Route, sync_playwright

    page_path = _backfill_and_report(isolated_runner, scenario_name)
    manifest = manifest_of(Path("out"))
    tables = load_output(Path("out"), manifest=manifest)
    expected = VOLUME_CHARTS + len(drawable_figures(scenario_of(manifest), tables))
    errors: list[str] = []
    failed: list[str] = []
    elsewhere: list[str] = []

    def block(route: Route) -> None:  # only the page itself may load
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    def on_failed(request: Request) -> None:
        failed.append(f"{request.url}: {request.failure}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"], timeout=60_000)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.route("**/*", block)
            page.on("console", on_console)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("requestfailed", on_failed)
            page.goto(page_path.as_uri(), wait_until="load", timeout=60_000)
            marks: list[Any] = page.evaluate(DRAWN_MARKS)
            titles = page.locator("figure.chart h3").all_inner_texts()
            page.screenshot(path=str(tmp_path / f"report-{scenario_name}.png"), full_page=True)
        finally:
            browser.close()

    assert errors == [] and failed == [] and elsewhere == []
    assert len(marks) == expected, json.dumps(titles)
    assert all(n > 0 for n in marks), dict(zip(titles, marks, strict=True))
    assert (tmp_path / f"report-{scenario_name}.png").stat().st_size > 0
