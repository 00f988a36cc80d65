"""``emitter report`` timings: load a backfill, run its rules, plan and draw the charts, write the page.

Backfills each scenario on its small preset into a temporary folder (not timed), then times each step of
the report in this process, the first chart render included (vl-convert starts its engine then).

    python bench/report.py                      # every built-in scenario, 7 days from 2024-11-25
    python bench/report.py --scenario retail --days 30
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

START = date(2024, 11, 25)  # Thanksgiving week: the daily chart has holidays to mark


def measure(scenario: str, days: int, start: date) -> dict[str, float]:
    from emitter.backfill.runner import run_backfill
    from emitter.config import load_config

    config = load_config(path=None, overrides={"scenario": scenario, "preset": "small"}, environ={})
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        run_backfill(config, start, start + timedelta(days=days - 1), out)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        from emitter.report.build import build_report, write_report
        from emitter.report.source import from_backfill

        timings["import"] = time.perf_counter() - started
        mark = time.perf_counter()
        chosen, tables = from_backfill(out)
        timings["load"] = time.perf_counter() - mark
        mark = time.perf_counter()
        results = chosen.rules(tables)
        timings["rules"] = time.perf_counter() - mark
        mark = time.perf_counter()
        page = build_report(chosen, tables, results)
        timings["charts"] = time.perf_counter() - mark
        mark = time.perf_counter()
        write_report(Path(tmp) / "report.html", page)
        timings["write"] = time.perf_counter() - mark
        timings["total"] = time.perf_counter() - started
        timings["rows"] = float(sum(t.num_rows for t in tables.values()))
        timings["n_charts"] = float(page.count("<figure class='chart"))
        timings["kib"] = len(page.encode()) / 1024
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", action="append", help="Scenario to time (repeatable; default: all built-in).")
    parser.add_argument("--days", type=int, default=7, help="Days to backfill and report on.")
    parser.add_argument("--start", type=date.fromisoformat, default=START, help="First day, YYYY-MM-DD.")
    args = parser.parse_args()
    for scenario in args.scenario or ["retail", "ecommerce", "fitness"]:
        t = measure(scenario, args.days, args.start)
        print(
            f"report {scenario:<10} {args.days} days, {t['rows']:>9,.0f} rows, {t['n_charts']:.0f} charts, "
            f"{t['kib']:.0f} KiB: import {t['import']:.2f} s, load {t['load']:.2f} s, rules {t['rules']:.2f} s, "
            f"charts {t['charts']:.2f} s, write {t['write']:.3f} s, total {t['total']:.2f} s"
        )


if __name__ == "__main__":
    main()
