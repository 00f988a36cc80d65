"""Ctrl-C during a real backfill: no partial files, a hint to resume, and a resume that completes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from support import default_sigint

from emitter.backfill import run_backfill
from emitter.config import load_config
from emitter.formats.atomic import is_temp_file

pytestmark = pytest.mark.slow  # whole backfills in subprocesses

START = "2024-03-01"
DAYS = 40
TABLES = "receipts,receipt_lines,marketing"


def _checksums(out: Path) -> dict[str, str]:
    partitions = json.loads((out / "_manifest.json").read_text())["partitions"]
    return {key: record["sha256"] for key, record in partitions.items()}


def _command(out: Path, config: Path, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "emitter", "backfill", "--start", START, "--days", str(DAYS),
        "--tables", TABLES, "--out", str(out), "--config", str(config), "--workers", str(workers),
    ]  # fmt: skip


def _frozen_after_a_finished_day(process: subprocess.Popen[str], out: Path, timeout: float = 120.0) -> None:
    """Wait until a day is recorded, then freeze the run (SIGSTOP) with days still to go.

    Freezing first makes the interrupt land mid-run however loaded the machine is: the run can't finish
    between the test seeing its first day and the signal arriving.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the run ended before it could be interrupted: {process.communicate()}"
        try:
            if any(key.startswith("facts/") for key in _checksums(out)):
                os.killpg(process.pid, signal.SIGSTOP)
                recorded = _checksums(out)
                if process.poll() is not None or len(recorded) >= DAYS * 3:
                    with contextlib.suppress(ProcessLookupError):  # a frozen run must not outlive a failed test
                        os.killpg(process.pid, signal.SIGKILL)
                    pytest.fail("the run finished before it froze")
                return
        except (FileNotFoundError, json.JSONDecodeError):
            pass
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    pytest.fail("no day finished in time")


@pytest.mark.parametrize(
    ("workers", "whole_group"),
    [(1, False), (2, True)],
    ids=["one-process-sigint", "workers-ctrl-c-to-process-group"],
)
def test_interrupt_then_resume_matches_a_clean_run(
    retail: Path, tmp_path: Path, workers: int, whole_group: bool
) -> None:
    out = tmp_path / "out"
    process = subprocess.Popen(
        _command(out, retail, workers),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=default_sigint,
    )
    _frozen_after_a_finished_day(process, out)
    if whole_group:
        os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    else:
        process.send_signal(signal.SIGINT)
    os.killpg(process.pid, signal.SIGCONT)  # the interrupt is pending: it is handled as the run wakes
    _, stderr = process.communicate(timeout=120)

    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "run the same command again to resume" in stderr
    assert [p for p in out.rglob("*") if is_temp_file(p)] == []
    recorded = _checksums(out)
    assert 0 < len(recorded) < DAYS * 3, "interrupted partway"

    resumed = subprocess.run(_command(out, retail, workers), cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr

    clean = tmp_path / "clean"
    config = load_config(retail, environ={})
    run_backfill(config, date.fromisoformat(START), date(2024, 4, 9), clean, tables=TABLES.split(","))
    assert _checksums(out) == _checksums(clean)
    assert all(_checksums(out)[key] == checksum for key, checksum in recorded.items())
