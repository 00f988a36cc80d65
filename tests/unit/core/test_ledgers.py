from __future__ import annotations

import numpy as np

from emitter.core.ledgers import running_balance


def _by_loop(key: np.ndarray, time: np.ndarray, delta: np.ndarray, opening: np.ndarray) -> np.ndarray:
    balance = opening.copy()
    out = np.empty_like(delta)
    for i in sorted(range(key.size), key=lambda i: (time[i], i)):
        balance[key[i]] += delta[i]
        out[i] = balance[key[i]]
    return out


def test_matches_a_plain_loop_with_ties_unsorted_rows_and_unused_keys() -> None:
    rng = np.random.default_rng(7)
    key = rng.integers(0, 40, 5_000)
    time = rng.integers(0, 300, 5_000)  # many ties: input order decides
    delta = rng.integers(-50, 50, 5_000)
    opening = rng.integers(0, 1_000, 50)
    assert (running_balance(key, time, delta, opening) == _by_loop(key, time, delta, opening)).all()


def test_each_key_starts_from_its_own_opening() -> None:
    key = np.array([1, 0, 1, 0])
    got = running_balance(key, np.array([3, 2, 1, 0]), np.array([1, 2, 3, 4]), np.array([100, 10]))
    assert got.tolist() == [14, 106, 13, 104]


def test_no_rows() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert running_balance(empty, empty, empty, np.array([5])).size == 0
