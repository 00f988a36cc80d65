"""Avro binary primitives read for many messages at once: varints, fixed-width values, decimals, strings.

The encoder's ``binary.py`` in reverse. Every reader takes the byte buffer and one read position per
message and returns the values, how many bytes each message consumed and an error code per message
(0 where the value is fine). Readers never look past a message's end for the value itself, but they
may load a few bytes beyond it, so the buffer carries ``PAD`` readable bytes before and after the
messages. Where a message is bad its consumed size is 0, so its position never leaves the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt
import pyarrow as pa

U8 = npt.NDArray[np.uint8]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

PAD = 16  # readable bytes kept before the first and after the last message of a buffer


class Fault(IntEnum):
    """Why a message is rejected; 0 means fine. The first fault of a message is the one reported."""

    OK = 0
    TRUNCATED = 1
    VARINT_TOO_LONG = 2
    NEGATIVE_LENGTH = 3
    BAD_BRANCH = 4
    BAD_BOOLEAN = 5
    INT_RANGE = 6
    DECIMAL_RANGE = 7
    DECIMAL_PRECISION = 8
    BAD_UTF8 = 9
    LEFTOVER = 10


FAULT_TEXT = {
    Fault.TRUNCATED: "truncated: the message ends inside this value",
    Fault.VARINT_TOO_LONG: "varint longer than 10 bytes or above 64 bits",
    Fault.NEGATIVE_LENGTH: "negative length",
    Fault.BAD_BRANCH: "invalid union branch",
    Fault.BAD_BOOLEAN: "boolean byte is neither 0 nor 1",
    Fault.INT_RANGE: "value out of the 32-bit int range",
    Fault.DECIMAL_RANGE: "decimal wider than 128 bits",
    Fault.DECIMAL_PRECISION: "decimal has more digits than the schema's precision",
    Fault.BAD_UTF8: "string is not valid UTF-8",
}

_HIGH_BITS = np.uint64(0x8080808080808080)
_LOW_BITS = np.uint64(0x7F7F7F7F7F7F7F7F)
_ONE = np.uint64(1)


@dataclass(frozen=True, eq=False)
class Cursor:
    """A padded buffer, with unaligned 8- and 4-byte little-endian loads at any byte position."""

    buffer: U8

    def __post_init__(self) -> None:
        if len(self.buffer) < 2 * PAD:
            raise ValueError(f"a decoding buffer needs {PAD} padding bytes on each side")

    @property
    def words(self) -> U64:
        """``words[i]`` is the 8 bytes at position i as a little-endian uint64 (a strided view, no copy)."""
        return np.ndarray((len(self.buffer) - 7,), np.dtype("<u8"), self.buffer, strides=(1,))

    def u64(self, pos: I64) -> U64:
        return self.words[pos]

    def u32(self, pos: I64) -> npt.NDArray[np.uint32]:
        return np.ndarray((len(self.buffer) - 3,), np.dtype("<u4"), self.buffer, strides=(1,))[pos]


@dataclass(frozen=True, eq=False)
class Read:
    """What a reader did with each message: the bytes it consumed (0 where faulty) and its fault."""

    size: I64
    fault: U8


def varint(cursor: Cursor, pos: I64, end: I64, *, wide: bool = False) -> tuple[U64, Read]:
    """Unsigned LEB128 at each position: (values, sizes and faults).

    Args:
        wide: the values are expected to take several bytes (timestamps), so the one-byte check
            that pays off for small ints and string lengths is skipped.
    """
    n = len(pos)
    if not wide or n == 0:
        first = cursor.buffer[pos]
        if n == 0 or int(first.max()) < 0x80:  # every value fits one byte: qty, line, lengths, branches
            fault = (pos >= end).view(np.uint8) * np.uint8(Fault.TRUNCATED)
            return first.astype(np.uint64), _settle(np.ones(n, np.int64), fault)
    word = cursor.u64(pos)
    stops = ~word & _HIGH_BITS  # the high bit of each byte that ends the varint
    lowest = stops & (~stops + _ONE)  # 0 when none of the 8 bytes ends it
    keep = (lowest << _ONE) - _ONE  # the bytes up to the end of the varint (all 8 if it goes on)
    size = (np.bitwise_count(keep) >> np.uint8(3)).astype(np.int64)
    value = _compress(word & keep & _LOW_BITS)
    long_rows = np.flatnonzero(stops == 0)
    fault = np.zeros(n, np.uint8)
    if len(long_rows):
        _finish_long(cursor, pos, long_rows, value, size, fault)
    fault[pos + size > end] = Fault.TRUNCATED  # also over "too long": the message ran out first
    return value, _settle(size, fault)


def _compress(groups: U64) -> U64:
    """Pack the 7-bit groups held in the low bits of each byte into one number (SWAR, 3 steps)."""
    x = (groups & np.uint64(0x007F007F007F007F)) | ((groups & np.uint64(0x7F007F007F007F00)) >> np.uint64(1))
    x = (x & np.uint64(0x00003FFF00003FFF)) | ((x & np.uint64(0x3FFF00003FFF0000)) >> np.uint64(2))
    return (x & np.uint64(0x000000000FFFFFFF)) | ((x & np.uint64(0x0FFFFFFF00000000)) >> np.uint64(4))


def _finish_long(cursor: Cursor, pos: I64, rows: I64, value: U64, size: I64, fault: U8) -> None:
    """Varints of 9 or 10 bytes (big or negative longs): bytes 8 and 9 hold the top 8 bits."""
    ninth = cursor.buffer[pos[rows] + 8].astype(np.uint64)
    tenth = cursor.buffer[pos[rows] + 9].astype(np.uint64)
    nine = ninth < 0x80
    ten = ~nine & (tenth <= 1)
    value[rows] |= ((ninth & np.uint64(0x7F)) << np.uint64(56)) | np.where(ten, tenth << np.uint64(63), 0).astype(
        np.uint64
    )
    size[rows] = np.where(nine, 9, 10)
    fault[rows[~nine & ~ten]] = Fault.VARINT_TOO_LONG


def _settle(size: I64, fault: U8) -> Read:
    return Read(np.where(fault == 0, size, 0), fault)


def unzigzag(value: U64) -> I64:
    """Avro's zigzag mapping back to signed 64-bit integers."""
    return ((value >> _ONE) ^ (~(value & _ONE) + _ONE)).view(np.int64)


