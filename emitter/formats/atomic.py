"""Temp files beside their targets, and what landed: the pieces of atomic writes (see ``staged``)."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

TEMP_SUFFIX = ".tmp"
_HASH_CHUNK = 1 << 20
# Like any tool's output, files get 0o666 minus the umask; the kernel applies it at creation.
_FILE_MODE = 0o666
_NAME_ATTEMPTS = 100


@dataclass(frozen=True)
class WrittenFile:
    """What landed on disk: the final path, its size and a sha256 of its bytes."""

    path: Path
    bytes: int
    sha256: str


def create_temp_file(path: Path) -> tuple[int, Path]:
    """A new hidden temp file beside ``path``, created with the umask applied (``mkstemp`` would force 0o600)."""
    for _ in range(_NAME_ATTEMPTS):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), _FILE_MODE), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temp file name beside {path} after {_NAME_ATTEMPTS} attempts")


def describe_file(path: Path) -> WrittenFile:
    """Size and sha256 of a file as it is on disk now."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        while chunk := source.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return WrittenFile(path=path, bytes=size, sha256=digest.hexdigest())


def is_temp_file(path: Path) -> bool:
    """Whether ``path`` looks like a temp file left behind by an interrupted write."""
    return path.name.startswith(".") and path.name.endswith(TEMP_SUFFIX)


def remove_temp_files(root: Path) -> int:
    """Delete temp files under ``root`` left by a killed writer; returns how many were removed."""
    removed = 0
    if not root.is_dir():
        return 0
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            candidate = Path(dirpath) / name
            if is_temp_file(candidate):
                candidate.unlink(missing_ok=True)
                removed += 1
    return removed


def fsync_folder(folder: Path) -> None:
    """Persist a folder's entries (a rename into it); a platform that can't open folders (Windows) can't."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
