"""What ``emitter report`` shows of e-commerce: session lengths, the funnel, devices and traffic, top products."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from emitter.scenarios.figures import Figure, distribution, have, mix, names_of, stages, top
from emitter.scenarios.rules import decimal_units

# The funnel's steps after landing, as clickstream event types.
FUNNEL = (
    ("viewed a product", "product_view"),
    ("added to cart", "add_to_cart"),
    ("began checkout", "begin_checkout"),
    ("purchased", "purchase"),
)


def figures(tables: Mapping[str, pa.Table]) -> list[Figure]:
    """E-commerce's domain figures over the tables at hand."""
    out = []
    if have(tables, "sessions"):
        sessions = tables["sessions"]
        minutes = np.asarray(sessions.column("duration_s").to_numpy(), dtype=np.int64) // 60
        out.append(
            distribution(
                "Session length", minutes, x="minutes (rounded down)", y="sessions", cap=30, note="bots included"
            )
        )
        out.append(mix("Device mix", sessions.column("device_type"), x="device", y="sessions"))
        out.append(
            mix(
                "Traffic sources",
                sessions.column("utm_medium"),
                x="utm medium",
                y="sessions",
                note="none: direct, organic or referral visits without UTM tags",
            )
        )
    if have(tables, "clickstream"):
        out.append(_funnel(tables))
    if have(tables, "order_items", "products"):
        items = tables["order_items"]
        revenue = decimal_units(items, "line_total") / 100.0
        products = tables["products"]
        out.append(
            top(
                "Top products by order revenue",
                items.column("product_id"),
                names_of(products, "product_id", "name"),
                x="product",
                y="revenue ($)",
                weights=revenue,
            )
        )
        at = pc.index_in(items.column("product_id"), value_set=products.column("product_id").combine_chunks())
        categories = pc.fill_null(pc.take(products.column("category"), at), "unknown")
        out.append(
            top("Top categories by order revenue", categories, {}, x="category", y="revenue ($)", weights=revenue)
        )
    return out


def _funnel(tables: Mapping[str, pa.Table]) -> Figure:
    """Sessions that reached each step at least once."""
    clicks = tables["clickstream"]
    landed = (
        tables["sessions"].num_rows
        if have(tables, "sessions")
        else len(pc.unique(clicks.column("session_id").combine_chunks()))
    )
    steps = [("sessions", landed)]
    for label, event_type in FUNNEL:
        reached = clicks.filter(pc.equal(clicks.column("event_type"), event_type)).column("session_id")
        steps.append((label, len(pc.unique(reached.combine_chunks()))))
    return stages("Funnel", steps, x="step", y="sessions", note="sessions that reached each step at least once")
