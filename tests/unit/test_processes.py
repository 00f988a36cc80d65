"""``die_with_parent``: a child gets its signal when the parent dies, at once if it is already gone, and a
worker started from a thread that ends is not taken for an orphan."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from support import ProcessTree

from emitter.workers import WorkerProcesses

BOUND_S = 60.0  # only against a hang
GONE_WITHIN_S = 3.0

# A child that asks to die with the process given as argv[1] (kernel or watcher as argv[2]), says so, then waits.
CHILD = """
import sys, time
from emitter.processes import Parent, die_with_parent
die_with_parent(Parent(int(sys.argv[1]), sys.argv[2] == "kernel"))
print("ready", flush=True)
time.sleep(600)
"""
# A parent that starts CHILD, waits for its "ready", prints the child's pid, then waits to be killed.
PARENT = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid()), sys.argv[2]], stdout=subprocess.PIPE)
assert child.stdout.readline() == b"ready\\n"
print(child.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("how", ["kernel", "watcher"])
def test_a_child_dies_with_its_killed_parent(how: str) -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD, how], stdout=subprocess.PIPE)
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline().strip().isdigit()
        tree = ProcessTree.of(parent.pid)
        assert len(tree.processes) == 1
    finally:
        parent.kill()
        parent.wait(timeout=BOUND_S)
    try:
        assert not tree.running_after(GONE_WITHIN_S), f"the child outlived its parent by {GONE_WITHIN_S:g}s"
    finally:
        tree.kill()


@pytest.mark.parametrize("how", ["kernel", "watcher"])
def test_a_child_whose_parent_is_already_gone_stops_at_once(how: str) -> None:
    gone = subprocess.Popen(["true"])  # a pid whose process is gone
    gone.wait()
    run = subprocess.run(
        [sys.executable, "-c", CHILD, str(gone.pid), how], capture_output=True, text=True, timeout=BOUND_S
    )
    assert run.returncode == -signal.SIGTERM, run  # before it got to say "ready"
    assert run.stdout == ""


def _wait_for_file(job: str, report: Any) -> None:
    report("started")
    while not Path(job).exists():
        threading.Event().wait(0.01)
    report("finished")


def test_a_worker_started_from_a_thread_that_ends_goes_on(tmp_path: Path) -> None:
    """The kernel signals a child when the *thread* that started it ends: a worker must not take that for
    its parent's death."""
    go = tmp_path / "go"
    started: list[Any] = []

    def start() -> None:
        pool = WorkerProcesses(_wait_for_file, [str(go)], "test-worker").start()
        started.extend([pool, pool.next(timeout=BOUND_S)])  # running its work before this thread ends

    thread = threading.Thread(target=start)
    thread.start()
    thread.join()
    pool, first = started
    try:
        assert first is not None and first.payload == "started"
        go.touch()
        assert [item for batch in pool.items() for item in batch] == ["finished"]
    finally:
        pool.stop()


def _report_a_large_item_then_linger(job: str, report: Any) -> None:
    report(b"x" * 20_000_000)  # far more than a pipe holds: the queue's writer thread blocks halfway
    while True:
        threading.Event().wait(1)


def test_stopping_a_worker_killed_halfway_through_a_message_returns() -> None:
    pool = WorkerProcesses(_report_a_large_item_then_linger, ["-"], "test-worker").start()
    assert pool._messages._reader.poll(BOUND_S), "the worker never started writing"
    stopped: list[Any] = []
    # no grace: the worker is killed with most of its message unsent
    stopper = threading.Thread(target=lambda: stopped.append(pool.stop(grace_s=0)), daemon=True)
    stopper.start()
    stopper.join(BOUND_S)
    assert not stopper.is_alive(), "stop() waited forever for the rest of a killed worker's message"
    assert stopped == [[]]
