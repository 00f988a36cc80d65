"""ThrottledLog: a line of one kind once per interval, then how many were held back."""

from __future__ import annotations

import logging

import pytest

from emitter.throttled_log import ThrottledLog


def test_lines_that_differ_only_in_numbers_are_one_kind(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    log = ThrottledLog(logging.getLogger("emitter.test"), 10.0, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="emitter.test"):
        for second in range(25):
            now[0] = float(second)
            log.note(logging.WARNING, f"t[0] (read from {second * 100}) refused")
            log.note(logging.WARNING, "another kind of line")
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "t[0] (read from 0) refused",
        "another kind of line",
        "t[0] (read from 1000) refused (9 more like it since the last one)",
        "another kind of line (9 more like it since the last one)",
        "t[0] (read from 2000) refused (9 more like it since the last one)",
        "another kind of line (9 more like it since the last one)",
    ]


def test_a_kind_can_be_given(caplog: pytest.LogCaptureFixture) -> None:
    log = ThrottledLog(logging.getLogger("emitter.test"), 10.0, clock=lambda: 0.0)
    with caplog.at_level(logging.INFO, logger="emitter.test"):
        log.note(logging.INFO, "broker a is down", kind="down")
        log.note(logging.INFO, "broker b is down", kind="down")
    assert [r.getMessage() for r in caplog.records] == ["broker a is down"]
