"""Claim the output directory: create it, prove it is writable, and lock out a concurrent backfill."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from emitter.backfill.layout import LOCK_NAME
from emitter.errors import OutputError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; runs there are simply not locked
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def claimed_output_dir(out_dir: Path) -> Iterator[Path]:
    """Create ``out_dir`` if needed and hold an exclusive lock on it while the block runs."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except (FileExistsError, NotADirectoryError) as exc:
        raise OutputError(
            f"output directory {out_dir} is not writable: a file is in the way ({exc.strerror or exc}); "
            "choose another --out or move that file"
        ) from exc
    except OSError as exc:
        raise OutputError(
            f"output directory {out_dir} is not writable ({exc.strerror or exc}); "
            "choose another --out or fix its permissions"
        ) from exc
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputError(
                    f"output directory {out_dir} is in use by another emitter backfill; "
                    "wait for it to finish or choose another --out"
                ) from None
        yield out_dir
    finally:
        os.close(fd)
