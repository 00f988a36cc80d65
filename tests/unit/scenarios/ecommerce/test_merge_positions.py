"""Merging a session's cart and checkout events into its browse sequence keeps the order a full sort gives."""

from __future__ import annotations

import numpy as np

from emitter.scenarios.ecommerce.clicks import merge_positions


def test_merge_equals_a_stable_sort_of_both_sides() -> None:
    rng = np.random.default_rng(5)
    main_key = np.sort(rng.choice(np.arange(0, 200_000, 2), 20_000, replace=False))  # even keys
    extra_key = rng.integers(0, 100_000, 3_000) * 2 + 1  # odd: never equal to a main key, often to each other
    place = merge_positions(main_key, extra_key)
    merged = place(main_key, extra_key)
    both = np.concatenate([main_key, extra_key])
    assert np.array_equal(merged, both[np.argsort(both, kind="stable")])
    # ties among the extra rows keep their given order
    tag = place(np.full(main_key.size, -1), np.arange(extra_key.size))
    extra_order = tag[tag >= 0]
    assert np.array_equal(extra_order, np.argsort(extra_key, kind="stable"))
