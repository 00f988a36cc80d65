"""Assemble per-column byte pieces into one flat buffer of rows, without a Python loop over rows.

A row is the concatenation of its pieces, in order. Narrow pieces are stacked as byte planes
(one row of n bytes per byte position) with a validity mask; transposed to (n, width), ``rows[mask]``
yields every row's bytes back to back in row-major order, which is exactly the flat buffer. Wide, skewed string columns would
make that matrix huge, so they stay ragged and are interleaved with a per-byte segment label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]

# A ragged piece is padded into the row matrix while padding costs at most this many bytes per row...
_PAD_FREE_WIDTH = 48
# ...or at most this factor over its real size.
_PAD_FACTOR = 3


@dataclass(frozen=True, eq=False)
class Padded:
    """Column-major bytes: row i's bytes are ``planes[:, i]``, its first ``lengths[i]`` or, if ``right``, its last.

    ``planes`` has shape (width, n), so building and copying it runs over long contiguous rows of
    n bytes rather than n short rows. ``lengths=None`` means every row uses the full width.
    """

    planes: U8
    lengths: I64 | None = None
    right: bool = False

    @property
    def width(self) -> int:
        return int(self.planes.shape[0])


@dataclass(frozen=True, eq=False)
class Ragged:
    """Rows stored back to back: ``data`` holds exactly ``lengths.sum()`` bytes, row 0 first."""

    data: U8
    lengths: I64

    def max_length(self) -> int:
        return int(self.lengths.max()) if len(self.lengths) else 0

    def fits_matrix(self) -> bool:
        """Whether padding this piece to its longest row stays cheap."""
        width = self.max_length()
        return width <= _PAD_FREE_WIDTH or width * len(self.lengths) <= _PAD_FACTOR * len(self.data)


Piece = Padded | Ragged


def assemble(pieces: Sequence[Piece], n: int) -> tuple[U8, I64]:
    """Concatenate the pieces row by row; return (flat buffer, int64 offsets of length n + 1)."""
    segments: list[tuple[U8, I64]] = []
    group: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, Ragged) and not piece.fits_matrix():
            if group:
                segments.append(_compact(group, n))
                group = []
            segments.append((piece.data, piece.lengths))
        else:
            group.append(piece)
    if group:
        segments.append(_compact(group, n))
    if not segments:
        return np.empty(0, np.uint8), np.zeros(n + 1, np.int64)
    if len(segments) == 1:
        data, lengths = segments[0]
    else:
        data, lengths = _interleave(segments, n)
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return data, offsets


def _compact(group: Sequence[Piece], n: int) -> tuple[U8, I64]:
    """Stack narrow pieces into one (width, n) plane matrix, transpose it, squeeze out the padding."""
    widths = [p.width if isinstance(p, Padded) else p.max_length() for p in group]
    planes = np.empty((sum(widths), n), np.uint8)
    mask: npt.NDArray[np.bool_] | None = None
    row_lengths = np.zeros(n, np.int64)
    top = 0
    for piece, width in zip(group, widths, strict=True):
        block = slice(top, top + width)
        top += width
        if isinstance(piece, Ragged):
            full = _write_ragged(planes[block], piece)
            lengths: I64 | None = None if full else piece.lengths
        else:
            lengths = piece.lengths
            planes[block] = piece.planes
        if lengths is None:
            row_lengths += width
            if mask is not None:
                mask[block] = True
            continue
        row_lengths += lengths
        if mask is None:
            mask = np.ones(planes.shape, np.bool_)
        local = np.arange(width)[:, None]
        if isinstance(piece, Padded) and piece.right:
            mask[block] = local >= (width - lengths)[None, :]
        else:
            mask[block] = local < lengths[None, :]
    rows = np.ascontiguousarray(planes.T)
    if mask is None:
        return rows.reshape(-1), row_lengths
    return rows[np.ascontiguousarray(mask.T)], row_lengths


def _write_ragged(planes: U8, piece: Ragged) -> bool:
    """Pad a ragged piece to its longest row, into (width, n) planes; True if no row needed padding."""
    width, n = planes.shape
    if len(piece.data) == width * n:  # every row has the full width: a plain reshape
        planes[:] = piece.data.reshape(n, width).T
        return True
    padded = np.zeros((n, width), np.uint8)
    padded[np.arange(width) < piece.lengths[:, None]] = piece.data
    planes[:] = padded.T
    return False


def _interleave(segments: Sequence[tuple[U8, I64]], n: int) -> tuple[U8, I64]:
    """Merge ragged segments row by row, using a per-byte label of which segment a byte comes from."""
    lengths = np.stack([seg_lengths for _, seg_lengths in segments], axis=1)
    row_lengths = lengths.sum(axis=1)
    labels = np.repeat(np.tile(np.arange(len(segments), dtype=np.uint8), n), lengths.reshape(-1))
    out = np.empty(len(labels), np.uint8)
    for index, (data, _) in enumerate(segments):
        out[labels == index] = data
    return out, row_lengths


def prefix_rows(data: U8, offsets: I64, header: bytes) -> tuple[U8, I64]:
    """Put the same ``header`` in front of every row of (data, offsets)."""
    n = len(offsets) - 1
    h = len(header)
    if h == 0 or n == 0:
        return data[offsets[0] : offsets[-1]] if n else np.empty(0, np.uint8), offsets - offsets[0]
    body = data[offsets[0] : offsets[-1]]
    new_offsets = offsets - offsets[0] + h * np.arange(n + 1, dtype=np.int64)
    out = np.empty(len(body) + h * n, np.uint8)
    is_header = np.zeros(len(out), np.bool_)
    header_positions = (new_offsets[:-1, None] + np.arange(h)).reshape(-1)
    is_header[header_positions] = True
    out[header_positions] = np.tile(np.frombuffer(header, np.uint8), n)
    out[~is_header] = body
    return out, new_offsets
