"""Sending segments: slice keys and bodies, add the framing header, restamp live events."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from emitter.avro.framing import Framing
from emitter.avro.json_values import encode_json
from emitter.core.columns import timestamps
from emitter.scenarios.tables import Catalog, TableSpec
from emitter.stream.segments import Segment, SegmentTable


def restamp(batch: pa.Table, spec: TableSpec, now_us: int) -> pa.Table:
    """Live mode: stamp every event with ``now_us`` and shift the table's other times by the same amount."""
    if spec.event_time is None:
        return batch
    old = np.asarray(batch.column(spec.event_time).cast(pa.int64()).to_numpy(), dtype=np.int64)
    shift = now_us - old
    at = batch.schema.get_field_index(spec.event_time)
    out = batch.set_column(at, spec.event_time, timestamps(np.full(old.size, now_us)))
    for name in spec.moves_with_event_time:
        if name in out.column_names:
            moved = np.asarray(out.column(name).cast(pa.int64()).to_numpy(), dtype=np.int64) + shift
            out = out.set_column(out.schema.get_field_index(name), name, timestamps(moved))
    return out


def avro_long(value: int) -> bytes:
    """Zigzag varint of one long: the Avro encoding of a timestamp-micros value."""
    z = (value << 1) ^ (value >> 63)
    out = bytearray()
    while z > 0x7F:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


def _stamped(part: SegmentTable, a: int, b: int, now_us: int) -> list[bytes]:
    """Rows ``a:b`` as live values: the event time is ``now_us``, the table's other times move by as much."""
    assert part.times is not None
    stamp = avro_long(now_us)
    pieces = [piece.items(a, b) for piece in part.pieces]
    if len(pieces) == 2:  # the common case: only the event time is spliced in
        return [h + stamp + t for h, t in zip(pieces[0], pieces[1], strict=True)]
    times = part.times[:, a:b]
    shift = now_us - times[part.event_time]
    stamps = [
        [stamp] * (b - a) if i == part.event_time else [avro_long(int(v)) for v in (times[i] + shift).tolist()]
        for i in range(times.shape[0])
    ]
    out = []
    for row in range(b - a):
        value = bytearray(pieces[0][row])
        for i, stamped in enumerate(stamps):
            value += stamped[row]
            value += pieces[i + 1][row]
        out.append(bytes(value))
    return out


class Emitter:
    """Turns slices of segments into (table, topic, keys, values) for the target."""

    def __init__(self, catalog: Catalog, framing: Framing | None, topic_prefix: str) -> None:
        self.catalog = catalog
        self.framing = framing  # None: JSON values
        self.topic_prefix = topic_prefix
        self._headers: dict[str, bytes] = {}

    @property
    def name(self) -> str:
        return self.framing.name if self.framing else "json"

    def headers(self, tables: tuple[str, ...]) -> dict[str, bytes]:
        """Framing bytes before every message, per table (a registry is asked once per topic, up front)."""
        return {t: self.header(t) for t in tables}

    def header(self, table: str) -> bytes:
        """Framing bytes before every message of ``table``."""
        if table not in self._headers:
            spec = self.catalog.get(table)
            self._headers[table] = (
                self.framing.header(self.catalog.avro(spec), self.topic(table)) if self.framing else b""
            )
        return self._headers[table]

    def topic(self, table: str) -> str:
        return self.catalog.topic(self.topic_prefix, self.catalog.get(table))

    def messages(
        self, segment: Segment, lo: int, hi: int, now_us: int | None
    ) -> list[tuple[str, str, list[bytes], list[bytes]]]:
        """Per table touched by events ``lo:hi``: (table, topic, keys, values); live events stamped ``now_us``."""
        out = []
        which, rows = segment.table[lo:hi], segment.row[lo:hi]
        for index in np.unique(which):
            mine = rows[which == index]
            a, b = int(mine[0]), int(mine[-1]) + 1  # a table's rows are contiguous in event order
            name = segment.names[int(index)]
            part = segment.tables[int(index)]
            if now_us is None:
                assert part.body is not None
                values = part.body.items(a, b)
            elif part.times is not None:
                values = _stamped(part, a, b, now_us)
            else:
                assert part.batch is not None
                spec = self.catalog.get(name)
                batch = restamp(part.batch.slice(a, b - a), spec, now_us)
                if self.framing is None:
                    values = encode_json(batch).messages()
                else:
                    values = self.framing.encode(batch, self.catalog.avro(spec), self.topic(name)).messages()
            out.append((name, self.topic(name), part.keys.items(a, b), values))
        return out
