"""Prices per currency, and the arithmetic of lines and orders, in integer cents: VAT included, to the cent.

A line's ``line_total`` is ``unit_price × quantity − discount``; its VAT is the part of that total above the
net price at the country's rate. An order adds its lines and, online, a shipping fee carrying VAT too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from emitter.scenarios.fashion.places import COUNTRIES

I64 = npt.NDArray[np.int64]

FX = np.array([c.fx_per_eur for c in COUNTRIES])
VAT_BP = np.array([round(c.vat_pct * 100) for c in COUNTRIES], dtype=np.int64)  # basis points: 21 % is 2100
CURRENCY = np.array([c.currency for c in COUNTRIES])
_WHOLE_UNITS = np.isin(CURRENCY, ["SEK", "DKK", "PLN"])  # priced in whole crowns and złoty ending in 9
SHIPPING_EUR = 495  # below the free-shipping threshold, per online order
FREE_SHIPPING_EUR = 5_000


def price_points(eur_cents: I64) -> I64:
    """Local prices (cents) for every (country, euro price): the euro price, or the converted one rounded up to
    a price point (42.99 £, 569 kr)."""
    raw = eur_cents[None, :] * FX[:, None]
    cents = np.ceil(raw / 100.0) * 100 - 1  # x.99
    crowns = (np.ceil(raw / 1_000.0) * 10 - 1) * 100  # whole units ending in 9
    local = np.where(_WHOLE_UNITS[:, None], crowns, cents)
    return np.where(FX[:, None] == 1.0, eur_cents[None, :], local).astype(np.int64)


def div_half_up(numerator: I64, denominator: I64) -> I64:
    """Non-negative ``numerator / denominator`` rounded half up, element-wise."""
    return (2 * numerator + denominator) // (2 * denominator)


def vat_inside(gross: I64, vat_bp: I64) -> I64:
    """The VAT contained in a VAT-inclusive amount."""
    return gross - div_half_up(gross * 10_000, 10_000 + vat_bp)


@dataclass(frozen=True)
class Lines:
    unit_price: I64
    discount: I64
    line_total: I64
    vat: I64


def price_lines(unit_price: I64, quantity: I64, discount_pct: I64, country: I64) -> Lines:
    gross = unit_price * quantity
    discount = div_half_up(gross * discount_pct, np.full(gross.size, 100, np.int64))
    total = gross - discount
    return Lines(unit_price, discount, total, vat_inside(total, VAT_BP[country]))


@dataclass(frozen=True)
class Orders:
    subtotal: I64
    discount: I64
    shipping: I64
    vat: I64
    total: I64


def price_orders(
    order: I64, n_orders: int, lines: Lines, quantity: I64, country: I64, online: npt.NDArray[np.bool_]
) -> Orders:
    """Order totals from their lines (``order`` is each line's order row); online orders below the threshold pay
    shipping."""

    def add(values: I64) -> I64:
        return np.bincount(order, weights=values, minlength=n_orders).astype(np.int64)

    subtotal, discount = add(lines.unit_price * quantity), add(lines.discount)
    net = subtotal - discount
    fee = price_points(np.array([SHIPPING_EUR]))[country, 0]
    threshold = (FREE_SHIPPING_EUR * FX[country]).astype(np.int64)
    shipping = np.where(online & (net < threshold), fee, 0)
    vat = add(lines.vat) + vat_inside(shipping, VAT_BP[country])
    return Orders(subtotal, discount, shipping, vat, net + shipping)


def to_eur(cents: I64, country: I64) -> I64:
    return np.asarray(np.rint(cents / FX[country]), dtype=np.int64)
