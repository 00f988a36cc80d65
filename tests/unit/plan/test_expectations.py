"""The closed forms the estimators share, against cases whose answer is known exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest

from emitter.plan.expectations import capped_poisson_mean, normal_sf


def test_a_cap_of_one_counts_whether_anything_came() -> None:
    lam = np.array([0.1, 1.0, 4.0])
    assert capped_poisson_mean(lam, 1) == pytest.approx(1 - np.exp(-lam))


def test_a_cap_far_above_the_rate_leaves_the_mean() -> None:
    assert capped_poisson_mean(np.array([3.0, 7.5]), 80) == pytest.approx([3.0, 7.5])


def test_each_rate_takes_its_own_cap() -> None:
    lam = np.array([2.0, 2.0, 2.0])
    # E[min(X, 2)] = P(X = 1) + 2 P(X >= 2) = 2 - 2 e^-2 - 2 e^-2
    assert capped_poisson_mean(lam, np.array([0, 2, 60])) == pytest.approx([0.0, 2 - 4 * math.exp(-2), 2.0])


def test_the_normal_tail_is_symmetric_and_known_at_its_quantiles() -> None:
    x = np.array([-1.959964, 0.0, 1.644854])
    assert normal_sf(x) == pytest.approx([0.975, 0.5, 0.05], abs=1e-6)
