"""A traded day as tables: orders, lines, returns, stock movements, reviews and email, beside the webshop's."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.columns import Decimals, date_column, fixed_width_ids, pooled
from emitter.core.rng import BlockKeys
from emitter.scenarios.event_tables import EventTables
from emitter.scenarios.fashion.baskets import SIZE_LABELS
from emitter.scenarios.fashion.email import day_emails
from emitter.scenarios.fashion.followups import Pending
from emitter.scenarios.fashion.ids import row_ids, yyyymmdd
from emitter.scenarios.fashion.money import CURRENCY
from emitter.scenarios.fashion.places import COUNTRIES
from emitter.scenarios.fashion.stock import MOVEMENT_TYPES, RETURN, SALE
from emitter.scenarios.fashion.trading import Day
from emitter.scenarios.fashion.vocabulary import EMAIL_EVENTS, PAYMENT_METHODS, RETURN_REASON_NAMES, SIZE_FIT
from emitter.scenarios.fashion.webshop import Webshop
from emitter.scenarios.fashion.words import review_titles
from emitter.scenarios.fashion.world import FashionWorld

I64 = npt.NDArray[np.int64]
EVENT_CODES = {
    "operational.orders": 1,
    "operational.order_lines": 2,
    "operational.returns": 3,
    "operational.stock_movements": 4,
    "webshop.web_sessions": 5,
    "webshop.page_views": 6,
    "webshop.cart_activities": 7,
    "webshop.search_queries": 8,
    "webshop.product_reviews": 9,
    "webshop.wishlist_items": 10,
    "webshop.web_analytics_events": 11,
    "webshop.email_marketing": 12,
    "webshop.product_recommendations": 13,
    "webshop.ab_test_results": 14,
}
_CODES = pa.array([c.code for c in COUNTRIES])
_CURRENCIES = pa.array(list(CURRENCY))
_SIZES = pa.array(list(SIZE_LABELS))
_RATINGS_CDF = np.cumsum([0.07, 0.07, 0.13, 0.28, 0.45])
_FIT_CDF = np.cumsum([0.70, 0.18, 0.12])


def _nullable(ids: pa.Array, missing: npt.NDArray[np.bool_]) -> pa.Array:
    return pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), ids)


class DayTables:
    def __init__(self, keys: BlockKeys, events: EventTables, world: FashionWorld) -> None:
        self.keys, self.events, self.w = keys, events, world
        w = world
        self.webshop = Webshop(events, w.products, w.customers.customer_id, w.tests, w.page_rates)

    def build(self, day: date, d: Day, wanted: set[str]) -> dict[str, pa.Table]:
        out: dict[str, pa.Table] = {}
        if wanted & {"operational.orders", "operational.order_lines"}:
            out.update(self._orders(day, d))
        if "operational.returns" in wanted:
            out["operational.returns"] = self._returns(day, d.returns)
        if "operational.stock_movements" in wanted:
            out["operational.stock_movements"] = self._moves(day, d)
        if "webshop.product_reviews" in wanted:
            out["webshop.product_reviews"] = self._reviews(day, d.reviews)
        if "webshop.email_marketing" in wanted:
            out["webshop.email_marketing"] = self._emails(day)
        if any(t.startswith("webshop.") and t not in out for t in wanted):
            rng = self.keys.rng("webshop", day)
            out.update(self.webshop.tables(rng, day, d.sessions, d.pages, d.ends, d.book, self.w.local_price))
        return out

    def _orders(self, day: date, d: Day) -> dict[str, pa.Table]:
        ob, w = d.book, self.w
        b, o, li = ob.baskets, ob.orders, ob.lines
        cust = w.customers.customer_id
        today = np.array([day.toordinal()])
        session_ids = row_ids(self.events, "webshop.web_sessions", today, b.session.clip(0)).to_arrow()
        orders = self.events.finish(
            "operational.orders",
            day,
            b.ts,
            {
                "customer_id": cust[b.customer],
                "channel": pooled(["store", "online"], b.online.astype(np.int64)),
                "store_id": w.stores.store_id[b.store].astype(np.int32),
                "session_id": _nullable(session_ids, b.session < 0),
                "campaign_id": pa.array(b.campaign + 1, mask=b.campaign < 0, type=pa.int32()),
                "country_code": _CODES.take(pa.array(b.country)),
                "currency": _CURRENCIES.take(pa.array(b.country)),
                "line_count": b.n_lines.astype(np.int32),
                "subtotal": Decimals(o.subtotal, 12, 2),
                "discount_total": Decimals(o.discount, 12, 2),
                "shipping_fee": Decimals(o.shipping, 12, 2),
                "vat_total": Decimals(o.vat, 12, 2),
                "total": Decimals(o.total, 12, 2),
                "payment_method": pooled(list(PAYMENT_METHODS), ob.payment),
                "delivery_date": date_column(ob.delivery.clip(0), mask=ob.delivery < 0),
            },
        )
        line_country = b.country[ob.line_order]
        lines = self.events.finish(
            "operational.order_lines",
            day,
            b.ts[ob.line_order],
            {
                "order_id": row_ids(self.events, "operational.orders", today, ob.line_order),
                "customer_id": cust[b.customer[ob.line_order]],
                "line_number": ob.line_number.astype(np.int32),
                "product_id": w.products.product_id[b.product],
                "size": _SIZES.take(pa.array(b.size)),
                "quantity": b.quantity.astype(np.int32),
                "unit_price": Decimals(li.unit_price, 12, 2),
                "discount": Decimals(li.discount, 12, 2),
                "line_total": Decimals(li.line_total, 12, 2),
                "vat_amount": Decimals(li.vat, 12, 2),
                "currency": _CURRENCIES.take(pa.array(line_country)),
                "fulfilled_from": w.stores.store_id[ob.fulfilled_from].astype(np.int32),
            },
        )
        return {"operational.orders": orders, "operational.order_lines": lines}

    def _returns(self, day: date, r: Pending) -> pa.Table:
        w = self.w
        return self.events.finish(
            "operational.returns",
            day,
            r.due,
            {
                "order_id": row_ids(self.events, "operational.orders", r.order_day, r.order_row),
                "order_line_id": row_ids(self.events, "operational.order_lines", r.order_day, r.line_row),
                "customer_id": w.customers.customer_id[r.customer],
                "product_id": w.products.product_id[r.product],
                "store_id": w.stores.store_id[r.store].astype(np.int32),
                "quantity": r.quantity.astype(np.int32),
                "reason": pooled(list(RETURN_REASON_NAMES), r.reason),
                "refund_amount": Decimals(r.amount, 12, 2),
                "currency": _CURRENCIES.take(pa.array(r.country)),
                "restocked": r.reason != RETURN_REASON_NAMES.index("damaged"),
            },
        )

    def _moves(self, day: date, d: Day) -> pa.Table:
        m, w = d.moves, self.w
        today = np.array([day.toordinal()])
        sale = row_ids(self.events, "operational.order_lines", today, np.where(m.kind == SALE, m.line, 0)).to_arrow()
        back = row_ids(self.events, "operational.returns", today, np.where(m.kind == RETURN, m.line, 0)).to_arrow()
        reference = pc.if_else(pa.array(m.kind == RETURN), back, sale)
        return self.events.finish(
            "operational.stock_movements",
            day,
            m.ts,
            {
                "store_id": w.stores.store_id[m.store].astype(np.int32),
                "product_id": w.products.product_id[m.product],
                "movement_type": pooled(list(MOVEMENT_TYPES), m.kind),
                "quantity": m.quantity.astype(np.int32),
                "stock_after": m.stock_after.astype(np.int32),
                "reference_id": _nullable(reference, m.line < 0),
            },
        )

    def _reviews(self, day: date, r: Pending) -> pa.Table:
        rng = self.keys.rng("reviews", day)
        rating = 1 + np.searchsorted(_RATINGS_CDF, rng.random(r.due.size) * _RATINGS_CDF[-1], side="right")
        fit = np.searchsorted(_FIT_CDF, rng.random(r.due.size) * _FIT_CDF[-1], side="right")
        w = self.w
        return self.events.finish(
            "webshop.product_reviews",
            day,
            r.due,
            {
                "customer_id": w.customers.customer_id[r.customer],
                "product_id": w.products.product_id[r.product],
                "order_id": row_ids(self.events, "operational.orders", r.order_day, r.order_row),
                "order_line_id": row_ids(self.events, "operational.order_lines", r.order_day, r.line_row),
                "rating": np.minimum(rating, 5).astype(np.int32),
                "title": review_titles(rng, np.minimum(rating, 5)),
                "size_fit": pooled(list(SIZE_FIT), np.minimum(fit, 2)),
                "verified_purchase": np.ones(r.due.size, dtype=bool),
            },
        )

    def _emails(self, day: date) -> pa.Table:
        w, sh = self.w, self.w.shares
        e = day_emails(
            self.keys.rng("email", day), day, w.campaigns, w.shoppers, w.email_sends, sh.email_open, sh.email_click
        )
        send = (
            fixed_width_ids(
                "EM",
                [
                    (yyyymmdd(np.array([day.toordinal()]))[0], 8),
                    (e.campaign + 1, 6),
                    (w.customers.customer_id[e.customer], 10),
                ],
            )
            if e.ts.size
            else pa.array([], pa.string())
        )
        return self.events.finish(
            "webshop.email_marketing",
            day,
            e.ts,
            {
                "email_id": send,
                "campaign_id": (e.campaign + 1).astype(np.int32),
                "customer_id": w.customers.customer_id[e.customer],
                "event_type": pooled(list(EMAIL_EVENTS), e.event),
            },
        )
