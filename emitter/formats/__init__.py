"""File formats by name: each gives an extension and an atomic, deterministic ``write(table, path)``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa

from emitter.avro.schemas import AvroSchema
from emitter.errors import ConfigError
from emitter.formats import avro, csv, jsonl, parquet
from emitter.formats.atomic import WrittenFile
from emitter.formats.staged import StagedFiles

Encoder = Callable[[pa.Table, BinaryIO, AvroSchema | None], None]
DEFAULT_FORMAT = "parquet"


@dataclass(frozen=True)
class FileFormat:
    """One output format: its name, file extension and encoder."""

    name: str
    extension: str
    encode: Encoder

    def write(self, table: pa.Table, path: Path, avro_schema: AvroSchema | None = None) -> WrittenFile:
        """Write ``table`` to ``path`` atomically and durably; return its size and sha256.

        Args:
            table: the rows to write.
            path: the final file path; a hidden temp file beside it is used until the write is complete.
            avro_schema: the table's Avro schema (used by the avro format; others ignore it).
        """
        with StagedFiles() as staged:
            self.stage(table, path, staged, avro_schema)
            (written,) = staged.commit()
        return written

    def stage(
        self, table: pa.Table, path: Path, staged: StagedFiles, avro_schema: AvroSchema | None = None
    ) -> WrittenFile:
        """Encode ``table`` for ``path`` into ``staged``: it lands, durably, when ``staged`` commits."""
        return staged.add(path, lambda sink: self.encode(table, sink, avro_schema))


FORMATS: dict[str, FileFormat] = {
    "parquet": FileFormat("parquet", parquet.EXTENSION, parquet.write_parquet),
    "csv": FileFormat("csv", csv.EXTENSION, csv.write_csv),
    "jsonl": FileFormat("jsonl", jsonl.EXTENSION, jsonl.write_jsonl),
    "avro": FileFormat("avro", avro.EXTENSION, avro.write_avro),
}


def writer_for(name: str) -> FileFormat:
    """The format called ``name``; a ConfigError listing the choices when there is none."""
    try:
        return FORMATS[name.lower()]
    except KeyError:
        raise ConfigError(f"format: unknown format {name!r}; choose one of {', '.join(FORMATS)}") from None


__all__ = ["DEFAULT_FORMAT", "FORMATS", "FileFormat", "StagedFiles", "WrittenFile", "writer_for"]
