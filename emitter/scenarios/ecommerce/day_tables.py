"""Turn a day's simulated arrays into e-commerce's tables: ids, strings, money and nulls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_SECOND, day_start_us, yyyymmdd
from emitter.core.columns import Decimals, FixedIds, Pooled, concat, fixed_width_ids, pooled
from emitter.scenarios.ecommerce.calendar import campaign
from emitter.scenarios.ecommerce.clicks import Sessions
from emitter.scenarios.ecommerce.event_types import ADD, EVENT_TYPES, PAGE_VIEW, PRODUCT_VIEW, PURCHASE, REMOVE, SEARCH
from emitter.scenarios.ecommerce.orders import FRIENDS, STATUSES, Orders
from emitter.scenarios.ecommerce.pages import PAGE_TYPES, Pages
from emitter.scenarios.ecommerce.review_text import review_columns, text_index
from emitter.scenarios.ecommerce.stock import MOVEMENTS, Movements
from emitter.scenarios.ecommerce.visits import BOT, BROWSER_NAMES, OS_NAMES, SIGNED_IN, SIGNING_UP, USER_AGENT_POOL
from emitter.scenarios.ecommerce.vocabulary import (
    BOT_KINDS,
    BOT_PLACES,
    CANCEL_REASONS,
    DEVICE_TYPES,
    PAYMENT_METHODS,
    PLACES,
    PROMO_CODES,
    RETURN_REASONS,
    SHIPPING_METHODS,
    SOURCES,
)
from emitter.scenarios.ecommerce.world import EcommerceWorld
from emitter.scenarios.event_tables import EventTables

I64 = npt.NDArray[np.int64]
ALL_PLACES = (*PLACES, *BOT_PLACES)
CITY = pa.array([p.city for p in ALL_PLACES])
REGION = pa.array([p.region for p in ALL_PLACES])
COUNTRY = pa.array([p.country for p in ALL_PLACES])
REASONS = pa.array([None, *CANCEL_REASONS, *RETURN_REASONS], pa.string())
# Two-digit code per table inside event ids: EVT<code><run tag><yyyymmdd><row>.
EVENT_CODES = {
    "sessions": 1,
    "clickstream": 2,
    "orders": 3,
    "order_items": 4,
    "inventory": 5,
    "reviews": 6,
    "session_labels": 7,
}


def money(cents: npt.ArrayLike, precision: int = 12) -> Decimals:
    return Decimals(np.asarray(cents, dtype=np.int64), precision, 2)


def optional(pool: pa.Array | list[str], index: I64) -> Pooled:
    """Pick from ``pool`` by index, with -1 meaning null."""
    values = pool if isinstance(pool, pa.Array) else pa.array(pool, pa.string())
    return Pooled(pa.concat_arrays([pa.nulls(1, values.type), values]), index + 1)


def optional_int(values: I64, valid: npt.NDArray[np.bool_]) -> pa.Array:
    return pa.array(values, mask=~valid, type=pa.int32())


def session_ids(day: date, n: int) -> FixedIds:
    return fixed_width_ids("SES", [(yyyymmdd(day), 8), (np.arange(n), 7)])


def nonempty(picks: list[tuple[Orders, I64]]) -> list[tuple[Orders, I64]]:
    """The (orders of a day, selected rows) pairs that select something; one empty pair when none do."""
    kept = [(o, i) for o, i in picks if i.size]
    return kept or picks[:1]


@dataclass(frozen=True)
class TableBuilder:
    """Builds the tables of one day from its simulated sessions, orders and stock movements."""

    events: EventTables
    world: EcommerceWorld
    pages: Pages
    review_pools: tuple[pa.StringArray, pa.StringArray]

    def visitor_ids(self, s: Sessions, day: date) -> FixedIds:
        """A customer's cookie is theirs across sessions, from the one they signed up in; anyone else gets a new one."""
        v = s.plan.visits
        known = (v.kind == SIGNED_IN) | (v.kind == SIGNING_UP)
        customer = fixed_width_ids("V1", [(np.maximum(v.customer, 0) + 1, 15)])
        fresh = fixed_width_ids("V2", [(yyyymmdd(day), 8), (np.arange(s.size), 7)])
        return FixedIds(np.where(known[:, None], customer.matrix, fresh.matrix))

    def sessions(self, day: date, s: Sessions, orders: Orders) -> pa.Table:
        v, c = s.plan.visits, s.clicks
        n = s.size
        events = np.diff(s.first)
        views = s.count((c.type == PAGE_VIEW) | (c.type == PRODUCT_VIEW))
        order_of = np.full(n, -1)
        order_of[orders.session] = np.arange(orders.size)
        sources = SOURCES
        tagged = np.array([src.utm_source is not None for src in sources])[v.source]
        has_customer = (v.kind == SIGNED_IN) | (v.kind == SIGNING_UP)
        return self.events.finish(
            "sessions",
            day,
            s.start,
            {
                "ended_at": s.end,
                "session_id": session_ids(day, n),
                "visitor_id": self.visitor_ids(s, day),
                "customer_id": optional_int(v.customer + 1, has_customer),
                "duration_s": (s.end - s.start) // MICROS_PER_SECOND,
                "page_views": views,
                "events": events,
                "is_bounce": events == 1,
                "signed_up": v.kind == SIGNING_UP,
                "converted": order_of >= 0,
                "order_id": optional(orders.ids.to_arrow(), order_of),
                "device_type": pooled(DEVICE_TYPES, v.device),
                "os": pooled(OS_NAMES, v.os),
                "browser": pooled(BROWSER_NAMES, v.browser),
                "user_agent": Pooled(USER_AGENT_POOL, v.user_agent),
                "country": Pooled(COUNTRY, v.place),
                "region": Pooled(REGION, v.place),
                "city": Pooled(CITY, v.place),
                "landing_page": Pooled(self.pages.urls, c.page[s.first[:-1]]),
                "referrer": optional(
                    [src.referrer or "" for src in sources],
                    np.where(np.array([src.referrer is not None for src in sources])[v.source], v.source, -1),
                ),
                "utm_source": optional([src.utm_source or "" for src in sources], np.where(tagged, v.source, -1)),
                "utm_medium": optional([src.utm_medium or "" for src in sources], np.where(tagged, v.source, -1)),
                "utm_campaign": optional([campaign(day)], np.where(tagged, 0, -1)),
            },
        )

    def labels(self, day: date, s: Sessions) -> pa.Table:
        """The truth about every session: bot or not, and which kind."""
        v = s.plan.visits
        return self.events.finish(
            "session_labels",
            day,
            s.start,
            {
                "session_id": session_ids(day, s.size),
                "is_bot": v.kind == BOT,
                "bot_kind": optional(list(BOT_KINDS), v.bot_kind),
            },
        )

    def clickstream(self, day: date, s: Sessions, orders: Orders) -> pa.Table:
        v = s.plan.visits
        c = s.clicks.sorted_by_time()  # columns are built in their final order: nothing moves twice
        at = c.session
        shows = (c.type == PRODUCT_VIEW) | (c.type == ADD) | (c.type == REMOVE)
        order_of = np.full(s.size, -1)
        order_of[orders.session] = np.arange(orders.size)
        purchase = c.type == PURCHASE
        return self.events.finish(
            "clickstream",
            day,
            c.ts,
            {
                "session_id": session_ids(day, s.size).take(at),
                "visitor_id": self.visitor_ids(s, day).take(at),
                "customer_id": optional_int(v.customer[at] + 1, c.signed_in),
                "event_type": pooled(EVENT_TYPES, c.type),
                "position": c.position,
                "page_url": Pooled(self.pages.urls, c.page),
                "page_type": Pooled(pa.array(PAGE_TYPES), self.pages.page_type[c.page]),
                "product_id": optional_int(c.product + 1, shows),
                "search_query": optional(self.world.products.queries, np.where(c.type == SEARCH, c.query, -1)),
                "quantity": optional_int(np.abs(c.quantity), c.quantity != 0),
                "order_id": optional(orders.ids.to_arrow(), np.where(purchase, order_of[at], -1)),
                "device_type": pooled(DEVICE_TYPES, v.device[at]),
            },
        )

    def orders(self, day: date, recent: list[Orders]) -> pa.Table:
        """One row per status an order of the last weeks reaches on ``day``."""
        start = day_start_us(day)
        ts_parts, status_parts, picks = [], [], []
        for o in recent:
            flat = o.status_ts.ravel()
            hit = np.flatnonzero((flat >= start) & (flat < start + MICROS_PER_DAY))
            ts_parts.append(flat[hit])
            status_parts.append(hit % len(STATUSES))
            picks.append((o, hit // len(STATUSES)))
        ts = np.concatenate(ts_parts)
        status = np.concatenate(status_parts)
        picks = nonempty(picks)

        def pick(name: str) -> I64:
            return np.concatenate([getattr(o, name)[i] for o, i in picks])

        reason = np.where(status == 4, pick("cancel_reason"), np.where(status == 5, pick("return_reason"), -1))
        reason = np.where(reason < 0, -1, reason + np.where(status == 5, len(CANCEL_REASONS), 0))
        customer = pick("customer")
        return self.events.finish(
            "orders",
            day,
            ts,
            {
                "order_id": concat([o.ids.take(i) for o, i in picks]),
                "status": pooled(STATUSES, status),
                "placed_at": np.concatenate([o.status_ts[i, 0] for o, i in picks]),
                "session_id": concat([o.session_ids.take(i) for o, i in picks]),
                "customer_id": customer + 1,
                "warehouse_id": pick("warehouse") + 1,
                "item_count": np.concatenate([o.item_count[i] for o, i in picks]),
                "subtotal": money(pick("subtotal")),
                "discount": money(pick("discount")),
                "shipping_fee": money(pick("shipping")),
                "tax": money(pick("tax")),
                "total": money(np.concatenate([o.total[i] for o, i in picks])),
                "promo_code": optional([p for p, _ in PROMO_CODES], pick("promo")),
                "payment_method": pooled(PAYMENT_METHODS, pick("payment")),
                "shipping_method": pooled(SHIPPING_METHODS, pick("shipping_method")),
                "shipping_address": Pooled(self.world.addresses, customer),
                "reason": Pooled(REASONS, reason + 1),
            },
        )

    def order_items(self, day: date, o: Orders) -> pa.Table:
        line_no = 1 + np.arange(o.line_order.size) - np.searchsorted(o.line_order, o.line_order, side="left")
        gross = o.line_qty * o.line_price
        return self.events.finish(
            "order_items",
            day,
            o.status_ts[o.line_order, 0],
            {
                "order_id": o.ids.take(o.line_order),
                "line": line_no,
                "product_id": o.line_product + 1,
                "quantity": o.line_qty,
                "unit_price": money(o.line_price, 10),
                "discount": money(o.line_discount),
                "line_total": money(gross - o.line_discount),
            },
        )

    def inventory(self, day: date, m: Movements) -> pa.Table:
        # movements with an order come after the morning's restocks and transfers (see simulate_stock)
        by_order = [o.ids.take(index).to_arrow() for o, index in nonempty(m.order_day)]
        order_id = pa.concat_arrays([pa.nulls(int(m.ts.size - m.order_rows.size), pa.string()), *by_order])
        return self.events.finish(
            "inventory",
            day,
            m.ts,
            {
                "warehouse_id": m.warehouse + 1,
                "product_id": m.product + 1,
                "movement_type": pooled(MOVEMENTS, m.kind),
                "quantity": m.quantity,
                "stock_after": m.stock_after,
                "order_id": order_id,
            },
        )

    def reviews(self, day: date, recent: list[Orders]) -> pa.Table:
        start = day_start_us(day)
        parts = []
        for o in recent:
            lines = np.flatnonzero((o.review_ts >= start) & (o.review_ts < start + MICROS_PER_DAY))
            parts.append((o, lines))
        parts = nonempty(parts)
        ts = np.concatenate([o.review_ts[i] for o, i in parts])
        product = np.concatenate([o.line_product[i] for o, i in parts])
        rating = np.concatenate([o.review_rating[i] for o, i in parts])
        pick = np.concatenate([o.review_text[i] for o, i in parts])
        line_no = [1 + i - np.searchsorted(o.line_order, o.line_order[i], side="left") for o, i in parts]
        title, body = review_columns(
            self.review_pools, text_index(self.world.products.subcategory[product], rating, pick)
        )
        return self.events.finish(
            "reviews",
            day,
            ts,
            {
                "review_id": concat(
                    [
                        fixed_width_ids("REV", [(yyyymmdd(o.day), 8), (o.line_order[i], 6), (n, 3)])
                        for (o, i), n in zip(parts, line_no, strict=True)
                    ]
                ),
                "order_id": concat([o.ids.take(o.line_order[i]) for o, i in parts]),
                "product_id": product + 1,
                "customer_id": np.concatenate([o.customer[o.line_order[i]] for o, i in parts]) + 1,
                "rating": rating,
                "title": title,
                "body": body,
                "verified_purchase": np.concatenate([o.promo[o.line_order[i]] for o, i in parts]) != FRIENDS,
            },
        )
