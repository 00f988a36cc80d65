"""The plan's estimates against a real backfill: rows and Avro bytes per table, and where the peak falls.

Two weeks around Black Friday: the range holds the year's busiest store day, Cyber Monday's online rush
and the December run-up, so the curves are tested where they bend most.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from emitter.avro.encode import encode_table
from emitter.backfill import run_backfill
from emitter.config import Config, load_config
from emitter.core.clock import MICROS_PER_HOUR, date_range
from emitter.core.holidays import black_friday
from emitter.errors import ConfigError
from emitter.plan import build_plan
from emitter.scenarios import open_scenario
from emitter.scenarios.contract import Scenario

START, DAYS = date(2024, 11, 22), 14
TOLERANCE = 0.10
ESTIMATED = ["retail", "ecommerce", "fitness", "banking"]  # scenarios with an estimator (Scenario.plan_volumes)
# The preset each is compared at: big enough that a backfill's busiest hour is the model's, not noise. At
# small, fitness has about 30 events in its busiest hour, and a class's bookings, check-ins and check-outs
# land in the same hour, so a weekday evening swings by half from one week to the next (46 against 18).
# Banking's busiest hour is month-end interest, one row per savings account at 23:00: full-scale gives it
# thousands. Its `small` bank opens in 2025, after this range.
PRESET = {"retail": "small", "ecommerce": "small", "fitness": "full-scale", "banking": "full-scale"}
# Settings on top of the preset, for a table that would be noise: at the default fraud rate two weeks hold
# some 30 incidents, half of them card testing at ten or so rows each, so the labels swing by a third. At
# the rate of banking's `small` preset they are some 1,500.
SETTINGS = {"banking": {"fraud": {"incidents_per_1000_accounts_day": 25.0}}}


def _config(scenario: str) -> Config:
    overrides = {"scenario": scenario, "preset": PRESET[scenario]}
    return load_config(None, overrides={**overrides, scenario: SETTINGS.get(scenario, {})})


def _real(scenario: str, out: Path) -> tuple[Counter[str], Counter[str], Counter[datetime]]:
    """Rows and Avro bytes per table of a real backfill, and streamed events per hour of event time."""
    config = _config(scenario)
    run_backfill(config, START, START + timedelta(days=DAYS - 1), out, fmt="parquet")
    model = open_scenario(config)
    catalog = model.catalog()
    rows: Counter[str] = Counter()
    size: Counter[str] = Counter()
    hours: Counter[datetime] = Counter()
    for spec in catalog.tables:
        root = out / ("master" if not spec.per_day else "facts") / catalog.path(spec)
        files = sorted(root.glob("**/*.parquet")) if root.is_dir() else [root.with_suffix(".parquet")]
        for file in files:
            table = pq.read_table(file)
            rows[spec.id] += table.num_rows
            size[spec.id] += encode_table(table, catalog.avro(spec)).nbytes
            if spec.per_day and spec.streamed:
                ts = table.column(spec.event_time).cast(pa.int64()).to_numpy() // MICROS_PER_HOUR
                hours.update(datetime(1970, 1, 1) + timedelta(hours=int(h)) for h in ts)
    return rows, size, hours


@pytest.mark.parametrize("scenario", ESTIMATED)
def test_estimates_are_within_ten_percent_of_a_backfill(scenario: str, tmp_path: Path) -> None:
    rows, size, hours = _real(scenario, tmp_path / "out")
    model = open_scenario(_config(scenario))
    days = date_range(START, START + timedelta(days=DAYS - 1))
    volumes = model.plan_volumes(days)
    assert set(volumes) == set(model.catalog().ids)
    for table, volume in volumes.items():
        assert rows[table] > 0, table
        assert volume.rows == pytest.approx(rows[table], rel=TOLERANCE), table
        assert volume.row_bytes == pytest.approx(size[table] / rows[table], rel=TOLERANCE), table

    streamed = [t.id for t in model.catalog().streamed]
    plan = build_plan(scenario, days, volumes, streamed, burst=100, interval_ms=500, speed=60.0)
    busiest, count = hours.most_common(1)[0]
    # the estimated peak hour was, in the backfill, as busy as its busiest hour: two sale days can tie
    # within the noise (e-commerce's Black Friday and Cyber Monday evenings), so no exact argmax
    estimated_peak = datetime.combine(plan.replay.peak_day, datetime.min.time()) + timedelta(
        hours=plan.replay.peak_hour
    )
    assert hours[estimated_peak] == pytest.approx(count, rel=TOLERANCE), (estimated_peak, busiest)
    assert plan.replay.peak == pytest.approx(count / 3600 * 60.0, rel=TOLERANCE)
    real_mean = sum(hours.values()) / (DAYS * 86_400) * 60.0
    assert plan.replay.mean == pytest.approx(real_mean, rel=TOLERANCE)


def test_retail_replay_peaks_on_black_friday() -> None:
    model = open_scenario(load_config(None, overrides={"scenario": "retail", "preset": "small"}))
    days = date_range(date(2024, 11, 1), date(2024, 12, 10))
    plan = build_plan(
        "retail", days, model.plan_volumes(days), [t.id for t in model.catalog().streamed], burst=1, interval_ms=1
    )
    assert plan.replay.peak_day == black_friday(2024)
    assert 11 <= (plan.replay.peak_hour or 0) <= 20  # store hours: lunch or the after-work peak


def test_a_live_rate_is_burst_over_interval() -> None:
    model = open_scenario(load_config(None, overrides={"scenario": "retail", "preset": "small"}))
    days = [START]
    plan = build_plan("retail", days, model.plan_volumes(days), ["receipts"], burst=250, interval_ms=100)
    assert plan.live.mean == plan.live.peak == 2_500
    assert plan.live.needs.throughput_units == 3  # 2,500 events/s of under 400 bytes: events bind
    assert plan.live.needs.tu_bound_by == "events"


def test_a_scenario_without_an_estimator_refuses_in_one_line() -> None:
    # every registered scenario has an estimator: the contract's default, on one of them
    model = open_scenario(load_config(None, overrides={"scenario": "fitness", "preset": "small"}))
    with pytest.raises(ConfigError, match="plan is not available for scenario fitness"):
        Scenario.plan_volumes(model, [START])


def test_hourly_peak_sums_every_streamed_table() -> None:
    model = open_scenario(load_config(None, overrides={"scenario": "retail", "preset": "small"}))
    volumes = model.plan_volumes([START])
    both = build_plan("retail", [START], volumes, ["receipts", "foot_traffic"], burst=1, interval_ms=1)
    alone = build_plan("retail", [START], volumes, ["receipts"], burst=1, interval_ms=1)
    total = volumes["receipts"].rows + volumes["foot_traffic"].rows
    assert both.replay.mean == pytest.approx(total / 86_400)
    assert both.replay.peak > alone.replay.peak
    assert np.isclose(alone.replay.mean, volumes["receipts"].rows / 86_400)
