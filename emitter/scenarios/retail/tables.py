"""Retail's table conventions: tenders, money, the table codes inside trace ids, and day windows."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.clock import MICROS_PER_MINUTE, day_start_us
from emitter.core.columns import Decimals, pooled
from emitter.scenarios.event_tables import EventTables

I64 = npt.NDArray[np.int64]
TENDERS = ("CREDIT_CARD", "DEBIT_CARD", "CASH", "MOBILE_PAY", "GIFT_CARD")

# Two-digit code per table inside trace ids: TRC<code><run tag><yyyymmdd><row>.
TRACE_CODES = {
    "receipts": 1,
    "receipt_lines": 2,
    "store_inventory_txn": 3,
    "dc_inventory_txn": 4,
    "truck_moves": 5,
    "foot_traffic": 6,
    "ble_pings": 7,
    "marketing": 8,
    "online_orders": 9,
    "online_order_lines": 10,
}


def money(cents: npt.ArrayLike) -> Decimals:
    return Decimals(np.asarray(cents, dtype=np.int64), 12, 2)


def in_day(ts: I64, day: date) -> npt.NDArray[np.bool_]:
    start = day_start_us(day)
    return (ts >= start) & (ts < start + 24 * 60 * MICROS_PER_MINUTE)


__all__ = ["EventTables", "in_day", "money", "pooled"]
