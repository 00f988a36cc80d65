"""Segments: a few thousand consecutive timeline events, encoded and ready to send.

A segment holds, per table, its rows' keys and encoded Avro bodies as flat buffers (cheap to pickle
between processes and to slice), so the process that paces and produces never encodes in bulk.
Headers (the framing) are added when sending: they depend on the registry the sender talks to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.avro.encode import EncodedBatch, encode_table
from emitter.avro.json_values import encode_json
from emitter.avro.schemas import AvroSchema, load_schema
from emitter.scenarios.base import Scenario
from emitter.stream.timeline import DayEvents

I64 = npt.NDArray[np.int64]
SEGMENT_EVENTS = 16_384
# event-time columns besides event_ts that move with it when a live stream restamps events
SHIFTED_WITH_EVENT_TS = ("eta", "etd")


@dataclass
class FlatBytes:
    """Byte strings back to back; item i is ``data[bounds[i]:bounds[i + 1]]``."""

    data: bytes
    bounds: I64

    @classmethod
    def of(cls, encoded: EncodedBatch) -> FlatBytes:
        return cls(encoded.data.tobytes(), encoded.offsets)

    @classmethod
    def from_list(cls, items: list[bytes]) -> FlatBytes:
        bounds = np.zeros(len(items) + 1, dtype=np.int64)
        np.cumsum([len(i) for i in items], out=bounds[1:])
        return cls(b"".join(items), bounds)

    def items(self, start: int, stop: int) -> list[bytes]:
        data = self.data
        return [data[a:b] for a, b in pairwise(self.bounds[start : stop + 1].tolist())]


@dataclass
class SegmentTable:
    """One table's rows inside a segment, in event order."""

    keys: FlatBytes
    body: FlatBytes | None = None  # the whole Avro (or JSON) body, for replays
    head: FlatBytes | None = None  # live: the fields before event_ts
    tail: FlatBytes | None = None  # live: the fields after event_ts
    batch: pa.Table | None = None  # live rows that must be re-encoded when restamped (other time columns, JSON)


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


def split_schema(schema: AvroSchema) -> tuple[AvroSchema, AvroSchema, int]:
    """The record's fields before and after event_ts (an Avro record is its fields concatenated)."""
    names = [f["name"] for f in schema["fields"]]
    at = names.index("event_ts")
    head = {**schema, "name": f"{schema['name']}_head", "fields": schema["fields"][:at]}
    tail = {**schema, "name": f"{schema['name']}_tail", "fields": schema["fields"][at + 1 :]}
    return head, tail, at


def build_segments(
    events: DayEvents, scenario: Scenario, value_format: str, live: bool, size: int = SEGMENT_EVENTS
) -> list[Segment]:
    """Cut one day into segments and encode every table's rows in each."""
    out = []
    for lo in range(0, len(events), size):
        hi = min(lo + size, len(events))
        which, rows = events.table[lo:hi], events.row[lo:hi]
        first = np.zeros(len(events.names), dtype=np.int64)
        for index in np.unique(which):
            first[index] = rows[which == index][0]
        segment = Segment(events.day, events.names, events.ts[lo:hi], which, rows - first[which])
        for index in np.unique(which):
            mine = rows[which == index]
            name = events.names[int(index)]
            batch = events.tables[name].slice(int(mine[0]), int(mine.size))  # a table's rows are contiguous
            segment.tables[int(index)] = _encode_rows(scenario, name, batch, value_format, live)
        out.append(segment)
    return out


def _encode_rows(scenario: Scenario, name: str, batch: pa.Table, value_format: str, live: bool) -> SegmentTable:
    keys = FlatBytes.from_list([k.encode() for k in scenario.event_keys(name, batch).to_pylist()])
    if value_format == "json":
        return SegmentTable(
            keys, body=None if live else FlatBytes.of(encode_json(batch)), batch=batch if live else None
        )
    schema = load_schema(scenario.name, name)
    if not live:
        return SegmentTable(keys, body=FlatBytes.of(encode_table(batch, schema)))
    if any(c in batch.column_names for c in SHIFTED_WITH_EVENT_TS):
        return SegmentTable(keys, batch=batch)
    head_schema, tail_schema, at = split_schema(schema)
    names = [f["name"] for f in schema["fields"]]
    head = encode_table(batch.select(names[:at]), head_schema)
    tail = encode_table(batch.select(names[at + 1 :]), tail_schema)
    return SegmentTable(keys, head=FlatBytes.of(head), tail=FlatBytes.of(tail))
