"""Worker processes, one contiguous chunk of days each; the parent keeps the manifest and progress."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import Any

from emitter.backfill.chunk import ChunkJob, DayDone, run_chunk
from emitter.errors import EmitterError
from emitter.scenarios import open_scenario

STOP_GRACE_SECONDS = 30.0
_POLL_SECONDS = 0.25


class _Stopped(BaseException):
    """Raised inside a worker on SIGTERM so open temp files are removed on the way out."""


class WorkerFailed(RuntimeError):
    """A worker died on an unexpected error (a bug, not a user mistake); carries its traceback."""


def worker_main(index: int, job: ChunkJob, messages: Any, parent_pid: int) -> None:
    """Process entry point: build the scenario, write the chunk, report each finished day."""
    # The parent decides when to stop (it relays Ctrl-C as SIGTERM), so a terminal's Ctrl-C,
    # which reaches the whole process group, doesn't hit workers mid-write.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        scenario = open_scenario(job.config, job.scenario)
        for done in run_chunk(job, scenario):
            messages.put((index, "day", done))
            if os.getppid() != parent_pid:
                return  # orphaned: nobody records what we write
        messages.put((index, "done", None))
    except _Stopped:
        return
    except EmitterError as exc:
        messages.put((index, "error", exc))
    except Exception:
        messages.put((index, "crash", traceback.format_exc()))


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _Stopped


class WorkerPool:
    """Runs one process per chunk and relays finished days to the parent in arrival order."""

    def __init__(self, jobs: Sequence[ChunkJob]) -> None:
        context = multiprocessing.get_context("spawn")
        self._messages: Any = context.Queue()
        self._processes = [
            context.Process(
                target=worker_main,
                args=(index, job, self._messages, os.getpid()),
                name=f"emitter-backfill-{index}",
            )
            for index, job in enumerate(jobs)
        ]
        self._running = set(range(len(jobs)))

    def start(self) -> None:
        with _sigint_ignored():
            for process in self._processes:
                process.start()

    def results(self) -> Iterator[list[DayDone]]:
        """Yield batches of finished days until every worker is done; raise if one fails."""
        while self._running:
            finished, failure = self._collect(timeout=_POLL_SECONDS)
            if finished:
                yield finished
            if failure is not None:
                raise failure
            for index in sorted(self._running):
                if not self._processes[index].is_alive():
                    # Its last messages may still be in flight.
                    finished, failure = self._collect(timeout=_POLL_SECONDS)
                    if finished:
                        yield finished
                    if failure is not None:
                        raise failure
                    if index in self._running:
                        code = self._processes[index].exitcode
                        raise WorkerFailed(f"backfill worker {index} exited with code {code} before finishing")

    def stop(self) -> list[DayDone]:
        """Stop every worker (their temp files are removed) and return days finished meanwhile."""
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        finished: list[DayDone] = []
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while any(process.is_alive() for process in self._processes) and time.monotonic() < deadline:
            # Keep reading: a worker can't exit while its queued messages are unsent.
            finished += self._collect(timeout=0.05)[0]
        for process in self._processes:
            if process.is_alive():
                process.kill()
            process.join()
        finished += self._collect(timeout=0.05)[0]
        self._running.clear()
        self._messages.close()
        return finished

    def _collect(self, timeout: float) -> tuple[list[DayDone], BaseException | None]:
        """Everything queued now (waiting up to ``timeout`` for the first): finished days and a failure."""
        finished: list[DayDone] = []
        failure: BaseException | None = None
        try:
            message = self._messages.get(timeout=timeout)
            while True:
                index, kind, payload = message
                if kind == "day":
                    finished.append(payload)
                elif kind == "done":
                    self._running.discard(index)
                elif kind == "error" and failure is None:
                    failure = payload
                elif kind == "crash" and failure is None:
                    failure = WorkerFailed(f"backfill worker {index} failed:\n{payload}")
                message = self._messages.get_nowait()
        except queue.Empty:
            pass
        return finished, failure


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Children inherit an ignored SIGINT, so Ctrl-C during their start-up can't kill them mid-import."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
