"""Write many files under hidden temp names, then make them durable and visible together.

One small partition file per table per day made the per-file barrier (fsync the file, rename it, fsync its
folder) cost more than encoding the rows. :class:`StagedFiles` keeps each file's promise (it appears whole or
not at all) and pays for durability once per batch instead: every temp file is fsynced, then all are
renamed, then each folder that gained an entry is fsynced. Only after :meth:`StagedFiles.commit` returns
may a caller record the files as done.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, TypeVar, cast

from emitter.formats.atomic import WrittenFile, create_temp_file, fsync_folder

# Enough concurrent fsyncs for the filesystem to fold them into a few journal commits; threads only wait.
_SYNC_THREADS = 16
_WRITE_BUFFER = 1 << 20  # encoders write in small pieces; one system call per MiB instead
T = TypeVar("T")


class _HashingSink(io.RawIOBase):
    """A write-only file that hashes and counts what passes through, so nothing is read back to describe it."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self._digest = hashlib.sha256()
        self._size = 0
        self._buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(data).cast("B")
        self._digest.update(view)
        self._size += len(view)
        self._buffer += view
        if len(self._buffer) >= _WRITE_BUFFER:
            self.flush()
        return len(view)

    def tell(self) -> int:
        return self._size  # the Parquet writer asks where each column chunk starts

    def flush(self) -> None:
        view = memoryview(self._buffer)
        while view:
            view = view[os.write(self._fd, view) :]
        del view
        self._buffer.clear()

    def close(self) -> None:
        pass  # the fd belongs to the batch: it is fsynced, then closed, at commit

    def describe(self, path: Path) -> WrittenFile:
        return WrittenFile(path=path, bytes=self._size, sha256=self._digest.hexdigest())


@dataclass
class _Pending:
    fd: int
    temp: Path
    final: Path
    file: WrittenFile


class StagedFiles:
    """Files written to temp names now, durable and renamed into place together at :meth:`commit`.

    Use as a context manager: whatever is not committed when the block ends (an error, Ctrl-C, a
    generator closed early) is removed, and files already in place are left as they were.
    """

    def __init__(self) -> None:
        self._pending: list[_Pending] = []
        self._pending_bytes = 0
        self._created: set[Path] = set()  # folders made since the last commit: their parents gained an entry
        self._known: set[Path] = set()  # folders known to exist, so a day's files cost no mkdir
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @property
    def pending_files(self) -> int:
        return len(self._pending)

    @property
    def pending_bytes(self) -> int:
        return self._pending_bytes

    @contextlib.contextmanager
    def open(self, path: Path) -> Iterator[BinaryIO]:
        """A sink for the bytes of ``path``; they are held under a hidden temp name beside it until commit.

        If the block raises, that temp file is removed at once and the batch goes on without it.
        """
        self._ensure_dir(path.parent)
        try:
            fd, temp = create_temp_file(path)
        except FileNotFoundError:  # the folder went away since we made it
            self._known.discard(path.parent)
            self._ensure_dir(path.parent)
            fd, temp = create_temp_file(path)
        sink = _HashingSink(fd)
        try:
            yield cast(BinaryIO, sink)
            sink.flush()
        except BaseException:
            os.close(fd)
            temp.unlink(missing_ok=True)
            raise
        self._pending.append(_Pending(fd, temp, path, sink.describe(path)))
        self._pending_bytes += self._pending[-1].file.bytes

    def add(self, path: Path, encode: Callable[[BinaryIO], None]) -> WrittenFile:
        """Stage ``path`` with the bytes ``encode(sink)`` writes; returns what it will hold once committed."""
        with self.open(path) as sink:
            encode(sink)
        return self._pending[-1].file

    def commit(self) -> list[WrittenFile]:
        """Make every staged file durable, then visible under its name, then durable under that name.

        Order: fsync every temp file; rename each into place (each appears whole); fsync each folder that
        gained an entry (the renames and any new folders). On return all of them survive a crash.
        """
        pending, self._pending, self._pending_bytes = self._pending, [], 0
        renamed = 0
        try:
            self._each(_fsync_file, pending)
            for p in pending:
                os.close(p.fd)
                p.fd = -1
            for p in pending:
                os.replace(p.temp, p.final)
                renamed += 1
        except BaseException:
            _discard(pending[renamed:])
            raise
        folders = {p.final.parent for p in pending} | {d.parent for d in self._created}
        self._created.clear()
        self._each(fsync_folder, sorted(folders))
        return [p.file for p in pending]

    def discard(self) -> None:
        """Remove every file staged since the last commit."""
        pending, self._pending, self._pending_bytes = self._pending, [], 0
        _discard(pending)

    def close(self) -> None:
        self.discard()
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    def _each(self, call: Callable[[T], None], items: Sequence[T]) -> None:
        """Run ``call`` on every item, concurrently when there are several; the first failure is raised."""
        if len(items) <= 1:
            for item in items:
                call(item)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(_SYNC_THREADS, thread_name_prefix="emitter-fsync")
        for future in [self._pool.submit(call, item) for item in items]:
            future.result()

    def _ensure_dir(self, folder: Path) -> None:
        """Make ``folder`` (and its missing parents), as another process may be making the same ones."""
        if folder in self._known:
            return
        try:
            os.mkdir(folder)
        except FileExistsError:
            pass
        except FileNotFoundError:
            self._known.discard(folder.parent)  # it may have been removed since we made it
            self._ensure_dir(folder.parent)
            self._ensure_dir(folder)
            return
        else:
            self._created.add(folder)
        self._known.add(folder)


def _discard(pending: Iterable[_Pending]) -> None:
    for p in pending:
        if p.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(p.fd)
            p.fd = -1
        p.temp.unlink(missing_ok=True)


def _fsync_file(pending: _Pending) -> None:
    try:
        os.fsync(pending.fd)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(pending.final)) from exc


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A sink for ``path``'s new bytes under a hidden temp name; when the block ends they replace ``path``,
    durably. On any exception, including KeyboardInterrupt, the temp file is removed and ``path`` is left
    as it was."""
    with StagedFiles() as staged:
        with staged.open(path) as sink:
            yield sink
        staged.commit()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (small files such as the manifest)."""
    with atomic_file(path) as sink:
        sink.write(data)
