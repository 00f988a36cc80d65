"""Fitness volumes that can't make a chain are refused with a sentence saying what would."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from emitter.scenarios.fitness.settings import FitnessSettings


@pytest.mark.parametrize(
    ("volume", "message"),
    [
        ({"facilities": 50, "members": 10}, "members must be at least 10 per facility (500 for 50)"),
        ({"facilities": 10, "staff": 20}, "staff must be at least 3 per facility"),
        ({"members_from": "2025-01-01", "members_until": "2024-12-31"}, "members_until must not be before"),
    ],
)
def test_a_chain_that_cannot_work_is_refused(volume: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        FitnessSettings.model_validate({"volume": volume})


def test_the_smallest_sensible_chain_is_accepted() -> None:
    v = FitnessSettings.model_validate({"volume": {"facilities": 5, "members": 50, "staff": 15}}).volume
    assert (v.facilities, v.members, v.staff) == (5, 50, 15)
