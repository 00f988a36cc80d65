"""Assemble per-column byte pieces into one flat buffer of rows, without a Python loop over rows.

A row is the concatenation of its pieces, in order. Narrow pieces are laid side by side in an
(n, width) row matrix, each row's real bytes marked in a mask; squeezing the padding out of the
row-major matrix leaves every row's bytes back to back, which is exactly the flat buffer.

Why it is fast with numpy: numeric pieces are built as (width, n) byte planes, so every
operation runs over n contiguous values instead of n tiny rows; runs of them land in the row
matrix with one transposed copy; string bytes are gathered row-major in one fancy index; the
mask comes from one lookup into a small table of every length combination a run of columns
can take. Wide, skewed string columns would blow up the matrix, so they stay ragged and are
interleaved afterwards with a per-byte segment label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

# A ragged piece is padded into the row matrix while its longest row is at most this wide...
_PAD_FREE_WIDTH = 48
# ...or, up to a hard limit of width, while padding costs at most this factor over its real size.
_PAD_FACTOR = 3
_PAD_MAX_WIDTH = 512
# The most length combinations one mask lookup table may hold (rows of the table).
_MASK_COMBOS = 4096


@dataclass(frozen=True, eq=False)
class Padded:
    """Column-major bytes: row i is ``planes[:, i]``, its first ``lengths[i]`` bytes or, if ``right``, its last.

    ``lengths=None`` means every row uses the full width.
    """

    planes: U8  # (width, n)
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
        if width <= _PAD_FREE_WIDTH:
            return True
        return width <= _PAD_MAX_WIDTH and width * len(self.lengths) <= _PAD_FACTOR * len(self.data)


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
    data, lengths = segments[0] if len(segments) == 1 else _interleave(segments, n)
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return data, offsets


# ---- narrow pieces: row matrix + mask ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Extent:
    """Where a piece's real bytes sit in its block of the row matrix."""

    width: int
    lengths: I64 | None  # None: the whole block, every row
    right: bool


def _extent(piece: Piece, n: int) -> _Extent:
    if isinstance(piece, Padded):
        return _Extent(piece.width, piece.lengths, piece.right)
    width = piece.max_length()
    full = len(piece.data) == width * n
    return _Extent(width, None if full else piece.lengths, False)


def _compact(group: Sequence[Piece], n: int) -> tuple[U8, I64]:
    """Lay narrow pieces side by side in an (n, width) matrix, then squeeze out the padding."""
    extents = [_extent(piece, n) for piece in group]
    rows = np.empty((n, sum(e.width for e in extents)), np.uint8)
    column = 0
    run: list[Padded] = []
    for piece, extent in zip(group, extents, strict=True):
        if isinstance(piece, Padded):
            run.append(piece)
            continue
        column = _write_run(rows, column, run)
        run = []
        rows[:, column : column + extent.width] = _padded_rows(piece, extent.width)
        column += extent.width
    _write_run(rows, column, run)
    row_lengths = np.full(n, sum(e.width for e in extents if e.lengths is None), np.int64)
    for extent in extents:
        if extent.lengths is not None:
            row_lengths += extent.lengths
    mask = _mask(extents, n)
    if mask is None:
        return rows.reshape(-1), row_lengths
    return _squeeze(rows, mask), row_lengths


def _write_run(rows: U8, column: int, run: Sequence[Padded]) -> int:
    """Copy consecutive plane pieces into the row matrix with one transposed copy."""
    if not run:
        return column
    planes = run[0].planes if len(run) == 1 else np.concatenate([p.planes for p in run])
    width = int(planes.shape[0])
    rows[:, column : column + width] = planes.T
    return column + width


def _padded_rows(piece: Ragged, width: int) -> U8:
    """Each row's bytes, then whatever follows them, ``width`` bytes per row."""
    n = len(piece.lengths)
    if len(piece.data) == width * n:  # every row has the full width: a plain reshape
        return piece.data.reshape(n, width)
    starts = np.zeros(n, np.int64)
    np.cumsum(piece.lengths[:-1], out=starts[1:])
    tail = np.zeros(len(piece.data) + width, np.uint8)
    tail[: len(piece.data)] = piece.data
    # Every byte offset as the start of a width-byte item: one fancy index gathers all rows.
    windows = np.ndarray((len(piece.data) + 1,), np.dtype((np.void, width)), tail, strides=(1,))
    return windows[starts].view(np.uint8).reshape(n, width)


