"""Event ids of rows already made, by (day, row): how a line names its order, a page its session, a return its line.

They are exactly the ids ``EventTables.finish`` gives those rows, because the referenced tables are built in
event-time order, so a row's number is its position.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from emitter.core.columns import EPOCH_ORDINAL, FixedIds, fixed_width_ids
from emitter.scenarios.event_tables import ROW_DIGITS, EventTables

I64 = npt.NDArray[np.int64]


def yyyymmdd(ordinals: I64) -> I64:
    days = (np.asarray(ordinals, dtype=np.int64) - EPOCH_ORDINAL).astype("datetime64[D]")
    y = days.astype("datetime64[Y]").astype(np.int64) + 1970
    m = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    return np.asarray(y * 10_000 + m * 100 + d, dtype=np.int64)


def row_ids(events: EventTables, table: str, ordinals: I64, rows: I64) -> FixedIds:
    """The ids of rows ``rows`` of ``table`` on the days ``ordinals`` (one per row, or one for all)."""
    head = f"{events.prefix}{events.codes[table]:02d}{events.run_tag}"
    days = np.broadcast_to(yyyymmdd(np.atleast_1d(ordinals)), rows.shape)
    return fixed_width_ids(head, [(days, 8), (rows, ROW_DIGITS)])
