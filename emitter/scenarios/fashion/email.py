"""Campaign email: an email campaign sends on its first morning to opted-in customers of its countries; opens
follow the send within hours, clicks follow opens, and a few unsubscribe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, day_start_us
from emitter.scenarios.fashion.campaigns import CHANNELS, Campaigns
from emitter.scenarios.fashion.shoppers import Shoppers

I64 = npt.NDArray[np.int64]
EMAIL = CHANNELS.index("email")
SENT, OPENED, CLICKED, UNSUBSCRIBED = range(4)
UNSUBSCRIBE = 0.01  # of opened emails


@dataclass(frozen=True)
class Emails:
    ts: I64
    send: I64  # row of the send the event belongs to (sends first, in this list's order)
    campaign: I64
    customer: I64  # row
    event: I64


def sends_per_campaign(
    total_events: int, open_: float, click: float, campaigns: Campaigns, first: date, last: date
) -> float:
    """Recipients per email campaign so that the window's email events hold their count."""
    per_send = 1.0 + open_ * (1.0 + click + UNSUBSCRIBE)
    starts = (
        (campaigns.channel == EMAIL) & (campaigns.start >= first.toordinal()) & (campaigns.start <= last.toordinal())
    )
    return total_events / per_send / max(int(starts.sum()), 1)


def day_emails(
    rng: np.random.Generator,
    day: date,
    c: Campaigns,
    shoppers: Shoppers,
    per_campaign: float,
    open_: float,
    click: float,
) -> Emails:
    midnight = day_start_us(day)
    starting = np.flatnonzero((c.channel == EMAIL) & (c.start == day.toordinal()))
    campaign, customer, sent = [], [], []
    eligible = shoppers.registered_by(midnight)
    for row in starting:
        countries = np.arange(eligible.size) if c.country[row] < 0 else np.array([c.country[row]])
        pool = np.concatenate([shoppers.first[k] + np.arange(eligible[k]) for k in countries])
        pool = pool[shoppers.opt_in[pool]]
        if not pool.size:
            continue
        k = min(int(rng.poisson(per_campaign)), pool.size)
        chosen = shoppers.rows[np.sort(rng.choice(pool, size=k, replace=False))]
        send_at = midnight + (7 * MICROS_PER_HOUR) + int(rng.integers(0, 3 * MICROS_PER_HOUR))
        campaign.append(np.full(k, row, dtype=np.int64))
        customer.append(chosen.astype(np.int64))
        sent.append(send_at + (np.arange(k) * 40_000).astype(np.int64))  # the mailer works through the list
    if not campaign:
        z = np.zeros(0, dtype=np.int64)
        return Emails(z, z, z, z, z)
    camp, cust, sent_ts = np.concatenate(campaign), np.concatenate(customer), np.concatenate(sent)
    n = sent_ts.size
    day_end = midnight + MICROS_PER_DAY - 1
    opened_at = sent_ts + (rng.exponential(2.5, n) * MICROS_PER_HOUR).astype(np.int64)
    opened = (rng.random(n) < open_) & (opened_at <= day_end)
    clicked_at = opened_at + (rng.exponential(1.5, n) * MICROS_PER_MINUTE).astype(np.int64) + 1
    clicked = opened & (rng.random(n) < click) & (clicked_at <= day_end)
    left_at = opened_at + (rng.exponential(3.0, n) * MICROS_PER_MINUTE).astype(np.int64) + 2
    left = opened & (rng.random(n) < UNSUBSCRIBE) & (left_at <= day_end)
    send = np.arange(n, dtype=np.int64)
    picks = [
        (np.ones(n, bool), sent_ts, SENT),
        (opened, opened_at, OPENED),
        (clicked, clicked_at, CLICKED),
        (left, left_at, UNSUBSCRIBED),
    ]
    rows = np.concatenate([send[m] for m, _, _ in picks])
    return Emails(
        ts=np.concatenate([t[m] for m, t, _ in picks]),
        send=rows,
        campaign=camp[rows],
        customer=cust[rows],
        event=np.concatenate([np.full(int(m.sum()), e, dtype=np.int64) for m, _, e in picks]),
    )
