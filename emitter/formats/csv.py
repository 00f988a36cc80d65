"""CSV with a header row, for spreadsheets and tools that take nothing else."""

from __future__ import annotations

from typing import BinaryIO

import pyarrow as pa
import pyarrow.csv as pa_csv

from emitter.avro.schemas import AvroSchema

EXTENSION = "csv"


def write_csv(table: pa.Table, sink: BinaryIO, avro_schema: AvroSchema | None = None) -> None:
    """Write ``table`` as RFC 4180 CSV; nulls are empty fields, empty strings are ``""``.

    Timestamps come out as ``2024-01-01 09:30:00.000000Z`` and decimals with their full scale.
    """
    pa_csv.write_csv(table, sink, write_options=pa_csv.WriteOptions(include_header=True, quoting_style="needed"))
