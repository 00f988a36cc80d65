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


USAGE = {
    "constant": "constant:R",
    "ramp": "ramp:A:B:DURATION",
    "steps": "steps:R1,R2,...:DURATION",
    "spike": "spike:BASE:PEAK:EVERY:LENGTH",
    "diurnal": "diurnal:LOW:HIGH[:PERIOD]",
}
_ARITY = {"constant": (1,), "ramp": (3,), "steps": (2,), "spike": (4,), "diurnal": (2, 3)}


def parse_rate_profile(text: str) -> RateProfile:
    """Parse a profile; every mistake names the part and the expected syntax."""
    parts = text.strip().split(":")
    kind, args = parts[0].lower(), parts[1:]
    if kind not in USAGE:
        raise ConfigError(f"rate-profile: unknown profile {kind!r}; use one of {', '.join(USAGE.values())}")

    def bad(why: str) -> ConfigError:
        return ConfigError(f"rate-profile: {why} in {text!r}; expected {USAGE[kind]} (durations like 500ms, 30s, 10m)")

    def rate(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise bad(f"{value!r} is not a rate") from None
        if not math.isfinite(number) or number < 0:
            raise bad(f"{value!r} is not a finite, non-negative rate")
        return number

    def span(value: str) -> float:
        try:
            seconds = parse_duration(value, "rate-profile")
        except ConfigError:
            raise bad(f"{value!r} is not a duration") from None
        if seconds <= 0:
            raise bad(f"{value!r} must be longer than zero")
        return seconds

    if len(args) not in _ARITY[kind]:
        raise bad(f"{len(args)} part(s) after {kind!r}")
    if kind == "constant":
        params: tuple[float, ...] = (rate(args[0]),)
    elif kind == "ramp":
        params = (rate(args[0]), rate(args[1]), span(args[2]))
    elif kind == "steps":
        params = (*[rate(r) for r in args[0].split(",")], span(args[1]))
    elif kind == "spike":
        every, length = span(args[2]), span(args[3])
        if length >= every:
            raise bad(f"the spike ({args[3]}) must be shorter than its period ({args[2]})")
        params = (rate(args[0]), rate(args[1]), every, length)
    else:
        params = (rate(args[0]), rate(args[1]), span(args[2]) if len(args) == 3 else 86_400.0)
    return RateProfile(kind, params, text)