def long_values(cursor: Cursor, pos: I64, end: I64, *, int32: bool, wide: bool = False) -> tuple[I64, Read]:
    """Zigzag varints as int64; with ``int32``, values outside the int range are faults."""
    raw, read = varint(cursor, pos, end, wide=wide)
    values = unzigzag(raw)
    if int32:
        out_of_range = (read.fault == 0) & (raw > np.uint64(0xFFFFFFFF))
        if out_of_range.any():
            fault = read.fault.copy()
            fault[out_of_range] = Fault.INT_RANGE
            read = _settle(read.size, fault)
    return values, read


def fixed(cursor: Cursor, pos: I64, end: I64, width: int) -> tuple[npt.NDArray[np.generic], Read]:
    """Little-endian 4- or 8-byte values (float, double) as raw unsigned words."""
    raw: npt.NDArray[np.generic] = cursor.u64(pos) if width == 8 else cursor.u32(pos)
    fault = np.where(pos + width > end, np.uint8(Fault.TRUNCATED), np.uint8(0))
    return raw, _settle(np.full(len(pos), width, np.int64), fault)


def boolean(cursor: Cursor, pos: I64, end: I64) -> tuple[U8, Read]:
    values = cursor.buffer[pos]
    fault = np.where(values > 1, np.uint8(Fault.BAD_BOOLEAN), np.uint8(0))
    fault[pos >= end] = Fault.TRUNCATED
    return values, _settle(np.ones(len(pos), np.int64), fault)


def length_prefixed(cursor: Cursor, pos: I64, end: I64) -> tuple[I64, I64, Read]:
    """Bytes and strings: a zigzag length, then that many bytes. Returns (starts, lengths, read)."""
    raw, head = varint(cursor, pos, end)
    lengths = unzigzag(raw)
    fault = head.fault.copy()
    fault[(fault == 0) & (lengths < 0)] = Fault.NEGATIVE_LENGTH
    starts = pos + head.size
    fault[(fault == 0) & (lengths > end - starts)] = Fault.TRUNCATED
    lengths = np.where(fault == 0, lengths, 0)
    return starts, lengths, _settle(head.size + lengths, fault)


# ---- decimals ----------------------------------------------------------------------------------------


def decimal_words(cursor: Cursor, starts: I64, lengths: I64, precision: int) -> tuple[I64, I64, U8]:
    """Big-endian two's complement bytes as decimal128 (low, high) words, and faults.

    Up to 16 bytes are read with two loads that end where the value ends, then sign-extended (one
    load when every value fits 8 bytes, as amounts do); longer values (fastavro writes -2**127 in
    17 bytes) are rare and taken one by one.
    """
    n = len(starts)
    longest = int(lengths.max()) if n else 0
    size = np.minimum(lengths, 16) if longest > 16 else lengths
    tail = starts + size
    low = _sign_extend(cursor.u64(tail - 8).byteswap(), np.minimum(size, 8) * 8)
    low[size == 0] = 0
    if longest > 8:
        high = np.where(size > 8, _sign_extend(cursor.u64(tail - 16).byteswap(), (size - 8) * 8), low >> 63)
    else:
        high = low >> 63
    fault = np.zeros(n, np.uint8)
    for row in np.flatnonzero(lengths > 16).tolist():
        start = int(starts[row])
        whole = int.from_bytes(cursor.buffer[start : start + int(lengths[row])].tobytes(), "big", signed=True)
        if -(2**127) <= whole < 2**127:
            low[row], high[row] = _words(whole)
        else:
            fault[row] = Fault.DECIMAL_RANGE
    fits = _fits_precision(low, high, precision, narrow=longest <= 8)
    fault[(fault == 0) & ~fits] = Fault.DECIMAL_PRECISION
    return low, high, fault


