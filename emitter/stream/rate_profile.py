"""Rate profiles for load tests: how many events per second the stream should emit at time t.

Syntax (durations like 500ms, 30s, 10m, 2h):
  constant:R                     R events/s
  ramp:A:B:D                     from A to B events/s over D, then B
  steps:R1,R2,...:D              each rate for D, then the last one
  spike:BASE:PEAK:EVERY:LEN      BASE, jumping to PEAK for LEN at the start of every EVERY
  diurnal:LOW:HIGH[:PERIOD]      a daily wave between LOW and HIGH (period default 24h; shorten it to test)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from emitter.errors import ConfigError

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)?$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(text: str, what: str = "duration") -> float:
    """'30s', '10m', '500ms', '2h' or plain seconds → seconds."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ConfigError(f"{what}: {text!r} is not a duration; use e.g. 500ms, 30s, 10m or 2h")
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class RateProfile:
    kind: str
    params: tuple[float, ...]
    text: str

    def rate(self, t: float) -> float:
        """Target events per second ``t`` seconds after the start."""
        p = self.params
        if self.kind == "constant":
            return p[0]
        if self.kind == "ramp":
            a, b, d = p
            return b if t >= d else a + (b - a) * t / d
        if self.kind == "steps":
            *rates, d = p
            return rates[min(int(t // d), len(rates) - 1)]
        if self.kind == "spike":
            base, peak, every, length = p
            return peak if (t % every) < length else base
        if self.kind == "diurnal":
            low, high, period = p
            # lowest at the start of the period (night), highest half-way through
            return low + (high - low) * (1 - math.cos(2 * math.pi * t / period)) / 2
        raise AssertionError(self.kind)


def parse_rate_profile(text: str) -> RateProfile:
    parts = text.strip().split(":")
    kind, args = parts[0].lower(), parts[1:]

    def num(value: str) -> float:
        try:
            rate = float(value)
        except ValueError:
            raise ConfigError(f"rate-profile: {value!r} in {text!r} is not a number") from None
        if rate < 0:
            raise ConfigError(f"rate-profile: rates can't be negative ({text!r})")
        return rate

    usage = {
        "constant": "constant:R",
        "ramp": "ramp:A:B:DURATION",
        "steps": "steps:R1,R2,...:DURATION",
        "spike": "spike:BASE:PEAK:EVERY:LENGTH",
        "diurnal": "diurnal:LOW:HIGH[:PERIOD]",
    }
    if kind not in usage:
        raise ConfigError(f"rate-profile: unknown profile {kind!r}; use one of {', '.join(usage.values())}")
    expected = {"constant": (1,), "ramp": (3,), "steps": (2,), "spike": (4,), "diurnal": (2, 3)}[kind]
    if len(args) not in expected:
        raise ConfigError(f"rate-profile: {text!r} should look like {usage[kind]}")
    if kind == "constant":
        params: tuple[float, ...] = (num(args[0]),)
    elif kind == "ramp":
        params = (num(args[0]), num(args[1]), _positive(parse_duration(args[2], "rate-profile")))
    elif kind == "steps":
        params = (*[num(r) for r in args[0].split(",")], _positive(parse_duration(args[1], "rate-profile")))
    elif kind == "spike":
        every, length = parse_duration(args[2], "rate-profile"), parse_duration(args[3], "rate-profile")
        params = (num(args[0]), num(args[1]), _positive(every), length)
    else:
        period = parse_duration(args[2], "rate-profile") if len(args) == 3 else 86_400.0
        params = (num(args[0]), num(args[1]), _positive(period))
    return RateProfile(kind, params, text)


def _positive(seconds: float) -> float:
    if seconds <= 0:
        raise ConfigError("rate-profile: durations must be positive")
    return seconds
