from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from emitter.backfill.layout import fact_file, master_file
from emitter.backfill.manifest import Manifest, PartitionRecord
from emitter.backfill.plan import DayWork, plan_backfill, split_contiguous
from emitter.core.clock import date_range as day_range
from emitter.scenarios.retail import RetailScenario

CATALOG = RetailScenario.catalog()
XX_SHA256 = hashlib.sha256(b"xx").hexdigest()


def test_day_range_includes_both_ends() -> None:
    assert day_range(date(2024, 2, 28), date(2024, 3, 1)) == [
        date(2024, 2, 28),
        date(2024, 2, 29),
        date(2024, 3, 1),
    ]
    assert day_range(date(2024, 1, 1), date(2024, 1, 1)) == [date(2024, 1, 1)]


def test_split_contiguous_keeps_order_and_balances_sizes() -> None:
    items = list(range(7))
    chunks = split_contiguous(items, 4)

    assert chunks == [[0, 1], [2, 3], [4, 5], [6]]
    assert split_contiguous(items, 1) == [items]
    assert split_contiguous(items[:2], 8) == [[0], [1]]
    assert split_contiguous([], 3) == []


def test_layout_is_hive_style() -> None:
    assert master_file("stores", "csv") == "master/stores.csv"
    assert fact_file("receipts", date(2024, 1, 5), "parquet") == (
        "facts/receipts/dt=2024-01-05/receipts_20240105.parquet"
    )


def test_a_table_of_a_namespace_sits_in_the_namespaces_folder() -> None:
    assert master_file("accounts_db/customers", "csv") == "master/accounts_db/customers.csv"
    assert fact_file("accounts_db/transactions", date(2024, 1, 5), "avro") == (
        "facts/accounts_db/transactions/dt=2024-01-05/transactions_20240105.avro"
    )
    assert CATALOG.path(CATALOG.get("receipts")) == "receipts", "retail has one namespace: paths are table names"


def test_plan_skips_complete_partitions_unless_forced(tmp_path: Path) -> None:
    manifest = Manifest(scenario="retail", seed=42, fingerprint="f", format="parquet")
    done = [master_file("stores", "parquet"), fact_file("receipts", date(2024, 1, 1), "parquet")]
    for key in done:
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / key).write_bytes(b"xx")
        manifest.partitions[key] = PartitionRecord("t", None, "parquet", 1, 2, XX_SHA256)
    days = day_range(date(2024, 1, 1), date(2024, 1, 2))

    plan = plan_backfill(
        manifest, tmp_path, "parquet", CATALOG, ["stores", "products"], ["receipts", "marketing"], days, False
    )
    assert plan.master == ("products",)
    assert plan.days == (
        DayWork(date(2024, 1, 1), ("marketing",)),
        DayWork(date(2024, 1, 2), ("receipts", "marketing")),
    )
    assert plan.skipped == 2
    assert plan.partitions_per_table() == {"products": 1, "marketing": 2, "receipts": 1}

    forced = plan_backfill(
        manifest, tmp_path, "parquet", CATALOG, ["stores", "products"], ["receipts", "marketing"], days, True
    )
    assert forced.partition_count == 6 and forced.skipped == 0


def test_another_format_is_planned_separately(tmp_path: Path) -> None:
    manifest = Manifest(scenario="retail", seed=42, fingerprint="f", format="parquet")
    key = master_file("stores", "parquet")
    (tmp_path / key).parent.mkdir(parents=True)
    (tmp_path / key).write_bytes(b"xx")
    manifest.partitions[key] = PartitionRecord("stores", None, "parquet", 1, 2, XX_SHA256)

    plan = plan_backfill(manifest, tmp_path, "csv", CATALOG, ["stores"], [], [], False)
    assert plan.master == ("stores",)
