"""Avro decoding throughput: the vectorized decoder against fastavro.schemaless_reader per record.

Generates one retail day at config.json volumes (or a --preset's), repeats each table's rows up to --rows,
encodes them, and prints rows/s (best of --repeat runs, one core) for:

- decode: ``decode_bodies`` from a list of bytes (one per message, as a consumer hands them over),
  including the b"".join into one buffer;
- flat: ``decode_bodies`` from an already flat buffer + offsets (no join);
- framed: ``decode_messages`` on single-object framed messages (frame splitting + decoding);
- fastavro: ``schemaless_reader`` once per record into dicts (what a per-record sink would pay,
  before even building Arrow columns from the dicts).

    python bench/avro_decode.py                        # receipts, ble_pings, receipt_lines, online_orders
    python bench/avro_decode.py --tables receipts --rows 500000
    python bench/avro_decode.py --preset small --rows 10000 --repeat 2   # a quick try
"""

from __future__ import annotations

import argparse
import io
import os
import platform
from typing import Any

from avro_encode import best_of, retail_day, retail_schema

DEFAULT_TABLES = ["receipts", "ble_pings", "receipt_lines", "online_orders", "customers"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", nargs="+", default=DEFAULT_TABLES)
    parser.add_argument("--rows", type=int, default=200_000, help="messages per decoded batch")
    parser.add_argument("--fastavro-rows", type=int, default=20_000, help="messages for the per-record baseline")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--preset", help="the scenario's named settings, e.g. small (default: config.json volumes)")
    args = parser.parse_args()

    import pyarrow as pa

    print(f"avro_decode: {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cpus")
    print(f"avro_decode: {args.rows:,} messages per batch, best of {args.repeat}, one core")
    tables = retail_day(args.preset, args.tables)

    header = f"{'table':<20}{'B/msg':>6}{'decode':>14}{'flat':>14}{'framed':>14}{'fastavro':>12}{'speedup':>9}"
    print(header)
    for name in args.tables:
        source = tables[name]
        copies = -(-args.rows // max(source.num_rows, 1))
        table = pa.concat_tables([source] * copies).slice(0, args.rows).combine_chunks()
        print(measure(name, table, args.fastavro_rows, args.repeat))


def measure(name: str, table: Any, fastavro_rows: int, repeat: int) -> str:
    """One line of figures for one table."""
    import fastavro

    from emitter.avro.decode import MessageBodies, decode_bodies
    from emitter.avro.decode_framed import SchemaResolver, decode_messages
    from emitter.avro.encode import encode_table
    from emitter.avro.framing import SingleObjectFraming
    from emitter.scenarios.retail import RetailScenario

    schema = retail_schema(name)
    n = table.num_rows
    encoded = encode_table(table, schema)
    messages = encoded.messages()
    framed = SingleObjectFraming().encode(table, schema, name).messages()
    resolver = SchemaResolver(RetailScenario.catalog().all_avro())
    decoded = decode_bodies(messages, schema)
    if not decoded.table.equals(table) or decoded.rejected:
        raise SystemExit(f"{name}: the decoded table differs from the encoded one")

    decode_s = best_of(repeat, lambda: decode_bodies(messages, schema))
    flat_s = best_of(repeat, lambda: decode_bodies(MessageBodies.from_offsets(encoded.data, encoded.offsets), schema))
    framed_s = best_of(repeat, lambda: decode_messages(framed, resolver))

    sample = messages[: min(fastavro_rows, n)]
    parsed = fastavro.parse_schema(schema)

    def per_record() -> None:
        for message in sample:
            fastavro.schemaless_reader(io.BytesIO(message), parsed, None)

    fastavro_s = best_of(max(1, repeat // 2), per_record) / len(sample)
    return (
        f"{name:<20}{encoded.nbytes / n:>6.0f}"
        f"{n / decode_s / 1e6:>11.2f} M/s{n / flat_s / 1e6:>11.2f} M/s{n / framed_s / 1e6:>11.2f} M/s"
        f"{1 / fastavro_s / 1e3:>9.0f} k/s{fastavro_s * n / decode_s:>8.0f}x"
    )


if __name__ == "__main__":
    main()
