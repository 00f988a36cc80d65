"""Files staged together: invisible until commit, whole or absent, fsynced before they are renamed into place."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from emitter.formats import FORMATS, StagedFiles
from emitter.formats.atomic import describe_file, is_temp_file
from emitter.scenarios import scenario_class


class _Boom(Exception):
    pass


class _SyscallLog:
    """Records fsyncs (by the path of the fd) and renames as they reach the OS, then makes them for real."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[tuple[str, str]] = []
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd: int) -> None:
            self.events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
            real_fsync(fd)

        def replace(src: str | Path, dst: str | Path) -> None:
            real_replace(src, dst)
            self.events.append(("replace", str(dst)))

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)

    def first(self, kind: str, path: Path) -> int:
        return self.events.index((kind, str(path)))


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names fds through /proc/self/fd")


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_staged_files_appear_only_at_commit_with_the_size_and_sha256_reported(tmp_path: Path) -> None:
    targets = [tmp_path / "facts/a/dt=2024-01-01/a.bin", tmp_path / "facts/b/dt=2024-01-01/b.bin"]
    with StagedFiles() as staged:
        described = [
            staged.add(path, lambda sink, n=n: sink.write(bytes([n]) * 3000)) for n, path in enumerate(targets)
        ]
        assert not any(path.exists() for path in targets)
        assert all(is_temp_file(p) for p in tmp_path.rglob("*") if p.is_file())
        assert staged.pending_files == 2 and staged.pending_bytes == 6000

        assert staged.commit() == described

    assert [describe_file(path) for path in targets] == described
    assert _files(tmp_path) == {
        "facts/a/dt=2024-01-01/a.bin": b"\x00" * 3000,
        "facts/b/dt=2024-01-01/b.bin": b"\x01" * 3000,
    }


def test_an_error_before_commit_leaves_every_file_as_it_was(tmp_path: Path) -> None:
    old = tmp_path / "dt=2024-01-01/a.bin"
    old.parent.mkdir()
    old.write_bytes(b"complete old file")
    with pytest.raises(_Boom), StagedFiles() as staged:
        staged.add(old, lambda sink: sink.write(b"new a"))
        staged.add(tmp_path / "dt=2024-01-02/b.bin", lambda sink: sink.write(b"new b"))
        raise _Boom

    assert _files(tmp_path) == {"dt=2024-01-01/a.bin": b"complete old file"}


def test_a_failed_encode_drops_only_its_own_file(tmp_path: Path) -> None:
    def half_then_fail(sink: object) -> None:
        assert isinstance(sink, io.RawIOBase)
        sink.write(b"half a file")
        raise _Boom

    with StagedFiles() as staged:
        staged.add(tmp_path / "a.bin", lambda sink: sink.write(b"a"))
        with pytest.raises(_Boom):
            staged.add(tmp_path / "b.bin", half_then_fail)
        staged.add(tmp_path / "c.bin", lambda sink: sink.write(b"c"))
        staged.commit()

    assert _files(tmp_path) == {"a.bin": b"a", "c.bin": b"c"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_file_is_described_by_the_bytes_it_holds(
    fmt: str, schema_table: Callable[[str, str, int], pa.Table], tmp_path: Path
) -> None:
    catalog = scenario_class("retail").catalog()
    batch = schema_table("retail", "receipt_lines", 40_000)
    file_format = FORMATS[fmt]
    with StagedFiles() as staged:
        file_format.stage(
            batch, tmp_path / f"t.{file_format.extension}", staged, catalog.avro(catalog.get("receipt_lines"))
        )
        (written,) = staged.commit()

    assert written.bytes == written.path.stat().st_size > 1 << 20, "written in more than one buffer"
    assert written.sha256 == hashlib.sha256(written.path.read_bytes()).hexdigest()


@needs_proc
def test_every_file_is_fsynced_before_any_is_renamed_and_each_folder_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "facts/a").mkdir(parents=True)
    targets = [tmp_path / f"facts/{t}/dt=2024-01-0{d}/{t}{d}.bin" for d in (1, 2) for t in ("a", "b")]
    with StagedFiles() as staged:
        for path in targets:
            staged.add(path, lambda sink: sink.write(b"rows"))
        temps = sorted(str(p) for p in tmp_path.rglob("*") if is_temp_file(p))
        log = _SyscallLog(monkeypatch)
        staged.commit()

    fsynced = [path for kind, path in log.events if kind == "fsync"]
    renames = [index for index, (kind, _) in enumerate(log.events) if kind == "replace"]
    assert sorted(fsynced[: len(temps)]) == temps, "every temp file is synced first"
    assert len(renames) == len(targets) and min(renames) > len(temps) - 1
    for path in targets:  # the folder holding each new name, and the folder that gained a new folder
        assert log.first("fsync", path.parent) > log.first("replace", path)
        assert log.first("fsync", path.parent.parent) > max(renames)
    assert (("fsync", str(tmp_path / "facts")) in log.events) is True, "facts/b was made in this batch"
    assert ("fsync", str(tmp_path)) not in log.events, "nothing new in the root"


def test_a_folder_removed_between_batches_is_made_again(tmp_path: Path) -> None:
    target = tmp_path / "dt=2024-01-01/a.bin"
    with StagedFiles() as staged:
        staged.add(target, lambda sink: sink.write(b"first"))
        staged.commit()
        target.unlink()
        target.parent.rmdir()
        staged.add(target, lambda sink: sink.write(b"second"))
        staged.commit()

    assert target.read_bytes() == b"second"


def test_folders_another_process_makes_at_the_same_time_are_taken_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two backfill workers make the same table folder: the one that loses the race writes into it."""
    day = tmp_path / "facts" / "receipts" / "dt=2024-01-03"
    real_mkdir = os.mkdir

    def racing_mkdir(path: os.PathLike[str] | str, *args: object) -> None:
        real_mkdir(path)
        if Path(path) == tmp_path / "facts":  # the other worker makes the next folder down right after
            real_mkdir(tmp_path / "facts" / "receipts")

    monkeypatch.setattr(os, "mkdir", racing_mkdir)
    with StagedFiles() as staged:
        staged.add(day / "receipts_20240103.parquet", lambda sink: sink.write(b"rows"))
        staged.commit()
    assert (day / "receipts_20240103.parquet").read_bytes() == b"rows"
