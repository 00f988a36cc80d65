"""Debian's chromium for the report's browser test: found, or installed with apt once per machine."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser")
INSTALL_TIMEOUT_S = 900  # a hang guard: the package and its libraries are some 100 MB


def find_chromium() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_or_reason() -> tuple[str | None, str]:
    """The path of a system chromium, installing Debian's package when absent; else why there is none."""
    found = find_chromium()
    if found:
        return found, ""
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return None, "no chromium, and apt-get as root is not available to install it"
    # test workers start together: one installs, the others wait on the lock and then find it
    with open(Path(tempfile.gettempdir()) / "emitter-chromium-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = find_chromium()
        if found:
            return found, ""
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for step in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
            try:
                done = subprocess.run(step, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                return None, f"`{' '.join(step)}` did not finish in {INSTALL_TIMEOUT_S} s"
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
                return None, f"`{' '.join(step)}` failed: {tail[0]}"
    found = find_chromium()
    return (found, "") if found else (None, "apt-get installed chromium but no chromium binary is on PATH")