def _mask(extents: Sequence[_Extent], n: int) -> Mask | None:
    """Which bytes of the row matrix are real; None if all of them.

    Consecutive pieces are grouped while the product of their distinct lengths stays small; each
    group's mask is a lookup of a per-row code (the lengths in mixed radix) in a table of rows.
    """
    if all(e.lengths is None for e in extents):
        return None
    spans = [_span(e) for e in extents]
    groups: list[list[int]] = []
    combos = 1
    for index, (_, _, span) in enumerate(spans):
        if groups and combos * span <= _MASK_COMBOS:
            groups[-1].append(index)
            combos *= span
        else:
            groups.append([index])
            combos = span
    width = sum(e.width for e in extents)
    if len(groups) == 1:
        return _group_mask([extents[i] for i in groups[0]], [spans[i] for i in groups[0]], n)
    mask = np.empty((n, width), np.bool_)
    column = 0
    for group in groups:
        group_width = sum(extents[i].width for i in group)
        block = mask[:, column : column + group_width]
        column += group_width
        if all(extents[i].lengths is None for i in group):
            block[:] = True
        else:
            block[:] = _group_mask([extents[i] for i in group], [spans[i] for i in group], n)
    return mask


def _span(extent: _Extent) -> tuple[int, int, int]:
    """(shortest, longest, number of possible lengths) of a piece's rows."""
    if extent.lengths is None or len(extent.lengths) == 0:
        return extent.width, extent.width, 1
    low, high = int(extent.lengths.min()), int(extent.lengths.max())
    return low, high, high - low + 1


def _group_mask(extents: Sequence[_Extent], spans: Sequence[tuple[int, int, int]], n: int) -> Mask:
    combos = int(np.prod([span for _, _, span in spans]))
    combo = np.arange(combos)
    code = np.zeros(n, np.intp)
    radix = 1
    blocks: list[Mask] = []
    for extent, (low, _, span) in zip(extents, spans, strict=True):
        if extent.lengths is None:
            blocks.append(np.ones((combos, extent.width), np.bool_))
            continue
        lengths = low + (combo // radix) % span
        if span > 1:
            code += (extent.lengths - low) * radix
        radix *= span
        local = np.arange(extent.width)
        blocks.append(local >= (extent.width - lengths)[:, None] if extent.right else local < lengths[:, None])
    table = np.concatenate(blocks, axis=1)
    return np.take(table, code, axis=0)


def _squeeze(rows: U8, mask: Mask) -> U8:
    """``rows[mask]``, through Arrow's filter kernel, about twice as fast as numpy's boolean index."""
    size = rows.size
    bits = np.packbits(mask.reshape(-1), bitorder="little")
    selection = pa.Array.from_buffers(pa.bool_(), size, [None, pa.py_buffer(bits)])
    values = pa.Array.from_buffers(pa.uint8(), size, [None, pa.py_buffer(rows.reshape(-1))])
    kept = pc.filter(values, selection)
    buffer = kept.buffers()[1]
    if buffer is None:
        return np.empty(0, np.uint8)
    return np.frombuffer(buffer, np.uint8, count=len(kept), offset=kept.offset)


# ---- wide pieces: interleave ragged segments ---------------------------------------------------------


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
    body = data[offsets[0] : offsets[-1]] if n else np.empty(0, np.uint8)
    base = offsets - offsets[0]
    h = len(header)
    if h == 0 or n == 0:
        return body, base
    new_offsets = base + h * np.arange(n + 1, dtype=np.int64)
    out = np.empty(len(body) + h * n, np.uint8)
    is_header = np.zeros(len(out), np.bool_)
    header_positions = (new_offsets[:-1, None] + np.arange(h)).reshape(-1)
    is_header[header_positions] = True
    out[header_positions] = np.tile(np.frombuffer(header, np.uint8), n)
    out[~is_header] = body
    return out, new_offsets
