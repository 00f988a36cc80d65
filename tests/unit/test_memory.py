"""A run whose settings need more memory than is free is refused in one line, before it starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import fails_with
from typer.testing import CliRunner

from emitter.config import load_config
from emitter.errors import ConfigError
from emitter.memory import available_memory, check_memory
from emitter.scenarios import open_scenario


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# 20,000 stores × 200,000 products of stock state alone is hundreds of GiB: no machine has it free.
HUGE = ["--set", "retail.volume.stores=20000", "--set", "retail.volume.products=200000"]


def _retail(**volume: int) -> object:
    return open_scenario(load_config(None, {"retail": {"volume": volume}}, {}))


def test_the_check_compares_every_process_with_what_is_free() -> None:
    scenario = _retail()
    need = scenario.memory_estimate()  # type: ignore[attr-defined]
    assert need is not None and need > 0
    check_memory(scenario, 2, available=2 * need)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"GiB per process, .* GiB for 3, .* fewer --workers"):
        check_memory(scenario, 3, available=2 * need)  # type: ignore[arg-type]


def test_the_estimate_grows_with_every_volume() -> None:
    base = _retail().memory_estimate()  # type: ignore[attr-defined]
    bigger = {"customers": 400_000, "stores": 1_000, "products": 4_000, "customers_per_day": 80_000}
    bigger |= {"online_orders_per_day": 10_000, "marketing_impressions_per_day": 200_000}
    for volume, value in bigger.items():
        assert _retail(**{volume: value}).memory_estimate() > base, volume  # type: ignore[attr-defined]


def test_what_is_free_is_known_here() -> None:
    free = available_memory()
    assert free is not None and 0 < free < 2**50


@pytest.mark.parametrize("command", ["backfill", "stream", "demo"])
def test_settings_too_big_for_the_machine_are_one_line(runner: CliRunner, tmp_path: Path, command: str) -> None:
    args = {
        "backfill": ["backfill", "--start", "2024-01-01", "--out", str(tmp_path / "out")],
        "stream": ["stream", "--start", "2024-01-01", "--speed", "max", "--bootstrap-servers", "127.0.0.1:1"],
        "demo": ["demo", "--warehouse", str(tmp_path / "w.duckdb")],
    }[command]
    (tmp_path / "config.json").write_text("{}")
    fails_with(runner, [*args, *HUGE, "--config", str(tmp_path / "config.json")], "GiB", "is free", "--scale")
    assert not (tmp_path / "out").exists() and not (tmp_path / "w.duckdb").exists()


def test_a_volume_past_its_bound_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"retail": {"volume": {"customers_per_day": 1_000_000_000}}}))
    args = [
        "backfill",
        "--start",
        "2024-01-01",
        "--out",
        str(tmp_path / "out"),
        "--config",
        str(tmp_path / "config.json"),
    ]
    fails_with(runner, args, "retail.volume.customers_per_day", "less than or equal")
