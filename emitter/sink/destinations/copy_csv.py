"""Arrow tables as CSV chunks for ``COPY … FROM STDIN (FORMAT csv)``, written by Arrow's C++ CSV writer.

The CSV that Arrow writes round-trips exactly through PostgreSQL's CSV COPY: every string is quoted,
so ``""`` is an empty string while an unquoted empty field is NULL; decimals are written in full;
timestamps are written in UTC with microseconds and a ``Z``; floats use the shortest exact form.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.csv as pacsv

ROWS_PER_CHUNK = 65_536
_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="needed")


def csv_chunks(table: pa.Table, rows_per_chunk: int = ROWS_PER_CHUNK) -> Iterator[bytes]:
    """``table`` as CSV, ``rows_per_chunk`` rows at a time, ready to stream into a COPY."""
    prepared = _for_copy(table)
    for batch in prepared.to_batches(max_chunksize=rows_per_chunk):
        buffer = io.BytesIO()
        pacsv.write_csv(batch, buffer, _OPTIONS)
        yield buffer.getvalue()


def _for_copy(table: pa.Table) -> pa.Table:
    """Columns CSV can't carry as-is: binary becomes bytea hex text, zoned timestamps become UTC."""
    for index, field in enumerate(table.schema):
        column = table.column(index)
        if pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type):
            # only dead letters carry bytes, a few rows per batch: a Python loop is fine here
            hexed = pa.array([None if v is None else "\\x" + v.hex() for v in column.to_pylist()], pa.string())
            table = table.set_column(index, field.name, hexed)
        elif pa.types.is_timestamp(field.type) and field.type.tz not in (None, "UTC"):
            table = table.set_column(index, field.name, column.cast(pa.timestamp(field.type.unit, tz="UTC")))
        elif pa.types.is_dictionary(field.type):
            table = table.set_column(index, field.name, column.cast(field.type.value_type))
    return table
