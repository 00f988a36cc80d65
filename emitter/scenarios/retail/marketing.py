"""Ad impressions across channels, for the month's campaigns, aimed at loyalty members' ad ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import cdf_pick, draw_arrivals, shares_cdf
from emitter.core.clock import SLOTS_PER_DAY, day_start_us
from emitter.core.rng import BlockKeys
from emitter.scenarios.retail.catalog import CHANNEL_CPM_DOLLARS, CHANNEL_SHARE, CHANNELS, DEVICE_SHARE
from emitter.scenarios.retail.seasons import ONLINE_HOURS, online_day_factor

I64 = npt.NDArray[np.int64]
CAMPAIGNS_PER_CHANNEL = 3
CREATIVES_PER_CAMPAIGN = 4
_CPM_TENTHS_OF_CENT = np.array(CHANNEL_CPM_DOLLARS) * 10  # cost units are 1e-4 dollars; CPM/1000 per impression


@dataclass
class Impressions:
    ts: I64
    channel: I64
    campaign: I64  # within channel and month
    creative: I64  # within campaign
    customer: I64
    device: I64
    cost: I64  # units of 1e-4 dollars


def draw_impressions(keys: BlockKeys, day: date, per_day: float, n_customers: int) -> Impressions:
    rng = keys.rng("marketing", day)
    rate = (per_day * online_day_factor(day) / SLOTS_PER_DAY) * ONLINE_HOURS[None, :]
    _, ts = draw_arrivals(rng, rate, day_start_us(day))
    n = ts.size
    channel = cdf_pick(rng, shares_cdf(CHANNEL_SHARE), n)
    cost = np.maximum(1, np.rint(_CPM_TENTHS_OF_CENT[channel] * rng.lognormal(0.0, 0.35, n))).astype(np.int64)
    return Impressions(
        ts=ts,
        channel=channel,
        campaign=rng.integers(0, CAMPAIGNS_PER_CHANNEL, n),
        creative=rng.integers(0, CREATIVES_PER_CAMPAIGN, n),
        customer=rng.integers(0, n_customers, n),
        device=cdf_pick(rng, shares_cdf(DEVICE_SHARE), n),
        cost=cost,
    )


__all__ = ["CHANNELS", "Impressions", "draw_impressions"]
