"""Keyed randomness: a block's draws depend on its key only."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from emitter.core.rng import BlockKeys, stable_id

ROOT = Path(__file__).resolve().parents[3]
KEY = {"seed": 42, "scenario": "retail", "stream": "visits", "day": date(2024, 3, 1), "shard": 0}


def draws(**changes: object) -> np.ndarray:
    key = {**KEY, **changes}
    keys = BlockKeys(key["seed"], key["scenario"])
    return keys.rng(key["stream"], key["day"], key["shard"]).random(64)


def test_same_key_gives_same_draws() -> None:
    assert np.array_equal(draws(), draws())


def test_date_and_its_ordinal_are_the_same_bucket() -> None:
    assert np.array_equal(draws(day=date(2024, 3, 1)), draws(day=date(2024, 3, 1).toordinal()))


@pytest.mark.parametrize(
    "change",
    [
        {"seed": 43},
        {"scenario": "fashion"},
        {"stream": "baskets"},
        {"day": date(2024, 3, 2)},
        {"day": date(2025, 3, 1)},
        {"shard": 1},
    ],
    ids=lambda c: next(iter(c)),
)
def test_any_key_part_changes_the_draws(change: dict[str, object]) -> None:
    assert not np.allclose(draws(), draws(**change))


def test_blocks_are_independent_of_draw_order() -> None:
    """Drawing from one block first does not shift another block."""
    fresh = draws(stream="baskets")
    BlockKeys(42, "retail").rng("visits", date(2024, 3, 1)).random(10_000)
    assert np.array_equal(fresh, draws(stream="baskets"))


def test_draws_are_the_same_in_another_process() -> None:
    """Python's hash() is salted per process; the key must not be."""
    code = (
        "from datetime import date; from emitter.core.rng import BlockKeys; "
        "print(repr(BlockKeys(42, 'retail').rng('visits', date(2024, 3, 1)).random(4).tolist()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONHASHSEED": "12345"},
    )
    assert out.stdout.strip() == repr(draws()[:4].tolist())
    assert stable_id("visits") != stable_id("baskets")


def test_a_scenarios_keys_carry_its_seed_and_registered_name() -> None:
    from emitter.scenarios.retail import RetailScenario, RetailSettings

    scenario = RetailScenario(7, RetailSettings())
    assert scenario.keys == BlockKeys(7, RetailScenario.name) == BlockKeys(7, "retail")
