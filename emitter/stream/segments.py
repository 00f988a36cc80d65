"""Segments: a few thousand consecutive timeline events, encoded and ready to send.

A segment holds, per table, its rows' keys and encoded values as flat buffers (cheap to pickle
between processes and to slice), so the process that paces and produces never encodes in bulk.
The framing header of each table is resolved once by the sender (it may ask a schema registry)
and handed to the worker, which writes it in front of every value.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    # live Avro: the value's bytes between its time fields (the first piece starts with the framing header),
    # and each time field's model value per row; the event time is the first of ``times``
    pieces: tuple[FlatBytes, ...] = ()
    times: I64 | None = None  # (time fields, rows), in the order they sit between the pieces
    event_time: int = 0  # which of ``times`` is the event time; the others move with it
    batch: pa.Table | None = None  # live rows re-encoded when restamped (JSON, or time fields that may be null)

    def rows(self, start: int, stop: int) -> SegmentTable:
        """The same parts for rows ``start:stop`` only."""
        return SegmentTable(
            self.keys.rows(start, stop),
            None if self.body is None else self.body.rows(start, stop),
            tuple(piece.rows(start, stop) for piece in self.pieces),
            None if self.times is None else self.times[:, start:stop].copy(),
            self.event_time,
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


def split_schema(schema: AvroSchema, cut: Sequence[str]) -> tuple[list[AvroSchema], list[str]]:
    """The record's fields between the ``cut`` fields (an Avro record is its fields concatenated).

    Returns the len(cut) + 1 records of the fields before, between and after them, and the cut fields in
    the order they occur.
    """
    names = [f["name"] for f in schema["fields"]]
    at = sorted(names.index(name) for name in cut)
    bounds = [-1, *at, len(names)]
    parts = [
        {**schema, "name": f"{schema['name']}_part{i}", "fields": schema["fields"][lo + 1 : hi]}
        for i, (lo, hi) in enumerate(pairwise(bounds))
    ]
    return parts, [names[i] for i in at]


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
    if spec.event_time is None:
        return SegmentTable(keys, batch=batch)
    cut = [spec.event_time, *spec.moves_with_event_time]
    if not all(_plain_timestamp(schema, name) for name in cut):
        return SegmentTable(keys, batch=batch)  # restamped and re-encoded as it leaves
    parts, order = split_schema(schema, cut)
    pieces = tuple(
        FlatBytes.of(
            encode_table(batch.select([f["name"] for f in part["fields"]]), part, prefix=header if i == 0 else b"")
        )
        for i, part in enumerate(parts)
    )
    times = np.stack([np.asarray(batch.column(n).cast(pa.int64()).to_numpy(), dtype=np.int64) for n in order])
    return SegmentTable(keys, pieces=pieces, times=times, event_time=order.index(spec.event_time))


def _plain_timestamp(schema: AvroSchema, name: str) -> bool:
    """Whether field ``name`` is a non-null timestamp-micros long: its bytes are one zigzag varint."""
    field = next(f for f in schema["fields"] if f["name"] == name)
    kind = field["type"]
    return isinstance(kind, dict) and kind.get("type") == "long" and kind.get("logicalType") == "timestamp-micros"
