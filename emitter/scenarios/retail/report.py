"""What ``emitter report`` shows of retail: basket sizes, the tender mix, the best products and stores."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from emitter.scenarios.figures import Figure, distribution, have, mix, names_of, top
from emitter.scenarios.rules import decimal_units


def figures(tables: Mapping[str, pa.Table]) -> list[Figure]:
    """Retail's domain figures over the tables at hand."""
    out = []
    if have(tables, "receipt_lines"):
        lines = tables["receipt_lines"]
        per_receipt = pc.value_counts(lines.column("receipt_id").combine_chunks()).field("counts")
        out.append(
            distribution(
                "Basket size",
                np.asarray(per_receipt.to_numpy(), dtype=np.int64),
                x="lines per receipt",
                y="receipts",
                cap=20,
                least=1,
            )
        )
    if have(tables, "receipts"):
        out.append(mix("Payment mix", tables["receipts"].column("tender_type"), x="tender", y="receipts"))
    if have(tables, "receipt_lines", "products"):
        lines = tables["receipt_lines"]
        out.append(
            top(
                "Top products by in-store sales",
                lines.column("product_id"),
                names_of(tables["products"], "product_id", "name"),
                x="product",
                y="sales ($)",
                weights=decimal_units(lines, "ext_price") / 100.0,
            )
        )
    if have(tables, "receipts", "stores"):
        out.append(
            top(
                "Top stores by receipts",
                tables["receipts"].column("store_id"),
                names_of(tables["stores"], "store_id", "name"),
                x="store",
                y="receipts",
            )
        )
    return out
