"""Child processes that die with their parent, also when the parent is killed with SIGKILL.

Every process emitter starts (backfill workers, the stream feeder, the bundled broker) asks for this:
a Python child calls ``die_with_parent`` first thing, a binary is started with ``parent_death_preexec``.

On Linux the kernel signals the child when its parent dies (``prctl(PR_SET_PDEATHSIG)``). It does so
when the *thread* that started the child ends, so that is used only for children started from the main
thread, which ends with the process. A Python child started from another thread, or off Linux, watches
its parent's pid instead.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

PR_SET_PDEATHSIG: Final = 1
_WATCH_INTERVAL_S: Final = 0.1


@dataclass(frozen=True)
class Parent:
    """Who a child must not outlive: handed from the parent to the child it starts."""

    pid: int
    kernel_signals: bool  # started from the main thread on Linux: PR_SET_PDEATHSIG applies

    @classmethod
    def current(cls) -> Parent:
        """This process, as the parent of a child started from the calling thread."""
        return cls(os.getpid(), _kernel_signals_children())


def die_with_parent(parent: Parent, signum: int = signal.SIGTERM) -> None:
    """In a Python child, first thing: receive ``signum`` once ``parent`` is gone (at once if it already is).

    ``signum`` is SIGTERM by default, so the child's handler can clean up (temporary files) on the way out.
    """
    prctl = _prctl()
    if parent.kernel_signals and prctl is not None and prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signum)) == 0:
        if orphaned(parent):  # it died before we asked
            os.kill(os.getpid(), signum)
        return
    watcher = threading.Thread(
        target=_signal_when_orphaned, args=(parent.pid, signum), name="emitter-parent-watch", daemon=True
    )
    watcher.start()


def orphaned(parent: Parent) -> bool:
    """Whether ``parent`` is gone (the child was re-parented)."""
    return os.getppid() != parent.pid


def parent_death_preexec(signum: int = signal.SIGKILL) -> Callable[[], None] | None:
    """A ``preexec_fn`` for ``subprocess.Popen`` of a binary: it gets ``signum`` when this process dies.

    None where the kernel can't do it (off Linux, or called off the main thread, see the module docstring).
    It runs between fork and exec, where only the forking thread exists: it calls the ``prctl`` resolved
    here, with its argument built here, and nothing else.
    """
    prctl = _prctl()
    if prctl is None or not _kernel_signals_children():
        return None
    parent_pid, signal_arg = os.getpid(), ctypes.c_ulong(signum)

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal_arg)
        if os.getppid() != parent_pid:
            os._exit(1)

    return preexec


def _signal_when_orphaned(parent_pid: int, signum: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(_WATCH_INTERVAL_S)
    os.kill(os.getpid(), signum)


def _kernel_signals_children() -> bool:
    return _prctl() is not None and threading.current_thread() is threading.main_thread()


@cache
def _prctl() -> Callable[..., Any] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
