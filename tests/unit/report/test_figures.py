"""The figure builders count what they are given; each scenario's figures add up to its tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from emitter.scenarios import Scenario
from emitter.scenarios.figures import FigureKind, distribution, mix, names_of, stages, top

from .conftest import generated


def test_distribution_counts_each_size_and_folds_the_tail() -> None:
    figure = distribution("t", np.array([1, 1, 2, 5, 9, 3]), x="size", y="units", cap=4, least=1)

    assert figure.kind is FigureKind.DISTRIBUTION
    assert figure.points == (("1", 2.0), ("2", 1.0), ("3", 1.0), ("4+", 2.0))


def test_mix_is_largest_first_with_nulls_named() -> None:
    figure = mix("t", pa.array(["b", "a", "b", None, "b", "a"]), x="v", y="n")

    assert figure.points == (("b", 3.0), ("a", 2.0), ("none", 1.0))


def test_stages_keep_their_order() -> None:
    assert stages("t", [("all", 10), ("some", 4), ("few", 7)], x="s", y="n").points == (
        ("all", 10.0),
        ("some", 4.0),
        ("few", 7.0),
    )


def test_top_ranks_by_rows_or_weights_and_names_keys() -> None:
    keys = pa.array([3, 1, 3, 2, 3, 1])
    names = {1: "one", 2: "two", 3: "three"}

    assert top("t", keys, names, x="k", y="rows", n=2).points == (("three", 3.0), ("one", 2.0))
    weights = np.array([1.0, 10.0, 1.0, 50.0, 1.0, 10.0])
    assert top("t", keys, names, x="k", y="sum", weights=weights).points == (
        ("two", 50.0),
        ("one", 20.0),
        ("three", 3.0),
    )
    assert names_of(pa.table({"id": [1, 2], "name": ["a", "b"]}), "id", "name") == {1: "a", 2: "b"}


@pytest.fixture(scope="module", params=["retail", "ecommerce", "fitness", "banking"])
def world(request: pytest.FixtureRequest) -> tuple[Scenario[Any], dict[str, pa.Table]]:
    return generated(request.param)


def test_every_built_in_scenario_declares_its_domain_figures(world: tuple[Scenario[Any], dict[str, pa.Table]]) -> None:
    scenario, tables = world

    figures = scenario.figures(tables)

    kinds = {f.kind for f in figures}
    assert FigureKind.TOP in kinds and FigureKind.MIX in kinds and FigureKind.DISTRIBUTION in kinds
    for f in figures:
        assert f.points and all(value >= 0 for _, value in f.points), f.title
    assert scenario.figures({}) == []  # nothing at hand, nothing drawn


def test_retail_figures_add_up_to_its_tables() -> None:
    scenario, tables = generated("retail")
    by_title = {f.title: f for f in scenario.figures(tables)}

    receipts_with_lines = len(pc.unique(tables["receipt_lines"].column("receipt_id")))
    assert sum(v for _, v in by_title["Basket size"].points) == receipts_with_lines
    tenders = by_title["Payment mix"].points
    assert sum(v for _, v in tenders) == tables["receipts"].num_rows
    cash = pc.sum(pc.equal(tables["receipts"].column("tender_type"), "CASH")).as_py()
    assert dict(tenders)["CASH"] == cash


def test_fitness_visit_frequency_counts_member_weeks() -> None:
    scenario, tables = generated("fitness", days=8)
    by_title = {f.title: f for f in scenario.figures(tables)}
    access = tables["ods.memberaccess"].to_pylist()
    weeks: dict[tuple[int, tuple[int, int]], int] = {}
    for row in access:
        if row["accesstype"] == "CheckIn":
            iso = row["accesstime"].isocalendar()
            key = (row["memberid"], (iso.year, iso.week))
            weeks[key] = weeks.get(key, 0) + 1

    frequency = by_title["Visit frequency"].points
    assert sum(v for _, v in frequency) == len(weeks)
    assert dict(frequency)["1"] == sum(1 for n in weeks.values() if n == 1)


def test_banking_balances_are_each_accounts_last_balance_at_hand() -> None:
    scenario, tables = generated("banking")
    by_title = {f.title: f for f in scenario.figures(tables)}
    last: dict[int, tuple[object, float]] = {}
    for row in tables["accounts_db.transactions"].to_pylist():
        if row["account_id"] not in last or row["transaction_at"] >= last[row["account_id"]][0]:
            last[row["account_id"]] = (row["transaction_at"], float(row["balance_after"]))
    balances = by_title["Balances"].points
    assert sum(v for _, v in balances) == len(last)
    assert dict(balances)["0"] == sum(1 for _, b in last.values() if b < 1_000)
