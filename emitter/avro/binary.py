"""Avro binary primitives over whole columns: zigzag, varint (LEB128) and decimal bytes.

Each returns byte planes (one row of n bytes per byte position, see ``assemble.Padded``), so the
work is a handful of numpy operations over n contiguous values, whatever n is.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from emitter.avro.assemble import I64, Padded, Piece

U64 = npt.NDArray[np.uint64]


def zigzag(values: npt.NDArray[np.signedinteger[Any]]) -> npt.NDArray[np.unsignedinteger[Any]]:
    """Avro's zigzag mapping of signed to unsigned integers, in the input's width (32 or 64 bits)."""
    if values.dtype.itemsize <= 4:
        small = values.astype(np.int32, copy=False)
        return ((small << 1) ^ (small >> 31)).view(np.uint32)
    wide = values.astype(np.int64, copy=False)
    return ((wide << 1) ^ (wide >> 63)).view(np.uint64)


def varint(values: npt.NDArray[np.unsignedinteger[Any]]) -> Padded:
    """Unsigned LEB128 of each value, as (width, n) byte planes plus the length of each row."""
    n = len(values)
    if n == 0:
        return Padded(np.empty((1, 0), np.uint8))
    low, high = int(values.min()), int(values.max())
    width = max(1, (high.bit_length() + 6) // 7)
    if width == 1:
        return Padded(values.astype(np.uint8).reshape(1, n))
    if low == high:
        constant = np.frombuffer(_varint_bytes(low), np.uint8)
        return Padded(np.broadcast_to(constant[:, None], (width, n)))
    low_width = max(1, (low.bit_length() + 6) // 7)
    planes = np.empty((width, n), np.uint8)
    rest = values
    for k in range(width):
        planes[k] = rest  # keeps the low 8 bits
        if k < width - 1:
            rest = rest >> np.uint8(7)
            if k + 1 < low_width:
                planes[k] |= np.uint8(0x80)
            else:
                planes[k] &= np.uint8(0x7F)
                planes[k] |= (rest != 0).view(np.uint8) << np.uint8(7)
    if low_width == width:
        return Padded(planes)
    lengths = np.full(n, low_width, np.int64)
    for k in range(low_width, width):
        lengths += values >= (1 << (7 * k))
    return Padded(planes, lengths)


def _varint_bytes(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decimal_pieces(words: npt.NDArray[np.uint64]) -> list[Piece]:
    """Avro decimal bytes, exactly as fastavro writes them: length, then big-endian two's complement.

    ``words`` holds each unscaled value as (low, high) 64-bit words. fastavro sizes a value as
    ``bit_length(abs(unscaled)) // 8 + 1`` bytes: the minimum, except one byte more for negative
    powers of 256 (-128 is written ``ff 80``, not ``80``). We match it, since decoders accept both.
    """
    n = len(words)
    low = np.ascontiguousarray(words[:, 0]).view(np.int64)
    high = np.ascontiguousarray(words[:, 1]).view(np.int64)
    if n == 0 or bool(np.array_equal(high, low >> 63)):
        value = _decimal_int64(low)
    else:
        value = _decimal_int128(low.view(np.uint64), high)
    assert value.lengths is not None
    return [varint((value.lengths << 1).view(np.uint64)), value]


def _decimal_int64(values: I64) -> Padded:
    """Decimals whose unscaled values fit 64 bits: byte planes by shifting, most significant first."""
    magnitude = np.abs(values).view(np.uint64)  # abs(-2**63) wraps to 2**63 as unsigned: still right
    top = int(magnitude.max()) if len(values) else 0
    width = top.bit_length() // 8 + 1
    sizes = np.ones(len(values), np.int64)
    for k in range(1, width):
        sizes += magnitude >= np.uint64(1 << (8 * k - 1))
    planes = np.empty((width, len(values)), np.uint8)
    for j in range(width):
        planes[j] = values >> min(8 * (width - 1 - j), 63)  # keeps the low byte; >> 63 is the sign
    return Padded(planes, sizes, right=True)


def _decimal_int128(low: U64, high: I64) -> Padded:
    """Any decimal128: magnitude over both words, bytes from a big-endian view."""
    n = len(low)
    negative = high < 0
    unsigned_high = high.view(np.uint64)
    mag_low = np.where(negative, ~low + np.uint64(1), low)
    mag_high = np.where(negative, ~unsigned_high + (negative & (low == 0)).astype(np.uint64), unsigned_high)
    top_high = int(mag_high.max())
    top = (top_high << 64) | int(mag_low[mag_high == top_high].max())
    width = top.bit_length() // 8 + 1
    sizes = np.ones(n, np.int64)
    for k in range(1, width):
        bit = 8 * k - 1
        if bit < 64:
            sizes += (mag_high != 0) | (mag_low >= np.uint64(1 << bit))
        else:
            sizes += mag_high >= np.uint64(1 << (bit - 64))
    words = np.stack([low, unsigned_high], axis=1)
    big_endian = words.astype("<u8").view(np.uint8).reshape(n, 16)[:, ::-1]
    if width > 16:  # only -2**127 needs a sign byte beyond the 16 stored ones
        sign = np.where(negative, 0xFF, 0).astype(np.uint8)[:, None]
        big_endian = np.concatenate([sign, big_endian], axis=1)
    return Padded(np.ascontiguousarray(big_endian[:, big_endian.shape[1] - width :].T), sizes, right=True)
