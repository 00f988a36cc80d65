"""``_manifest.json``: what each partition holds (rows, bytes, sha256) and the config that made it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from emitter.backfill.errors import ManifestMismatch, ManifestUnreadable
from emitter.backfill.layout import MANIFEST_NAME
from emitter.config import Config
from emitter.errors import OutputError
from emitter.formats.staged import atomic_write_bytes

# 2: the scenario's effective settings are recorded; the fingerprint digests them (data files are unchanged)
MANIFEST_VERSION = 2


@dataclass(frozen=True)
class PartitionRecord:
    """One completed file: its table id, day (None for reference tables), format and content digest."""

    table: str
    dt: str | None
    format: str
    rows: int
    bytes: int
    sha256: str


@dataclass
class Manifest:
    """The record of completed partitions, keyed by file path relative to the output directory."""

    scenario: str
    seed: int
    fingerprint: str
    format: str
    partitions: dict[str, PartitionRecord] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)  # the scenario's effective settings
    # each record's JSON, kept: the manifest is rewritten after every batch of days, and re-encoding every
    # record each time made a long backfill of small days quadratic
    _encoded: dict[str, tuple[PartitionRecord, str]] = field(default_factory=dict, repr=False, compare=False)

    def formats(self) -> set[str]:
        """The formats of the recorded files (one, once a directory is written; none before)."""
        return {record.format for record in self.partitions.values()}

    def to_json(self) -> str:
        head = {
            "manifest_version": MANIFEST_VERSION,
            "scenario": self.scenario,
            "seed": self.seed,
            "fingerprint": self.fingerprint,
            "format": self.format,
            "settings": self.settings,
        }
        records = ",\n".join(f"  {json.dumps(key)}: {self._record_json(key)}" for key in sorted(self.partitions))
        partitions = "{\n" + records + "\n }" if records else "{}"
        return json.dumps(head, indent=1)[: -len("\n}")] + ',\n "partitions": ' + partitions + "\n}\n"

    def _record_json(self, key: str) -> str:
        record = self.partitions[key]
        cached = self._encoded.get(key)
        if cached is None or cached[0] is not record:
            cached = (record, json.dumps(asdict(record)))
            self._encoded[key] = cached
        return cached[1]

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        body = json.loads(text)
        return cls(
            scenario=str(body["scenario"]),
            seed=int(body["seed"]),
            fingerprint=str(body["fingerprint"]),
            format=str(body["format"]),
            partitions={key: PartitionRecord(**value) for key, value in body["partitions"].items()},
            settings=dict(body.get("settings", {})),
        )


def manifest_path(out_dir: Path) -> Path:
    return out_dir / MANIFEST_NAME


def read_manifest(out_dir: Path) -> Manifest | None:
    """The manifest in ``out_dir``, or None when there is none yet."""
    path = manifest_path(out_dir)
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    except NotADirectoryError as exc:
        raise OutputError(
            f"{out_dir} is not a directory; point at a directory written by `emitter backfill` "
            f"(the one holding {MANIFEST_NAME})"
        ) from exc
    except OSError as exc:
        raise ManifestUnreadable(_os_problem(path, exc, "read")) from exc
    try:
        return Manifest.from_json(text)
    except (ValueError, KeyError, TypeError) as exc:
        raise ManifestUnreadable(
            f"{path}: not a valid emitter manifest ({exc}); re-run with --force to start over, or choose another --out"
        ) from exc


def write_manifest(out_dir: Path, manifest: Manifest) -> None:
    """Replace the manifest atomically, so a crash or a full disk leaves either the old or the new one."""
    path = manifest_path(out_dir)
    try:
        atomic_write_bytes(path, manifest.to_json().encode())
    except OSError as exc:
        raise OutputError(_os_problem(path, exc, "write")) from exc


def _os_problem(path: Path, exc: OSError, action: str) -> str:
    if isinstance(exc, IsADirectoryError):
        return f"{path} is a directory, where the manifest file belongs; move it away or choose another --out"
    return (
        f"{path}: can't {action} the manifest ({exc.strerror or exc}); free some space or fix its permissions, "
        "then run the same command again (finished partitions are kept)"
    )


def discard_partitions(out_dir: Path, manifest: Manifest, keys: Iterable[str]) -> None:
    """Remove these files and their records, so the directory holds only what its manifest lists."""
    for key in list(keys):
        path = out_dir / key
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise OutputError(
                f"{path}: can't remove it ({exc.strerror or exc}); fix its permissions or choose another --out"
            ) from exc
        del manifest.partitions[key]
        for parent in path.parents:  # the partition folders it leaves empty
            if parent == out_dir or not parent.is_relative_to(out_dir):
                break
            try:
                parent.rmdir()
            except OSError:
                break


def open_manifest(out_dir: Path, config: Config, fmt: str, force: bool) -> Manifest:
    """Load the manifest for a run, refusing data of another config or another format unless ``force``.

    With ``force``, records that don't describe what this run produces (another config, another
    format) are dropped and their files removed: one directory holds one config's data in one format.
    """
    from emitter.scenarios.registry import effective_settings

    fresh = Manifest(
        scenario=config.scenario,
        seed=config.seed,
        fingerprint=config.fingerprint(),
        format=fmt,
        settings=effective_settings(config).model_dump(mode="json"),
    )
    try:
        existing = read_manifest(out_dir)
    except ManifestUnreadable:
        if force:
            return fresh
        raise
    if existing is None:
        return fresh
    if existing.fingerprint != fresh.fingerprint:
        if force:
            discard_partitions(out_dir, existing, existing.partitions)
            return fresh
        raise ManifestMismatch(
            f"{out_dir} holds data from another configuration (fingerprint {existing.fingerprint}, "
            f"scenario {existing.scenario}, seed {existing.seed}; this run is {fresh.fingerprint}, "
            f"scenario {fresh.scenario}, seed {fresh.seed}); re-run with --force to overwrite it, "
            "or choose another --out"
        )
    others = sorted(existing.formats() - {fmt})
    if others and not force:
        held = " and ".join(others)
        raise ManifestMismatch(
            f"{out_dir} holds {held} files and this run writes {fmt}, but one directory holds one format; "
            f"pass --format {others[0]} to continue it, --force to replace its {held} files with {fmt}, "
            "or choose another --out"
        )
    discard_partitions(out_dir, existing, [key for key, r in existing.partitions.items() if r.format != fmt])
    existing.format = fmt
    return existing
