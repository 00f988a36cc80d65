"""Same config → same bytes, whatever the chunking; a day's rows belong to that day."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pytest
from support import small_config as make_small_config

from emitter.config import Config
from emitter.errors import ConfigError
from emitter.scenarios import open_scenario
from emitter.scenarios.retail import RetailScenario, RetailSettings

from .readers import epoch_day, micros
from .retail_data import MONTH_END, PER_DAY_TABLES, REFERENCE_TABLES, THANKSGIVING_WEEK, RetailRun

DAY = date(2024, 3, 5)


def assert_same(a: dict[str, pa.Table], b: dict[str, pa.Table], where: str) -> None:
    assert a.keys() == b.keys(), where
    for name in a:
        assert a[name].num_rows > 0 or name in ("truck_moves",), f"{where}: {name} is empty"
        assert a[name].equals(b[name]), f"{where}: {name} differs"


def test_same_config_gives_identical_master(retail: RetailRun, small_config: Config) -> None:
    other = open_scenario(small_config).reference()
    assert set(other) == set(REFERENCE_TABLES)
    assert_same(retail.master, other, "master")


def test_same_config_gives_identical_day(retail: RetailRun, small_config: Config) -> None:
    ((_, first),) = retail.days(DAY, 1)
    ((_, second),) = list(open_scenario(small_config).days([DAY], None))
    assert set(first) == set(PER_DAY_TABLES)
    assert_same(first, second, str(DAY))


def test_seed_and_settings_alone_make_the_scenario(retail: RetailRun, small_config: Config) -> None:
    """What a worker or validate rebuilds from (seed, settings) is what the config opened."""
    settings = RetailSettings.model_validate(retail.settings.model_dump(mode="json"))
    rebuilt = RetailScenario(small_config.seed, settings)
    assert_same(retail.master, rebuilt.reference(), "reference")
    ((_, ours),) = retail.days(DAY, 1)
    ((_, theirs),) = list(rebuilt.days([DAY], None))
    assert_same(ours, theirs, str(DAY))


def test_a_different_seed_gives_different_data(retail: RetailRun) -> None:
    other = open_scenario(make_small_config(seed=retail.config.seed + 1))
    ((_, day),) = list(other.days([DAY], None))
    ((_, ours),) = retail.days(DAY, 1)
    for name in PER_DAY_TABLES:
        assert not day[name].equals(ours[name]), name
    for name in ("stores", "products", "customers"):
        assert not other.reference()[name].equals(retail.master[name]), name


@pytest.mark.slow
@pytest.mark.parametrize("window", [MONTH_END, THANKSGIVING_WEEK], ids=["month_end", "thanksgiving"])
def test_chunking_does_not_change_facts(varied: RetailRun, window: tuple[date, int]) -> None:
    """On the world with all-night stores, so that even Thanksgiving has receipts to compare."""
    retail = varied
    start, n = window
    days = [start + timedelta(days=i) for i in range(n)]
    assert len({d.month for d in days}) == 2, "the window should cross a month boundary"
    together = retail.days(start, n)
    assert [d for d, _ in together] == days
    one_by_one = [out for d in days for out in retail.scenario.days([d], PER_DAY_TABLES)]
    fresh = open_scenario(retail.config)
    split = [*fresh.days(days[:3], PER_DAY_TABLES), *fresh.days(days[3:], PER_DAY_TABLES)]
    for i, day in enumerate(days):
        assert one_by_one[i][0] == split[i][0] == day
        assert_same(together[i][1], one_by_one[i][1], f"{day} alone")
        assert_same(together[i][1], split[i][1], f"{day} split 3+{n - 3} on a fresh instance")
    # days asked for in reverse order (each one is rebuilt from its own week)
    backwards = list(open_scenario(retail.config).days(days[2::-1], PER_DAY_TABLES))[::-1]
    for i, (day, tables) in enumerate(backwards):
        assert day == days[i]
        assert_same(together[i][1], tables, f"{day} in reverse order")


def test_asking_for_fewer_tables_gives_the_same_rows(retail: RetailRun) -> None:
    start, n = MONTH_END
    full = retail.days(start, n)
    for subset in (
        ["receipts"],
        ["store_inventory_txn"],
        ["dc_inventory_txn"],
        ["ble_pings", "marketing"],
        ["online_order_lines", "truck_moves"],
    ):
        for (day, partial), (_, everything) in zip(
            retail.scenario.days([d for d, _ in full], subset), full, strict=True
        ):
            assert set(partial) == set(subset)
            for name in subset:
                assert partial[name].equals(everything[name]), f"{day} {name} with only {subset}"


def test_every_row_belongs_to_its_day_in_time_order(retail: RetailRun) -> None:
    start, n = THANKSGIVING_WEEK
    for day, tables in retail.days(start, n):
        for name, table in tables.items():
            ts = micros(table)
            assert (epoch_day(ts) == epoch_day(day)).all(), f"{day} {name}: rows from another day"
            assert (np.diff(ts) >= 0).all(), f"{day} {name}: not sorted by event_ts"
            trace = table.column("trace_id").to_pylist()
            assert len(set(trace)) == len(trace), f"{day} {name}: duplicate trace ids"


def test_trace_ids_are_unique_across_tables_and_days(retail: RetailRun) -> None:
    window = retail.window(*THANKSGIVING_WEEK)
    ids = [i for t in window.values() for i in t.column("trace_id").to_pylist()]
    assert len(ids) == len(set(ids))


def test_unknown_fact_table_is_a_clear_error(retail: RetailRun) -> None:
    with pytest.raises(ConfigError, match="receits"):
        list(retail.scenario.days([DAY], ["receits"]))


def test_a_reference_table_is_no_day_table(retail: RetailRun) -> None:
    with pytest.raises(ConfigError, match="customers can't be streamed"):
        list(retail.scenario.days([DAY], ["receipts", "customers"]))


def test_no_tables_means_every_per_day_table(retail: RetailRun) -> None:
    ((_, everything),) = list(retail.scenario.days([DAY], None))
    assert list(everything) == list(PER_DAY_TABLES)
