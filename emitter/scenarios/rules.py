"""Rule results, and the rule every scenario has: its declared foreign keys resolve."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from emitter.scenarios.tables import Catalog


@dataclass(frozen=True)
class RuleResult:
    """Outcome of one business-rule check."""

    rule: str
    ok: bool
    detail: str


def decimal_units(t: pa.Table, name: str) -> npt.NDArray[np.int64]:
    """A decimal column as integer units of its scale (cents for scale 2), exactly: the low word of each value."""
    col = t.column(name).combine_chunks()
    if col.null_count:
        raise ValueError(f"{name} has nulls")
    words = np.frombuffer(col.buffers()[1], dtype=np.int64)[2 * col.offset : 2 * (col.offset + len(col))]
    return words[0::2].copy()


def unresolved(values: pa.ChunkedArray | pa.Array, allowed: pa.ChunkedArray | pa.Array) -> int:
    """How many non-null ``values`` are missing from ``allowed``."""
    values = pc.drop_null(values)
    if not len(values):
        return 0
    pool = allowed.combine_chunks() if isinstance(allowed, pa.ChunkedArray) else allowed
    return int(len(values) - pc.sum(pc.is_in(values, value_set=pool)).as_py())


def check_foreign_keys(catalog: Catalog, tables: Mapping[str, pa.Table]) -> list[RuleResult]:
    """One result per declared key whose two tables are both present (keyed by table id)."""
    out = []
    for child in catalog.tables:
        for fk in child.foreign_keys:
            parent = catalog.get(fk.table)
            if child.id in tables and parent.id in tables:
                missing = unresolved(tables[child.id].column(fk.column), tables[parent.id].column(fk.references))
                out.append(
                    RuleResult(
                        f"fk {child.id}.{fk.column} -> {parent.id}.{fk.references}",
                        missing == 0,
                        f"{missing} unresolved",
                    )
                )
    return out