def _sign_extend(values: U64, bits: I64) -> I64:
    """The low ``bits`` (1..64; 0 gives garbage, callers mask it) of each value, sign-extended."""
    shift = np.clip(64 - bits, 0, 63).astype(np.uint64)
    return (values << shift).view(np.int64) >> shift.view(np.int64)


def _words(value: int) -> tuple[int, int]:
    low = value & (2**64 - 1)
    return low - (2**64 if low >= 2**63 else 0), value >> 64


def _fits_precision(low: I64, high: I64, precision: int, *, narrow: bool) -> Mask:
    """Whether each |value| < 10**precision; ``narrow``: every value is known to fit 64 bits."""
    limit = 10**precision - 1
    if narrow:
        magnitude = np.abs(low).view(np.uint64)  # abs(-2**63) wraps to 2**63 as unsigned: still right
        small: Mask = magnitude <= np.uint64(min(limit, 2**64 - 1))
        return small
    negative = high < 0
    ulow, uhigh = low.view(np.uint64), high.view(np.uint64)
    magnitude_low = np.where(negative, ~ulow + _ONE, ulow)
    magnitude_high = np.where(negative, ~uhigh + (negative & (ulow == 0)).astype(np.uint64), uhigh)
    limit_low, limit_high = np.uint64(limit & (2**64 - 1)), np.uint64(limit >> 64)
    fits: Mask = (magnitude_high < limit_high) | ((magnitude_high == limit_high) & (magnitude_low <= limit_low))
    return fits


# ---- strings -----------------------------------------------------------------------------------------


def binary_array(cursor: Cursor, starts: I64, lengths: I64, validity: Mask | None) -> pa.BinaryArray:
    """Gather each row's bytes into one Arrow binary array.

    The rows are described as Arrow binary views into the buffer (values of up to 12 bytes inline),
    which numpy builds with at most two 8-byte loads per row; Arrow's cast then does the ragged copy.
    """
    n = len(starts)
    if len(cursor.buffer) >= 2**31:
        raise ValueError("binary views address at most 2 GiB: decode the messages in smaller batches")
    shortest, longest = (int(lengths.min()), int(lengths.max())) if n else (0, 0)
    # Word 0 of a view: the length, then the first 4 value bytes (inline data or prefix alike).
    head = cursor.u64(starts - 4)
    if shortest < 4:  # bytes past a short value's end are zeroed, as the format asks
        head &= _ALL_BITS >> ((4 - np.minimum(lengths, 4)) * 8).astype(np.uint64)
    head &= _HIGH_HALF
    head |= lengths.astype(np.uint64)
    # Word 1: value bytes 4..11 when inline, else buffer 0 and the offset of the value.
    if longest > 12:
        rest = starts.astype(np.uint64) << np.uint64(32)
    if shortest <= 12:
        inline = cursor.u64(starts + 4)
        if shortest < 12:
            # numpy defines shifts by 64 or more (they give 0), so 8 kept bytes need no special case
            inline &= ~(_ALL_BITS << (np.clip(lengths - 4, 0, 8) * 8).astype(np.uint64))
        rest = inline if longest <= 12 else np.where(lengths <= 12, inline, rest)
    views = np.empty((n, 2), np.uint64)
    views[:, 0] = head
    views[:, 1] = rest
    buffers = [
        None if validity is None else pa.py_buffer(np.packbits(validity, bitorder="little")),
        pa.py_buffer(views),
        pa.py_buffer(cursor.buffer),
    ]
    viewed = pa.Array.from_buffers(pa.binary_view(), n, buffers)
    result: pa.BinaryArray = viewed.cast(pa.binary())
    return result


_ALL_BITS = np.uint64(2**64 - 1)
_HIGH_HALF = np.uint64(0xFFFFFFFF00000000)


def invalid_utf8(array: pa.BinaryArray) -> list[int]:
    """Rows that are not valid UTF-8: Arrow's validation of the whole array, bisected only if it fails."""
    as_text = pa.Array.from_buffers(pa.string(), len(array), array.buffers(), offset=array.offset)
    return _bisect_invalid(as_text, 0)


def _bisect_invalid(array: pa.Array, base: int) -> list[int]:
    try:
        array.validate(full=True)
    except pa.ArrowInvalid:
        if len(array) == 1:
            return [base]
        middle = len(array) // 2
        return _bisect_invalid(array.slice(0, middle), base) + _bisect_invalid(array.slice(middle), base + middle)
    return []
