"""Read files written by emitter's formats back into Arrow tables with the table's exact schema."""

from __future__ import annotations

from pathlib import Path

import fastavro
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from emitter.avro.schemas import AvroSchema, arrow_schema, conform, record_full_name
from emitter.errors import SchemaError


def read_table(path: Path, fmt: str, avro: AvroSchema) -> pa.Table:
    """Load one written file; raises SchemaError when it does not match the table's schema ``avro``."""
    schema = arrow_schema(avro)
    try:
        if fmt == "parquet":
            data = pq.read_table(path)
        elif fmt == "csv":
            # the writer leaves a null field empty and quotes an empty string: both read back as written
            data = pacsv.read_csv(
                path,
                convert_options=pacsv.ConvertOptions(
                    column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False
                ),
            )
        elif fmt == "jsonl":
            # the JSON reader parses dates only from numbers; read them as text and cast below
            as_read = pa.schema([pa.field(f.name, pa.string()) if pa.types.is_date(f.type) else f for f in schema])
            data = pajson.read_json(path, parse_options=pajson.ParseOptions(explicit_schema=as_read))
        elif fmt == "avro":
            with path.open("rb") as fh:
                data = pa.Table.from_pylist(list(fastavro.reader(fh)), schema=schema)
        else:
            raise SchemaError(f"{path}: unknown format {fmt!r}")
        columns = {name: data.column(name).combine_chunks() for name in data.column_names}
        return conform(schema, columns, str(path))
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, KeyError) as exc:
        raise SchemaError(f"{path}: does not match the schema of {record_full_name(avro)} ({exc})") from exc
