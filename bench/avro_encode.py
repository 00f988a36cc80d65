"""Avro encoding throughput: the vectorized encoder against fastavro.schemaless_writer per record.

Generates one retail day at config.json volumes (or a --preset's), repeats each table's rows up to --rows,
and prints rows/s (best of --repeat runs, one core) for:

- encode_table: Arrow batch -> flat buffer + offsets;
- encode + single-object framing in one pass (Framing.encode);
- frame() of an already encoded batch (the two-pass path);
- messages(): slicing the buffer into one bytes object per message, as a producer needs;
- fastavro: schemaless_writer once per record, on records already converted to dicts
  (to_pylist's own cost is printed separately, since a real per-record path pays it too).

    python bench/avro_encode.py                        # receipts, ble_pings, receipt_lines, online_orders
    python bench/avro_encode.py --tables receipts --rows 200000
    python bench/avro_encode.py --preset small --rows 10000 --repeat 2   # a quick try
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import time
from collections.abc import Callable
from datetime import date
from typing import Any

START = date(2024, 3, 15)
DEFAULT_TABLES = ["receipts", "ble_pings", "receipt_lines", "online_orders"]


def retail_day(preset: str | None, tables: list[str]) -> dict[str, Any]:
    """The reference tables and one day of the per-day ones among ``tables``, from ./config.json if present."""
    from emitter.config import load_config
    from emitter.scenarios import open_scenario

    scenario = open_scenario(load_config(overrides={"preset": preset}, environ={}))
    per_day = {t.id for t in scenario.catalog().per_day}
    out = dict(scenario.reference())
    _, day = next(iter(scenario.days([START], [t for t in tables if t in per_day])))
    out.update(day)
    return out


def retail_schema(table: str) -> dict[str, Any]:
    from emitter.scenarios.retail import RetailScenario

    catalog = RetailScenario.catalog()
    return catalog.avro(catalog.get(table))


def best_of(repeat: int, run: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", nargs="+", default=DEFAULT_TABLES)
    parser.add_argument("--rows", type=int, default=100_000, help="rows per encoded batch")
    parser.add_argument("--fastavro-rows", type=int, default=20_000, help="rows for the per-record baseline")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--preset", help="the scenario's named settings, e.g. small (default: config.json volumes)")
    args = parser.parse_args()

    import pyarrow as pa

    print(f"avro_encode: {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cpus")
    print(f"avro_encode: {args.rows:,} rows per batch, best of {args.repeat}, one core")
    day = retail_day(args.preset, args.tables)

    header = f"{'table':<20}{'B/row':>6}{'encode':>14}{'enc+frame':>14}{'frame()':>14}{'messages()':>14}"
    header += f"{'fastavro':>12}{'to_pylist':>12}{'speedup':>9}"
    print(header)
    for name in args.tables:
        source = day[name]
        copies = -(-args.rows // max(source.num_rows, 1))
        table = pa.concat_tables([source] * copies).slice(0, args.rows).combine_chunks()
        print(measure(name, table, args.fastavro_rows, args.repeat))


def measure(name: str, table: Any, fastavro_rows: int, repeat: int) -> str:
    """One line of figures for one table."""
    import fastavro

    from emitter.avro.encode import encode_table
    from emitter.avro.framing import SingleObjectFraming

    schema = retail_schema(name)
    framing = SingleObjectFraming()
    n = table.num_rows
    encoded = encode_table(table, schema)
    encode_s = best_of(repeat, lambda: encode_table(table, schema))
    framed_s = best_of(repeat, lambda: framing.encode(table, schema, name))
    frame_s = best_of(repeat, lambda: framing.frame(encoded, name))
    messages_s = best_of(repeat, encoded.messages)

    sample = table.slice(0, min(fastavro_rows, n))
    records = sample.to_pylist()
    parsed = fastavro.parse_schema(schema)

    def per_record() -> None:
        for record in records:
            fastavro.schemaless_writer(io.BytesIO(), parsed, record)

    fastavro_s = best_of(max(1, repeat // 3), per_record) / len(records)
    pylist_s = best_of(max(1, repeat // 3), sample.to_pylist) / len(records)
    return (
        f"{name:<20}{encoded.nbytes / n:>6.0f}"
        f"{n / encode_s / 1e6:>11.2f} M/s{n / framed_s / 1e6:>11.2f} M/s{n / frame_s / 1e6:>11.2f} M/s"
        f"{n / messages_s / 1e6:>11.2f} M/s{1 / fastavro_s / 1e3:>9.0f} k/s{1 / pylist_s / 1e3:>9.0f} k/s"
        f"{fastavro_s * n / encode_s:>8.0f}x"
    )


if __name__ == "__main__":
    main()
