"""A capacity plan: rows and bytes per table over a range, and the stream rates, partitions and TUs they need."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from emitter.plan.capacity import DEFAULT_PARTITION_MB_S, Capacity, capacity
from emitter.plan.volume import TableVolume
from emitter.stream.rate_profile import RateProfile

SINGLE_OBJECT_HEADER = 10  # b"\xc3\x01" + the 8-byte schema fingerprint before each Avro body
PROFILE_SAMPLES = 10_000


@dataclass(frozen=True)
class TableLine:
    table: str
    per_day: bool
    streamed: bool
    rows: float
    row_bytes: float

    @property
    def bytes(self) -> float:
        return self.rows * self.row_bytes


@dataclass(frozen=True)
class Rates:
    """Events per second of one stream mode: the mean, the peak, and what the peak needs."""

    mean: float
    peak: float
    peak_day: date | None  # replay: the simulated day and hour of the busiest hour
    peak_hour: int | None
    needs: Capacity


@dataclass(frozen=True)
class Plan:
    scenario: str
    start: date
    end: date
    tables: tuple[TableLine, ...]
    event_bytes: float  # mean message bytes of a streamed event (Avro body + single-object header)
    live: Rates
    live_source: str  # how the live rate was set: burst/interval or the rate profile
    replay: Rates
    speed: float


def live_rates(
    burst: int, interval_ms: int, profile: RateProfile | None, horizon_s: float | None
) -> tuple[float, float, str]:
    """(mean, peak, source) of a live stream: burst × 1000 / interval, or the profile's mean and max."""
    if profile is None:
        rate = burst * 1000.0 / interval_ms
        return rate, rate, f"--burst {burst} every {interval_ms} ms"
    span = horizon_s or profile_horizon(profile)
    t = np.linspace(0.0, span, PROFILE_SAMPLES + 1)
    samples = np.array([profile.rate(float(x)) for x in t])
    return float(samples.mean()), float(samples.max()), f"--rate-profile {profile.text} over {span:g} s"


def profile_horizon(profile: RateProfile) -> float:
    """The span a profile's mean is taken over: one period, or until it settles on its last rate."""
    p = profile.params
    spans = {"constant": 1.0, "ramp": p[-1], "steps": p[-1] * (len(p) - 1), "spike": p[2], "diurnal": p[-1]}
    return float(spans[profile.kind])


def build_plan(
    scenario: str,
    days: Sequence[date],
    volumes: Mapping[str, TableVolume],
    streamed: Sequence[str],
    *,
    burst: int,
    interval_ms: int,
    profile: RateProfile | None = None,
    horizon_s: float | None = None,
    speed: float = 1.0,
    partition_mb_s: float = DEFAULT_PARTITION_MB_S,
) -> Plan:
    """Assemble the plan from a scenario's estimates (``Scenario.plan_volumes``) and the stream settings."""
    lines = tuple(
        TableLine(name, v.slots is not None, name in streamed, v.rows, v.row_bytes) for name, v in volumes.items()
    )
    stream = [volumes[name] for name in streamed]
    events = sum((v.slots for v in stream if v.slots is not None), np.zeros((len(days), 96)))
    message = [v.row_bytes + SINGLE_OBJECT_HEADER for v in stream]
    size = sum(
        (v.slots * b for v, b in zip(stream, message, strict=True) if v.slots is not None), np.zeros_like(events)
    )
    total = float(events.sum())
    event_bytes = float(size.sum()) / total if total else 0.0

    hourly = events.reshape(len(days), 24, -1).sum(axis=2) / 3600.0 * speed
    hourly_bytes = size.reshape(len(days), 24, -1).sum(axis=2) / 3600.0 * speed
    busiest = np.unravel_index(int(np.argmax(hourly)), hourly.shape)
    replay = Rates(
        mean=total / (len(days) * 86_400.0) * speed,
        peak=float(hourly[busiest]),
        peak_day=days[int(busiest[0])],
        peak_hour=int(busiest[1]),
        needs=capacity(float(hourly[busiest]), float(hourly_bytes[busiest]), partition_mb_s),
    )
    mean, peak, source = live_rates(burst, interval_ms, profile, horizon_s)
    live = Rates(mean, peak, None, None, capacity(peak, peak * event_bytes, partition_mb_s))
    return Plan(scenario, days[0], days[-1], lines, event_bytes, live, source, replay, speed)
