"""Column helpers shared by the e-commerce rules: integer views of Arrow columns, lookups, results."""

from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from emitter.core.clock import MICROS_PER_DAY
from emitter.scenarios.ecommerce.orders import CANCELLED, DELIVERED, PAID, PLACED, RETURNED, SHIPPED, STATUSES

Tables = Mapping[str, pa.Table]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

STATUS_RANK = {s: i for i, s in enumerate(STATUSES)}
# the only steps an order takes from one status row to its next
NEXT_STATUS = {
    (PLACED, PAID),
    (PLACED, CANCELLED),  # payment failed
    (PAID, SHIPPED),
    (PAID, CANCELLED),
    (SHIPPED, DELIVERED),
    (DELIVERED, RETURNED),
}
# movement type: (sign of quantity, carries an order id)
MOVEMENT_SHAPE = {"shipment": (-1, True), "return": (1, True), "restock": (1, False), "transfer_out": (-1, False)}


def flag(values: pa.ChunkedArray | pa.Array) -> B:
    """A boolean column as numpy, null as False."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def days_of(ts: I64) -> I64:
    return np.unique(ts // MICROS_PER_DAY)


def status_codes(o: pa.Table) -> I64:
    """Rank of each order row's status (see STATUS_RANK), -1 for an unknown status."""
    encoded = pc.dictionary_encode(o.column("status").combine_chunks())
    rank = np.array([STATUS_RANK.get(s, -1) for s in encoded.dictionary.to_pylist()] + [-1], dtype=np.int64)
    return rank[np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(), dtype=np.int64)]


# ---- catalogue and customers ------------------------------------------------------------------------


def attributes_bad(attributes: pa.ChunkedArray) -> int:
    """Attributes that are not JSON objects with a colour and a material (parsed in one pass when all parse)."""
    values = attributes.to_pylist()
    try:
        parsed = pa_json.read_json(pa.BufferReader("\n".join(v or "" for v in values).encode()))
        ok = parsed.num_rows == len(values) and {"colour", "material"} <= set(parsed.column_names)
        if ok and all(
            pa.types.is_string(parsed.column(c).type) and not parsed.column(c).null_count
            for c in ("colour", "material")
        ):
            return 0
    except (pa.ArrowInvalid, ValueError):
        pass
    bad = 0
    for v in values:
        try:
            d = json.loads(v) if v else None
        except ValueError:
            d = None
        bad += not (isinstance(d, dict) and isinstance(d.get("colour"), str) and isinstance(d.get("material"), str))
    return bad
