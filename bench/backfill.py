"""Backfill throughput: a scenario's vectorized generator end to end to Parquet (retail: against a naive baseline).

Prints rows/s per table and in total on one worker, and peak memory for a short and a long range
(memory should stay flat as the range grows). For retail it also times a Faker-and-dicts implementation
of receipts + receipt_lines written through the same Parquet writer. Each measurement runs in its own
process so peak RSS is its own.

    python bench/backfill.py            # retail, 7 days at config.json volumes (250 stores, 20k visits/day)
    python bench/backfill.py --days 3   # quicker
    python bench/backfill.py --scenario ecommerce --days 30 --scale 10   # 10,000 sessions a day for a month
    python bench/backfill.py --preset small --days 1 --lines-days 2 --naive-receipts 500   # a quick try
    python bench/backfill.py --scenario fitness --start 2024-01-01 --days 365 --workers 2 \
        --set fitness.volume.facilities=50 --set fitness.volume.members=50000 --set fitness.volume.staff=1250
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

START = date(2024, 3, 4)  # a Monday, outside holiday peaks


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_vectorized(
    days: int,
    tables: list[str] | None,
    preset: str | None,
    scenario: str,
    scale: float,
    sets: list[str] | None = None,
    workers: int = 1,
    start: date = START,
    profile: bool = False,
) -> dict[str, object]:
    from emitter.backfill.runner import run_backfill
    from emitter.cli.options import parse_sets
    from emitter.config import load_config

    path = Path("config.json") if Path("config.json").exists() else None
    overrides = {**parse_sets(sets or []), "preset": preset, "scenario": scenario, "scale": scale}
    config = load_config(path=path, overrides=overrides, environ={})
    profiler = cProfile.Profile() if profile else None
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        summary = run_backfill(config, start, start + timedelta(days=days - 1), Path(tmp), "parquet", tables, workers)
        if profiler is not None:
            profiler.disable()
        wall = time.perf_counter() - started  # the run itself: removing the output below is not the backfill's
    per_table = {name: t.rows for name, t in summary.tables.items()}
    figures: dict[str, object] = {"wall": wall, "tables": per_table, "peak_mb": _peak_mb()}
    if profiler is not None:
        figures["split"] = profile_split(pstats.Stats(profiler), wall)
    return figures


# Where a one-worker run spends its time, by the functions that bound each step (cumulative, main thread;
# the barrier's fsyncs run in threads and show as the time commit() waits for them).
SPLIT = {
    "generate days": [("emitter/scenarios/contract.py", "days")],
    "reference data": [("/scenario.py", "reference")],
    "encode (Arrow to Parquet)": [("emitter/formats/parquet.py", "write_parquet")],
    "hash + buffered write()": [("emitter/formats/staged.py", "write"), ("emitter/formats/staged.py", "flush")],
    "create temp files": [("emitter/formats/atomic.py", "create_temp_file")],
    "make partition folders": [("emitter/formats/staged.py", "_ensure_dir")],
    "barrier: fsync, rename, fsync folders": [("emitter/formats/staged.py", "commit")],
    "manifest": [("emitter/backfill/manifest.py", "write_manifest")],
    "plan + sweep temp files": [
        ("emitter/backfill/plan.py", "plan_backfill"), ("emitter/formats/atomic.py", "remove_temp_files"),
    ],
}  # fmt: skip


def profile_split(stats: pstats.Stats, wall: float) -> dict[str, float]:
    """Seconds per step of :data:`SPLIT` (hashing is taken out of encoding, which calls it), and the rest."""
    found = dict.fromkeys(SPLIT, 0.0)
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        for label, keys in SPLIT.items():
            if any(filename.endswith(suffix) and name == func for suffix, func in keys):
                found[label] += row[3]
    found["encode (Arrow to Parquet)"] -= found["hash + buffered write()"]
    total = float(stats.total_tt)  # type: ignore[attr-defined]
    found["everything else"] = total - sum(found.values())
    found["profiled total"] = total
    found["wall (profiled)"] = wall
    return found


def measure_naive(receipts: int) -> dict[str, object]:
    """The usual hand-written generator: Faker for each value, one dict per row, then the same writer."""
    import pyarrow as pa
    from faker import Faker

    from emitter.formats import writer_for
    from emitter.scenarios.retail import RetailScenario

    catalog = RetailScenario.catalog()

    fake = Faker()
    Faker.seed(1)
    prices = [fake.pydecimal(left_digits=2, right_digits=2, positive=True) for _ in range(1000)]
    tenders = ["CREDIT_CARD", "DEBIT_CARD", "CASH", "MOBILE_PAY", "GIFT_CARD"]
    day0 = datetime(2024, 3, 4)
    started = time.perf_counter()
    receipt_rows, line_rows = [], []
    for i in range(receipts):
        ts = fake.date_time_between(day0, day0 + timedelta(days=1))
        receipt_id = f"RCP{ts:%Y%m%d}{i:09d}"
        subtotal = Decimal("0.00")
        for line in range(1, fake.random_int(1, 8) + 1):
            product = fake.random_int(1, 1000)
            qty = fake.random_int(1, 3)
            unit = prices[product - 1]
            ext = unit * qty
            subtotal += ext
            line_rows.append({
                "trace_id": fake.uuid4(), "event_ts": ts, "receipt_id": receipt_id, "line": line,
                "product_id": product, "qty": qty, "unit_price": unit, "ext_price": ext,
                "promo_code": fake.bothify("SAVE##") if fake.boolean(chance_of_getting_true=5) else None,
            })  # fmt: skip
        tax = (subtotal * Decimal("0.0725")).quantize(Decimal("0.01"))
        receipt_rows.append({
            "trace_id": fake.uuid4(), "event_ts": ts, "store_id": fake.random_int(1, 250),
            "customer_id": fake.random_int(1, 100_000), "receipt_id": receipt_id, "subtotal": subtotal, "tax": tax,
            "total": subtotal + tax, "tender_type": fake.random_element(tenders),
        })  # fmt: skip
    parquet = writer_for("parquet")
    with tempfile.TemporaryDirectory() as tmp:
        for name, rows in (("receipts", receipt_rows), ("receipt_lines", line_rows)):
            table = pa.Table.from_pylist(rows, schema=catalog.arrow(catalog.get(name)))
            parquet.write(table, Path(tmp) / f"{name}.parquet")
    wall = time.perf_counter() - started
    return {"wall": wall, "tables": {"receipts": len(receipt_rows), "receipt_lines": len(line_rows)},
            "peak_mb": _peak_mb()}  # fmt: skip


def _run(part: str, *args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--part", part, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--naive-receipts", type=int, default=10_000)
    parser.add_argument("--lines-days", type=int, default=28, help="days for the receipts + receipt_lines comparison")
    parser.add_argument("--part", help=argparse.SUPPRESS)
    parser.add_argument("--tables", help=argparse.SUPPRESS)
    parser.add_argument("--preset", help="the scenario's named settings, e.g. small (default: config.json volumes)")
    parser.add_argument("--scenario", default="retail")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the scenario's volumes")
    parser.add_argument("--set", action="append", default=[], help="KEY=VALUE as on the command line (repeatable)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (figures are per run, not per core)")
    parser.add_argument("--skip-memory", action="store_true", help="skip the short and long runs that measure memory")
    parser.add_argument("--start", type=date.fromisoformat, default=START, help=f"first day (default {START})")
    parser.add_argument("--profile", action="store_true", help="also run once under cProfile and print the time split")
    args = parser.parse_args()
    if args.part == "vectorized":
        tables = args.tables.split(",") if args.tables else None
        figures = measure_vectorized(
            args.days, tables, args.preset, args.scenario, args.scale, args.set, args.workers, args.start, args.profile
        )
        print(json.dumps(figures))
        return
    if args.part == "naive":
        print(json.dumps(measure_naive(args.naive_receipts)))
        return

    workers = "one worker" if args.workers == 1 else f"{args.workers} workers"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {workers}")
    preset = ("--preset", args.preset) if args.preset else ()
    preset = (*preset, "--scenario", args.scenario, "--scale", str(args.scale), "--workers", str(args.workers))
    preset = (*preset, "--start", args.start.isoformat(), *(f"--set={item}" for item in args.set))
    full = _run("vectorized", "--days", str(args.days), *preset)
    from emitter.scenarios import scenario_class

    per_day = {t.id for t in scenario_class(args.scenario).catalog().per_day}
    fact_rows = {k: v for k, v in full["tables"].items() if k in per_day}
    scaled = f" at scale {args.scale:g}" if args.scale != 1 else ""
    print(
        f"\nall {args.scenario} tables{scaled}, {args.days} days from {args.start} to Parquet (zstd), {workers}: "
        f"{full['wall']:.1f} s"
    )
    print(f"{'table':<26}{'rows':>12}{'rows/s':>14}")
    total = 0
    for name, rows in sorted(fact_rows.items(), key=lambda kv: -kv[1]):
        total += rows
        print(f"{name:<26}{rows:>12,}{rows / full['wall']:>14,.0f}")
    print(f"{'total':<26}{total:>12,}{total / full['wall']:>14,.0f}")
    print("(per-day tables come from one joint pass, so rows/s = rows / the run's wall time, reference data included)")

    if args.profile:
        _print_split(_run("vectorized", "--days", str(args.days), "--profile", *preset))
    if args.scenario == "retail":
        _naive_comparison(args, preset)
    if args.skip_memory:
        return
    short = _run("vectorized", "--days", "2", *preset)
    long = _run("vectorized", "--days", str(max(args.days * 2, 14)), *preset)
    print("\npeak memory (RSS):")
    print(f"  2 days   {short['peak_mb']:8.0f} MB")
    print(f"  {args.days} days   {full['peak_mb']:8.0f} MB")
    print(f"  {max(args.days * 2, 14)} days  {long['peak_mb']:8.0f} MB")


def _print_split(run: dict[str, object]) -> None:
    split = run["split"]
    assert isinstance(split, dict)
    total = split.pop("profiled total")
    wall = split.pop("wall (profiled)")
    print(f"\nwhere the time goes (cProfile, which slows Python code more than C; {wall:.1f} s profiled):")
    for label, seconds in sorted(split.items(), key=lambda kv: -kv[1]):
        print(f"  {label:<40}{seconds:8.2f} s {100 * seconds / total:6.1f} %")


def _naive_comparison(args: argparse.Namespace, preset: tuple[str, ...]) -> None:
    # 28 days, so the per-run fixed costs (master data, the inventory warm-up week) are spread as in real use
    vec = _run("vectorized", "--days", str(args.lines_days), "--tables", "receipts,receipt_lines", *preset)
    naive = _run("naive", "--naive-receipts", str(args.naive_receipts))
    vec_rate = sum(vec["tables"].values()) / vec["wall"]
    naive_rate = sum(naive["tables"].values()) / naive["wall"]
    print(f"\nreceipts + receipt_lines only, same Parquet writer (vectorized: {args.lines_days} days):")
    for label, run, rate in (("vectorized", vec, vec_rate), ("naive", naive, naive_rate)):
        rows = sum(run["tables"].values())
        print(f"  {label:<11} {rows:>10,} rows in {run['wall']:6.1f} s = {rate:>12,.0f} rows/s")
    print(f"  speed-up    {vec_rate / naive_rate:,.0f}x")


if __name__ == "__main__":
    main()
