"""Spawned worker processes that report to their parent over one queue: backfill chunks, the stream feeder.

Each worker runs ``work(job, report)`` in a fresh (spawned) interpreter and ``report(item)``s results.
The parent reads ``Message``s in arrival order: an item, a worker's end, its EmitterError (a user-facing
failure, re-raised as is) or its crash (a traceback). A worker that dies without saying so is noticed.

Workers ignore SIGINT: a terminal's Ctrl-C reaches the whole process group, and the parent decides when
they stop (``stop()``, which sends SIGTERM and, after a grace period, SIGKILL). A worker whose parent dies
(even by SIGKILL) gets SIGTERM too (``emitter.processes``) and exits at once, writing nothing more.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any, Generic, Literal, TypeVar

from emitter.errors import EmitterError
from emitter.processes import Parent, die_with_parent, orphaned

J = TypeVar("J")
Report = Callable[[Any], None]
Work = Callable[[Any, Report], None]  # work(job, report): a module-level function (it is pickled by name)


class WorkerFailed(RuntimeError):
    """A worker died on an unexpected error (a bug, not a user mistake), or without a word."""


class Stopped(BaseException):
    """Raised inside a worker on SIGTERM, so ``finally`` blocks (temp files) run on the way out."""


@dataclass(frozen=True)
class Message:
    worker: int
    kind: Literal["item", "done", "error", "crash"]
    payload: Any = None


def _child(work: Work, index: int, job: Any, messages: Any, parent: Parent, death_signal: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _raise_stopped)

    def report(item: Any) -> None:
        messages.put(Message(index, "item", item))

    try:
        die_with_parent(parent, death_signal)  # SIGTERM raises Stopped, wherever the work is
        work(job, report)
        messages.put(Message(index, "done"))
    except Stopped:
        _flush_unless_orphaned(messages, parent)
    except EmitterError as exc:
        messages.put(Message(index, "error", exc))
    except BaseException:
        messages.put(Message(index, "crash", traceback.format_exc()))


def _flush_unless_orphaned(messages: Any, parent: Parent) -> None:
    """Send what is queued to a parent that stops us (it reads on), or exit at once if it has died.

    A dying parent's other threads may outlive the one that started us, so whether it is gone shows only
    later: flush meanwhile, and stop waiting once re-parented, since a dead parent's pipe may never drain.
    """
    messages.close()
    flushing = threading.Thread(target=messages.join_thread, name="emitter-worker-flush", daemon=True)
    flushing.start()
    while flushing.is_alive():
        if orphaned(parent):
            os._exit(1)  # a normal exit would wait for the flush too
        flushing.join(0.05)


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Stopped


class WorkerProcesses(Generic[J]):
    """One spawned process per job, all reporting into one queue.

    Args:
        work: ``work(job, report)``, run in each process.
        jobs: one per process.
        name: process name prefix (shown by ``ps``).
        queue_size: bound the queue (0: unbounded); a full queue makes workers wait, so they stay at
            most that many items ahead of a slow reader.
        death_signal: what a worker gets when the parent dies: SIGTERM lets it remove its temp files;
            SIGKILL, for workers that leave nothing behind, ends it at once even inside a long C call.
    """

    def __init__(
        self, work: Work, jobs: Sequence[J], name: str, queue_size: int = 0, death_signal: int = signal.SIGTERM
    ) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._messages: Any = self._context.Queue(maxsize=queue_size)
        self._work, self._jobs, self._name, self._death_signal = work, jobs, name, death_signal
        self._processes: list[Any] = []
        self.running = set(range(len(jobs)))
        self._pending: collections.deque[Message] = collections.deque()  # read early, kept in order

    def start(self) -> WorkerProcesses[J]:
        parent = Parent.current()  # of the calling thread: see emitter.processes
        self._processes = [
            self._context.Process(
                target=_child,
                args=(self._work, index, job, self._messages, parent, self._death_signal),
                name=f"{self._name}-{index}",
                daemon=True,
            )
            for index, job in enumerate(self._jobs)
        ]
        with _sigint_ignored():  # children inherit it, so Ctrl-C during their start-up can't kill them mid-import
            for process in self._processes:
                process.start()
        return self

    def next(self, timeout: float) -> Message | None:
        """The next message (waiting up to ``timeout``), or None; raises when a worker failed or died."""
        message = self._get(timeout)
        if message is None:
            self._check_alive()
            return None
        if message.kind != "item":
            self.running.discard(message.worker)
        if message.kind == "error":
            raise message.payload
        if message.kind == "crash":
            raise WorkerFailed(f"{self._processes[message.worker].name} failed:\n{message.payload}")
        return message

    def items(self, timeout: float = 0.25) -> Iterator[list[Any]]:
        """Batches of items (each at least one: what had arrived together) until every worker is done."""
        while self.running:
            message = self.next(timeout)
            if message is not None and message.kind == "item":
                yield [message.payload, *self.drain()]

    def drain(self) -> list[Any]:
        """The items already queued, without waiting; anything else is kept, in order, for ``next``."""
        out = []
        while not self._pending:
            message = self._get(0)
            if message is None:
                break
            if message.kind == "item":
                out.append(message.payload)
            else:
                self._pending.append(message)
        return out

    def stop(self, grace_s: float = 30.0) -> list[Any]:
        """Stop every worker (SIGTERM, then SIGKILL after ``grace_s``); return the items reported meanwhile."""
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        items: list[Any] = []
        deadline = time.monotonic() + grace_s
        while any(p.is_alive() for p in self._processes) and time.monotonic() < deadline:
            items += self._discard_all_but_items()  # a worker can't exit while its queued messages are unsent
            time.sleep(0.02)
        killed = False
        for process in self._processes:
            if process.is_alive():
                process.kill()
                killed = True
            process.join()
        # A killed worker may have died halfway through writing a message; reading it would wait forever for
        # the rest (this process holds the pipe's write end too), so what is left is dropped unread.
        if not killed:
            items += self._discard_all_but_items()
        self.running.clear()
        self._messages.cancel_join_thread()
        self._messages.close()
        return items

    def _get(self, timeout: float) -> Message | None:
        if self._pending:
            return self._pending.popleft()
        try:
            message: Message = self._messages.get(timeout=timeout) if timeout > 0 else self._messages.get_nowait()
        except (queue.Empty, OSError, ValueError):
            return None
        return message

    def _discard_all_but_items(self) -> list[Any]:
        out = []
        while (message := self._get(0)) is not None:
            if message.kind == "item":
                out.append(message.payload)
        return out

    def _check_alive(self) -> None:
        for index in sorted(self.running):
            process = self._processes[index]
            if not process.is_alive():
                late = self._get(0.25)  # its last messages may still be in flight
                if late is not None:
                    self._pending.appendleft(late)
                    return
                raise WorkerFailed(f"{process.name} exited with code {process.exitcode} before finishing")


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
