"""Parquet with zstd: the default format, typed and compact, read natively by DuckDB and Spark."""

from __future__ import annotations

from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from emitter.avro.schemas import AvroSchema

EXTENSION = "parquet"
ROW_GROUP_ROWS = 1 << 20


def write_parquet(table: pa.Table, sink: BinaryIO, avro_schema: AvroSchema | None = None) -> None:
    """Write ``table`` as one Parquet file; the output holds nothing time-dependent, so it is reproducible."""
    pq.write_table(
        table,
        sink,
        compression="zstd",
        row_group_size=ROW_GROUP_ROWS,
        use_dictionary=True,
        write_statistics=True,
    )
