"""``sink --dedupe``: skip events whose event id is already loaded, earlier in the batch or in the warehouse.

A duplicate (a producer retry, an injected fault) lands in the same partition as its original, because it
has the same key, so one consumer sees both in offset order: checking the batch against itself and
against the rows committed before it is enough. Skipped messages still advance their offsets.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from emitter.scenarios.tables import Catalog
from emitter.sink.batch import Prepared
from emitter.sink.destinations import Destination, TableName


def drop_duplicates(prepared: Prepared, destination: Destination, catalog: Catalog) -> int:
    """Remove from ``prepared`` every row whose table's event id is seen before; return how many went."""
    by_name = {TableName(t.namespace, t.name): t for t in catalog.tables}
    skipped = 0
    for name, rows in list(prepared.rows.items()):
        spec = by_name.get(name)
        if spec is None or spec.event_id is None or rows.num_rows == 0:
            continue
        ids = rows.column(spec.event_id).to_numpy(zero_copy_only=False)
        _, first = np.unique(ids, return_index=True)
        keep = np.zeros(len(ids), dtype=bool)
        keep[first] = True
        loaded = destination.existing_values(name, spec.event_id, ids[first].tolist())
        if loaded:
            keep &= ~np.isin(ids, np.asarray(list(loaded), dtype=ids.dtype))
        if not keep.all():
            skipped += int((~keep).sum())
            prepared.rows[name] = rows.filter(pa.array(keep))
    return skipped
