"""Vectorized Avro binary decoding of many messages into one Arrow table: the encoder in reverse.

The fields of a record are walked in order for all messages at once, holding one read position per
message (see ``unpack``). A malformed message never stops the others: each reader reports a fault
per message, the first fault of a message is kept, its position stops moving, and at the end its
row is dropped from the table and reported in ``rejected``. No per-message Python runs on the hot
path; the result conforms exactly to ``emitter.avro.schemas``' Arrow mapping of the schema.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import pyarrow as pa

from emitter.avro import unpack
from emitter.avro.encode import _Field, _plan
from emitter.avro.schemas import AvroSchema, arrow_schema_of_json
from emitter.avro.unpack import FAULT_TEXT, I64, PAD, U8, Cursor, Fault, Mask, Read
from emitter.errors import SchemaError

# Messages are decoded in slices of this many rows, so the per-field work arrays stay in cache...
CHUNK_ROWS = 1 << 15
# ...and of at most this many bytes: Arrow binary views address their buffer with 32-bit offsets.
CHUNK_BYTES = 1 << 30

_PADDING = bytes(PAD)
_INT32_KINDS = {"int", "date"}
_INT64_KINDS = {"long", "timestamp-micros", "timestamp-millis"}


@dataclass(frozen=True, eq=False)
class MessageBodies:
    """Avro bodies in one buffer: message i is ``buffer[starts[i]:ends[i]]``.

    The buffer keeps ``unpack.PAD`` bytes before the first and after the last message, so readers
    can load whole words anywhere in a message. Messages may share a buffer with other bytes (the
    frame headers and messages of other schemas, after ``split_frames``).
    """

    buffer: U8
    starts: I64
    ends: I64

    def __post_init__(self) -> None:
        if len(self.starts) != len(self.ends):
            raise ValueError("starts and ends differ in length")
        if len(self.starts) and (
            int(self.starts.min()) < PAD
            or int(self.ends.max()) > len(self.buffer) - PAD
            or bool((self.ends < self.starts).any())
        ):
            raise ValueError(f"message bounds must lie inside the buffer, {PAD} bytes from either end")

    @classmethod
    def from_bytes(cls, bodies: Sequence[bytes]) -> MessageBodies:
        """One copy of all the bodies into a padded buffer (Arrow's builder: it sizes and copies in one go)."""
        packed = pa.array([_PADDING, *bodies, _PADDING], pa.large_binary())
        _, offsets, data = packed.buffers()
        if offsets is None or data is None:
            raise AssertionError("a binary array with padding has offsets and data")
        bounds = np.frombuffer(offsets, np.int64, len(bodies) + 1, packed.offset * 8 + 8)
        return cls(np.frombuffer(data, np.uint8, int(bounds[-1]) + PAD), bounds[:-1], bounds[1:])

    @classmethod
    def from_offsets(cls, data: U8, offsets: I64) -> MessageBodies:
        """Messages back to back, message i at ``data[offsets[i]:offsets[i + 1]]`` (as ``EncodedBatch``)."""
        offsets = np.asarray(offsets, np.int64)
        first = int(offsets[0]) if len(offsets) else 0
        body = data[first : int(offsets[-1])] if len(offsets) else data[:0]
        buffer = np.concatenate([np.zeros(PAD, np.uint8), body, np.zeros(PAD, np.uint8)])
        moved = offsets - first + PAD
        return cls(buffer, moved[:-1], moved[1:])

    def __len__(self) -> int:
        return len(self.starts)

    def chunks(self, rows: int | None = None, size: int | None = None) -> list[tuple[int, MessageBodies]]:
        """Consecutive slices of at most ``rows`` messages and ``size`` bytes (bar single huge messages),
        each with the number of its first row. Defaults: ``CHUNK_ROWS`` and ``CHUNK_BYTES``."""
        rows, size = rows or CHUNK_ROWS, size or CHUNK_BYTES
        n = len(self)
        if n <= rows and len(self.buffer) <= size:
            return [(0, self)]
        lengths = self.ends - self.starts
        cuts = [0]
        total = np.cumsum(lengths)
        while cuts[-1] < n:
            first = cuts[-1]
            by_size = int(np.searchsorted(total, (total[first - 1] if first else 0) + size, "right"))
            cuts.append(min(n, first + rows, max(by_size, first + 1)))
        return [(a, self._slice(a, b)) for a, b in pairwise(cuts)]

    def _slice(self, first: int, last: int) -> MessageBodies:
        starts, ends = self.starts[first:last], self.ends[first:last]
        low, high = int(starts.min()) - PAD, int(ends.max()) + PAD
        if high - low >= 2**31:  # messages far apart in a shared buffer: copy them together
            return MessageBodies.from_bytes([self.buffer[a:b].tobytes() for a, b in zip(starts, ends, strict=True)])
        return MessageBodies(self.buffer[low:high], starts - low, ends - low)


@dataclass(frozen=True, eq=False)
class DecodedBatch:
    """Decoded rows, the input position each row came from, and the messages that were rejected.

    Attributes:
        table: one row per good message, in input order, with exactly the schema's Arrow types.
        index: for each row of ``table``, the position of its message in the input.
        rejected: (position, reason) of every message that could not be decoded.
    """

    table: pa.Table
    index: I64
    rejected: list[tuple[int, str]] = field(default_factory=list)


def decode_bodies(bodies: Sequence[bytes] | MessageBodies | tuple[U8, I64], avro_schema: AvroSchema) -> DecodedBatch:
    """Decode unframed Avro bodies of one record schema into a table, rejecting malformed ones.

    Args:
        bodies: one ``bytes`` per message; or ``MessageBodies``; or a flat buffer and its n + 1
            offsets, as ``(EncodedBatch.data, EncodedBatch.offsets)``.
        avro_schema: the writer's record schema.

    Raises:
        SchemaError: the schema is malformed, or not a record of the types the encoder supports.
    """
    fields, schema = _compile(avro_schema)
    record = str(avro_schema.get("name", "record"))
    if isinstance(bodies, MessageBodies):
        messages = bodies
    elif isinstance(bodies, tuple) and len(bodies) == 2 and isinstance(bodies[0], np.ndarray):
        messages = MessageBodies.from_offsets(bodies[0], np.asarray(bodies[1]))
    else:
        messages = MessageBodies.from_bytes(bodies)
    parts = [_decode(chunk, fields, schema, record, first) for first, chunk in messages.chunks()]
    if len(parts) == 1:
        return parts[0]
    return DecodedBatch(
        pa.concat_tables([part.table for part in parts]),
        np.concatenate([part.index for part in parts]),
        [item for part in parts for item in part.rejected],
    )


def _compile(avro_schema: AvroSchema) -> tuple[tuple[_Field, ...], pa.Schema]:
    try:
        key = json.dumps(avro_schema, sort_keys=True)
        return _plan(key), arrow_schema_of_json(key)
    except SchemaError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a registry can hand over anything
        raise SchemaError(f"malformed or unsupported Avro schema {str(avro_schema)[:80]}: {exc!r}") from exc


def _decode(
    messages: MessageBodies, fields: Sequence[_Field], schema: pa.Schema, record: str, first: int
) -> DecodedBatch:
    cursor = Cursor(messages.buffer)
    pos, end = messages.starts.copy(), messages.ends
    n = len(pos)
    fault = np.zeros(n, np.uint8)
    culprit = np.zeros(n, np.int32)  # the field of each message's first fault
    arrays = []
    for number, spec in enumerate(fields):
        array, read = _column(cursor, pos, end, spec, schema.field(number).type, fault)
        fresh = read.fault != 0
        if fresh.any():
            fresh &= fault == 0
            fault[fresh] = read.fault[fresh]
            culprit[fresh] = number
        pos += read.size
        arrays.append(array)
    leftover = (fault == 0) & (pos != end)
    fault[leftover] = Fault.LEFTOVER
    table = pa.Table.from_arrays(arrays, schema=schema) if arrays else _no_columns(n)
    good = fault == 0
    if good.all():
        return DecodedBatch(table, np.arange(first, first + n, dtype=np.int64))
    rejected = []
    for row in np.flatnonzero(~good).tolist():
        code = Fault(int(fault[row]))
        if code is Fault.LEFTOVER:
            reason = f"{record}: {int(end[row] - pos[row])} byte(s) left over after the last field"
        else:
            reason = f"{record}.{fields[int(culprit[row])].name}: {FAULT_TEXT[code]}"
        rejected.append((first + row, reason))
    return DecodedBatch(table.filter(pa.array(good)), np.flatnonzero(good) + first, rejected)


def _no_columns(n: int) -> pa.Table:
    """A record without fields still has rows (one per empty message): Arrow keeps them in a batch."""
    return pa.Table.from_batches([pa.RecordBatch.from_struct_array(pa.array([{}] * n, pa.struct([])))])


# ---- one column --------------------------------------------------------------------------------------

Values = tuple[np.ndarray, ...]


def _column(cursor: Cursor, pos: I64, end: I64, spec: _Field, kind: pa.DataType, fault: U8) -> tuple[pa.Array, Read]:
    """Read one field of every message and build its Arrow array. ``fault``: the faults so far."""
    if not spec.nullable:
        values, read = _values(cursor, pos, end, spec)
        return _array(cursor, spec, kind, values, None, read, fault), read
    raw, branch = unpack.varint(cursor, pos, end)
    branch_fault = branch.fault.copy()
    branch_fault[(branch_fault == 0) & (raw != 0) & (raw != 2)] = Fault.BAD_BRANCH  # zigzag 0 and 1
    value_code = 2 if spec.null_branch == 0 else 0
    present = (branch_fault == 0) & (raw == value_code)
    if present.all():
        values, read = _values(cursor, pos + branch.size, end, spec)
        total = Read(read.size + branch.size, read.fault)
        return _array(cursor, spec, kind, values, None, total, fault), total
    rows = np.flatnonzero(present)
    some, read = _values(cursor, pos[rows] + branch.size[rows], end[rows], spec)
    values = tuple(_scatter(part, rows, len(pos)) for part in some)
    size = np.where(branch_fault == 0, branch.size, 0)
    size[rows] += read.size
    branch_fault[rows] = read.fault
    total = Read(size, branch_fault)
    return _array(cursor, spec, kind, values, present, total, fault), total


def _scatter(part: np.ndarray, rows: I64, n: int) -> np.ndarray:
    full = np.zeros(n, part.dtype)
    full[rows] = part
    return full


def _values(cursor: Cursor, pos: I64, end: I64, spec: _Field) -> tuple[Values, Read]:
    kind = spec.kind
    if kind in _INT32_KINDS or kind in _INT64_KINDS:
        wide = kind.startswith("timestamp")
        numbers, read = unpack.long_values(cursor, pos, end, int32=kind in _INT32_KINDS, wide=wide)
        return (numbers,), read
    if kind in {"float", "double"}:
        raw, read = unpack.fixed(cursor, pos, end, 4 if kind == "float" else 8)
        return (raw,), read
    if kind == "boolean":
        flags, read = unpack.boolean(cursor, pos, end)
        return (flags,), read
    starts, lengths, read = unpack.length_prefixed(cursor, pos, end)
    if kind in {"string", "bytes"}:
        return (starts, lengths), read
    low, high, decimal_fault = unpack.decimal_words(cursor, starts, lengths, spec.precision)
    if decimal_fault.any():
        fault = read.fault.copy()
        worse = (fault == 0) & (decimal_fault != 0)
        fault[worse] = decimal_fault[worse]
        read = Read(np.where(fault == 0, read.size, 0), fault)
    return (low, high), read


def _array(
    cursor: Cursor, spec: _Field, kind: pa.DataType, values: Values, valid: Mask | None, read: Read, fault: U8
) -> pa.Array:
    n = len(read.size)
    if spec.kind in {"string", "bytes"}:
        starts, lengths = values
        broken = (fault != 0) | (read.fault != 0)
        lengths = np.where(broken, 0, lengths)  # faulty rows become empty: nothing stray is gathered
        binary = unpack.binary_array(cursor, starts, lengths, valid)
        if spec.kind == "bytes":
            return binary
        for row in unpack.invalid_utf8(binary):
            read.fault[row] = Fault.BAD_UTF8
            read.size[row] = 0
        return pa.Array.from_buffers(pa.string(), n, binary.buffers())
    validity = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    if spec.kind == "decimal":
        low, high = values
        words = np.empty((n, 2), np.int64)
        words[:, 0], words[:, 1] = low, high
        return pa.Array.from_buffers(kind, n, [validity, pa.py_buffer(words)])
    if spec.kind == "boolean":
        bits = np.packbits(values[0].astype(np.bool_), bitorder="little")
        return pa.Array.from_buffers(kind, n, [validity, pa.py_buffer(bits)])
    data = values[0]
    if spec.kind in _INT32_KINDS:
        data = data.astype(np.int32)
    return pa.Array.from_buffers(kind, n, [validity, pa.py_buffer(np.ascontiguousarray(data))])
