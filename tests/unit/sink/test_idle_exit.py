"""The sink's idle exit waits until it knows every assigned partition's end, and has reached it."""

from __future__ import annotations

from typing import Any

from emitter.scenarios.retail import RetailScenario
from emitter.sink.consumer import SinkSettings, _SinkLoop


def _loop(positions: dict[tuple[str, int], int]) -> _SinkLoop:
    nothing: Any = None  # the idle rule reads only positions and lag
    loop = _SinkLoop(SinkSettings("127.0.0.1:1", "t"), nothing, nothing, RetailScenario.catalog(), nothing)
    loop.positions = dict(positions)
    return loop


def test_unknown_ends_are_not_caught_up() -> None:
    """Right after assignment no fetch has answered: no end is known yet, so the sink must not call it idle."""
    assert not _loop({("t", 0): 0, ("t", 1): 0})._caught_up({})
    assert not _loop({("t", 0): 0, ("t", 1): 0})._caught_up({("t", 0): 0})


def test_known_ends_all_reached_are_caught_up() -> None:
    assert _loop({("t", 0): 5, ("t", 1): 0})._caught_up({("t", 0): 0, ("t", 1): 0})
    assert not _loop({("t", 0): 5})._caught_up({("t", 0): 2})


def test_nothing_assigned_is_not_caught_up() -> None:
    assert not _loop({})._caught_up({})
