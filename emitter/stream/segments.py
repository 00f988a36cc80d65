"""Segments: a few thousand consecutive timeline events, encoded and ready to send.

A segment holds, per table, its rows' keys and encoded values as flat buffers (cheap to pickle
between processes and to slice), so the process that paces and produces never encodes in bulk.
The framing header of each table is resolved once by the sender (it may ask a schema registry)
and handed to the worker, which writes it in front of every value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.avro.encode import EncodedBatch, encode_table
from emitter.avro.json_values import encode_json
from emitter.avro.schemas import AvroSchema
from emitter.scenarios.contract import Scenario
from emitter.scenarios.tables import TableSpec
from emitter.stream.timeline import DayEvents

I64 = npt.NDArray[np.int64]
SEGMENT_EVENTS = 16_384


@dataclass
class FlatBytes:
    """Byte strings back to back; item i is ``data[bounds[i]:bounds[i + 1]]``."""

    data: bytes
    bounds: I64

    @classmethod
    def of(cls, encoded: EncodedBatch) -> FlatBytes:
        return cls(encoded.data.tobytes(), encoded.offsets)

    @classmethod
    def of_strings(cls, strings: pa.Array) -> FlatBytes:
        """UTF-8 strings straight from an Arrow array's buffers."""
        strings = pa.concat_arrays([strings]) if strings.offset else strings  # rebase a sliced array
        offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32)[: len(strings) + 1].astype(np.int64)
        data = strings.buffers()[2]
        body = data.to_pybytes()[offsets[0] : offsets[-1]] if data is not None else b""
        return cls(body, offsets - offsets[0])

    def rows(self, start: int, stop: int) -> FlatBytes:
        """Items ``start:stop`` as their own buffer."""
        bounds = self.bounds[start : stop + 1]
        return FlatBytes(self.data[int(bounds[0]) : int(bounds[-1])], bounds - bounds[0])

    def items(self, start: int, stop: int) -> list[bytes]:
        data = self.data
        return [data[a:b] for a, b in pairwise(self.bounds[start : stop + 1].tolist())]


@dataclass
class SegmentTable:
    """One table's rows inside a segment, in event order."""

    keys: FlatBytes
    body: FlatBytes | None = None  # the whole value (framing header + Avro body, or JSON), for replays
    head: FlatBytes | None = None  # live: the framing header and the fields before the event time
    tail: FlatBytes | None = None  # live: the fields after the event time
    batch: pa.Table | None = None  # live rows that must be re-encoded when restamped (other time columns, JSON)

    def rows(self, start: int, stop: int) -> SegmentTable:
        """The same parts for rows ``start:stop`` only."""

        def cut(flat: FlatBytes | None) -> FlatBytes | None:
            return None if flat is None else flat.rows(start, stop)

        return SegmentTable(
            self.keys.rows(start, stop),
            cut(self.body),
            cut(self.head),
            cut(self.tail),
            # take() copies: a slice would pickle its parent's whole buffers along with it
            None if self.batch is None else self.batch.take(pa.array(np.arange(start, stop))),
        )


@dataclass
class Segment:
    day: date
    names: tuple[str, ...]
    ts: I64  # event time per event, ascending
    table: I64  # table index per event
    row: I64  # row of each event within its table's rows in this segment
    tables: dict[int, SegmentTable] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.ts.size)


def split_schema(schema: AvroSchema, event_time: str) -> tuple[AvroSchema, AvroSchema, int]:
    """The record's fields before and after ``event_time`` (an Avro record is its fields concatenated)."""
    names = [f["name"] for f in schema["fields"]]
    at = names.index(event_time)
    head = {**schema, "name": f"{schema['name']}_head", "fields": schema["fields"][:at]}
    tail = {**schema, "name": f"{schema['name']}_tail", "fields": schema["fields"][at + 1 :]}
    return head, tail, at


def build_segments(
    events: DayEvents,
    scenario: Scenario[Any],
    value_format: str,
    live: bool,
    headers: dict[str, bytes],
    size: int = SEGMENT_EVENTS,
) -> list[Segment]:
    """Encode each table's rows for the whole day at once (vectorized), then cut the day into segments."""
    encoded = [
        _encode_rows(
            scenario, name, events.tables[name], value_format, live, headers[name] if value_format != "json" else b""
        )
        for name in events.names
    ]
    out = []
    for lo in range(0, len(events), size):
        hi = min(lo + size, len(events))
        which, rows = events.table[lo:hi], events.row[lo:hi]
        first = np.zeros(len(events.names), dtype=np.int64)
        segment = Segment(events.day, events.names, events.ts[lo:hi], which, rows)
        for index in np.unique(which):
            mine = rows[which == index]
            first[index] = mine[0]  # a table's rows are contiguous in event order
            segment.tables[int(index)] = encoded[int(index)].rows(int(mine[0]), int(mine[-1]) + 1)
        segment.row = rows - first[which]
        out.append(segment)
    return out


def _encode_rows(
    scenario: Scenario[Any], name: str, batch: pa.Table, value_format: str, live: bool, header: bytes
) -> SegmentTable:
    """Keys and values of a table's rows; ``header`` (the framing) starts every Avro value."""
    keys = FlatBytes.of_strings(scenario.stream_keys(name, batch))
    if value_format == "json":
        return SegmentTable(
            keys, body=None if live else FlatBytes.of(encode_json(batch)), batch=batch if live else None
        )
    catalog = scenario.catalog()
    spec: TableSpec = catalog.get(name)
    schema = catalog.avro(spec)
    if not live:
        return SegmentTable(keys, body=FlatBytes.of(encode_table(batch, schema, prefix=header)))
    if spec.moves_with_event_time or spec.event_time is None:
        return SegmentTable(keys, batch=batch)  # restamped and re-encoded as it leaves
    head_schema, tail_schema, at = split_schema(schema, spec.event_time)
    names = [f["name"] for f in schema["fields"]]
    head = encode_table(batch.select(names[:at]), head_schema, prefix=header)
    tail = encode_table(batch.select(names[at + 1 :]), tail_schema)
    return SegmentTable(keys, head=FlatBytes.of(head), tail=FlatBytes.of(tail))
