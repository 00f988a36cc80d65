"""Refuse, before starting, a run whose settings need more memory than the machine has.

A volume inside its bounds can still be too big for this machine (a billion visits a day, or a year of
stock across 20,000 stores × 200,000 products): better one line now than a MemoryError traceback, or the
kernel's OOM killer, minutes into a run.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from emitter.errors import ConfigError
from emitter.scenarios.contract import Scenario

GIB = 2**30


def available_memory() -> int | None:
    """Bytes this process may still use: MemAvailable, capped by a cgroup limit (containers); None if unknown."""
    found: list[int] = []
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    for limit, usage in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),  # cgroup v2
        ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),  # v1
    ):
        try:
            cap, used = Path(limit).read_text().strip(), Path(usage).read_text().strip()
        except OSError:
            continue
        if cap.isdigit() and used.isdigit() and int(cap) < 2**60:  # "max" or a huge v1 number: no limit
            found.append(max(0, int(cap) - int(used)))
        break
    if not found and hasattr(os, "sysconf"):
        with contextlib.suppress(ValueError, OSError):
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    return min(found) if found else None


def check_memory(scenario: Scenario[Any], processes: int = 1, available: int | None = None) -> None:
    """Raise a one-line ConfigError when ``processes`` generating processes would not fit in memory.

    Args:
        scenario: its ``memory_estimate()`` is the peak of one process; None (unknown) skips the check.
        processes: how many processes each build the world and generate days (backfill workers).
        available: bytes to compare with; default what the machine has free now.
    """
    each = scenario.memory_estimate()
    free = available_memory() if available is None else available
    if each is None or free is None or each * processes <= free:
        return
    many = f" per process, {each * processes / GIB:,.1f} GiB for {processes}" if processes > 1 else ""
    raise ConfigError(
        f"{scenario.name} settings need about {each / GIB:,.1f} GiB{many}, and {free / GIB:,.1f} GiB is free; "
        "lower the volumes (--scale, --preset small, --set)" + (" or use fewer --workers" if processes > 1 else "")
    )
