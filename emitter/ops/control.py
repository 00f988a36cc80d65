"""Live control of a running stream: pause, resume, a new rate, burst or rate profile.

The HTTP thread asks (``request``); the stream loop reads ``pace`` once per tick, a single attribute
read, and applies a new one at that tick. A ``Pace`` is immutable and replaced whole under a lock, so
the loop never sees half a change. The loop reports back what it is doing (``LoopState``) for
``GET /control``, ``/readyz`` and the metrics.

Pausing stops the clock: paused time is left out of the elapsed time that drives the simulated clock
and the rate profile, so a replay resumes where it stopped and a ramp continues where it was.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from emitter.errors import ConfigError, EmitterError
from emitter.stream.rate_profile import RateProfile, parse_rate_profile

if TYPE_CHECKING:
    from emitter.stream.pacing import Lateness
    from emitter.stream.runner import StreamSettings

_LOG = logging.getLogger("emitter.control")
ACTIONS = ("pause", "resume", "rate", "burst", "profile")


class ControlError(EmitterError):
    """A control request that can't be applied; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Pace:
    """How the loop paces from the tick it reads this on."""

    paused: bool
    burst: int  # events per tick (live, without a profile)
    interval_ms: int
    profile: RateProfile | None  # live: events/s over time, instead of the burst


@dataclass
class LoopState:
    """What the loop last reported; written by the loop thread only."""

    phase: str = "starting"  # starting, running, finished
    live: bool = True
    paced: bool = True
    elapsed_s: float = 0.0  # running time, pauses excluded
    paused_s: float = 0.0
    target_rate: float | None = None  # events/s asked for at the last tick (live)
    lag_s: float = 0.0  # how far emission is behind the simulated clock (replay)
    lateness: Lateness | None = None
    pace: Pace | None = None  # the pace in effect (a request not applied yet is still in StreamControl.pace)


class StreamControl:
    """Thread-safe requests in, one ``Pace`` out per tick."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.pace = Pace(paused=False, burst=0, interval_ms=0, profile=None)
        self.loop = LoopState()

    def begin(self, settings: StreamSettings, paced: bool, lateness: Lateness) -> Pace:
        """The loop starts: the settings are the starting pace."""
        with self._lock:
            self.pace = replace(
                self.pace, burst=settings.burst, interval_ms=settings.interval_ms, profile=settings.rate_profile
            )
            self.loop = LoopState("running", settings.live, paced, lateness=lateness, pace=self.pace)
            return self.pace

    def finish(self) -> None:
        self.loop.phase = "finished"

    def request(self, body: object) -> dict[str, Any]:
        """Apply one JSON request (see ``ACTIONS``); returns the new state, or raises ``ControlError``."""
        if not isinstance(body, Mapping):
            raise ControlError('the body must be a JSON object, e.g. {"action": "pause"}')
        action = body.get("action")
        if action not in ACTIONS:
            raise ControlError(f"action: {action!r} is not one of {', '.join(ACTIONS)}")
        allowed = {"pause": set(), "resume": set(), "rate": {"events_per_s"}, "burst": {"burst", "interval_ms"}}
        extra = set(body) - {"action"} - allowed.get(action, {"profile"})
        if extra:
            raise ControlError(f"{action}: unexpected field(s) {', '.join(sorted(extra))}")
        with self._lock:
            if self.loop.phase != "running":
                raise ControlError(f"the stream is {self.loop.phase}: nothing to control", status=409)
            if action not in ("pause", "resume") and not self.loop.live:
                raise ControlError(f"{action}: a replay follows its simulated clock; only pause and resume apply")
            self.pace, change = self._changed(action, body)
        _LOG.info("stream control: %s (from the next tick)", change)
        return self.state()

    def _changed(self, action: str, body: Mapping[str, Any]) -> tuple[Pace, str]:
        pace = self.pace
        if action == "pause":
            return replace(pace, paused=True), "paused"
        if action == "resume":
            return replace(pace, paused=False), "resumed"
        if action == "rate":
            rate = _number(body, "events_per_s", minimum=0.0)
            return replace(pace, profile=RateProfile("constant", (rate,), f"constant:{rate:g}")), f"{rate:g} events/s"
        if action == "burst":
            burst = _integer(body, "burst", minimum=1)
            interval = _integer(body, "interval_ms", minimum=1) if "interval_ms" in body else pace.interval_ms
            return replace(pace, burst=burst, interval_ms=interval, profile=None), f"{burst} events every {interval} ms"
        text = body.get("profile")
        if not isinstance(text, str):
            raise ControlError(
                'profile: give a rate profile string, e.g. {"action": "profile", "profile": "ramp:10:100:30s"}'
            )
        try:
            profile = parse_rate_profile(text)
        except ConfigError as exc:
            raise ControlError(str(exc)) from None
        return replace(pace, profile=profile), f"rate profile {profile.text} (its time starts now)"

    def state(self) -> dict[str, Any]:
        """The state as JSON-ready values: the pace in effect and what the loop reports.

        ``pending`` is true from a request until the tick that applies it.
        """
        asked, loop = self.pace, self.loop
        pace = loop.pace or asked
        return {
            "phase": loop.phase,
            "pending": pace is not asked,
            "mode": ("live" if loop.live else "replay") if loop.paced or loop.live else "replay-unpaced",
            "paused": pace.paused,
            "burst": pace.burst if pace.profile is None else None,
            "interval_ms": pace.interval_ms,
            "rate_profile": pace.profile.text if pace.profile is not None else None,
            "target_rate": loop.target_rate,
            "elapsed_s": round(loop.elapsed_s, 3),
            "paused_s": round(loop.paused_s, 3),
            "lag_s": round(loop.lag_s, 3),
        }


def _number(body: Mapping[str, Any], key: str, minimum: float) -> float:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < minimum:
        raise ControlError(f"{key}: {value!r} is not a finite number of at least {minimum:g}")
    return float(value)


def _integer(body: Mapping[str, Any], key: str, minimum: int) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ControlError(f"{key}: {value!r} is not a whole number of at least {minimum}")
    return value
