"""``emitter plan``: the table of estimates, the stream figures, scenario flags and one-line refusals."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from emitter.cli.app import app
from emitter.scenarios import Scenario, scenario_class

ARGS = ["plan", "--scenario", "retail", "--preset", "small", "--start", "2024-11-22", "--days", "14"]


def _rows(output: str, table: str) -> int:
    match = re.search(rf"│ {table}\s+│\s+([\d,]+)", output)
    assert match, output
    return int(match.group(1).replace(",", ""))


def test_plan_prints_every_table_and_the_stream_figures() -> None:
    result = CliRunner().invoke(app, [*ARGS, "--speed", "60", "--burst", "300", "--emit-interval-ms", "100"])
    assert result.exit_code == 0, result.output
    for spec in scenario_class("retail").catalog().tables:
        assert f"│ {spec.id} " in result.output
    assert "Live stream (--burst 300 every 100 ms): mean 3,000.0 events/s, peak 3,000.0 events/s" in result.output
    assert "Replay at --speed 60" in result.output
    assert "busiest hour 2024-11-29" in result.output
    assert "Event Hubs throughput unit" in result.output and "Kafka partition" in result.output


def test_scale_and_set_change_the_estimate() -> None:
    runner = CliRunner()
    base = runner.invoke(app, ARGS)
    scaled = runner.invoke(app, [*ARGS, "--scale", "2"])
    fewer = runner.invoke(app, [*ARGS, "--set", "retail.volume.online_orders_per_day=50"])
    assert base.exit_code == scaled.exit_code == fewer.exit_code == 0, (base.output, scaled.output, fewer.output)
    assert _rows(scaled.output, "receipts") > 1.8 * _rows(base.output, "receipts")
    assert _rows(fewer.output, "online_order_lines") < 0.3 * _rows(base.output, "online_order_lines")
    assert _rows(fewer.output, "receipts") == _rows(base.output, "receipts")


def test_a_rate_profile_gives_its_mean_and_peak() -> None:
    result = CliRunner().invoke(app, [*ARGS, "--rate-profile", "ramp:100:5000:60s"])
    assert result.exit_code == 0, result.output
    assert "mean 2,550.0 events/s, peak 5,000.0 events/s" in result.output  # a linear ramp's mean is its midpoint


def test_a_scenario_without_an_estimator_fails_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    # every registered scenario has an estimator: one of them falls back to the contract's default
    monkeypatch.setattr(scenario_class("fitness"), "plan_volumes", Scenario.plan_volumes)
    result = CliRunner().invoke(app, ["plan", "--scenario", "fitness", "--preset", "small", "--start", "2024-01-01"])
    assert result.exit_code == 1
    assert "plan is not available for scenario fitness" in result.output
    assert "Traceback" not in result.output


def test_a_bad_partition_throughput_is_refused() -> None:
    result = CliRunner().invoke(app, [*ARGS, "--partitions-throughput", "0"])
    assert result.exit_code == 1
    assert "--partitions-throughput" in result.output


def test_without_start_it_plans_from_today() -> None:
    result = CliRunner().invoke(app, ["plan", "--scenario", "retail", "--preset", "small", "--days", "2"])
    assert result.exit_code == 0, result.output
    assert "(estimates)" in result.output
