"""Fault injection: a target wrapper that makes a share of each table's events late, out of order,
duplicated or malformed, for testing consumers (see ``fault_spec`` for the syntax).

Which event suffers which fault is drawn from the keyed randomness by the event's position in its table's
stream, so the same seed gives the same faults however the events were split into ticks and sends, and
streaming is reproducible with faults on. The faults never change the model's events: a late or
out-of-order event is only held back, a duplicate and a malformed copy are extra messages. A consumer that
drops what it can't decode and de-duplicates on the event id therefore ends with exactly the fault-free
data. Events still held when the stream ends go out at its final flush.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from emitter.core.rng import BlockKeys
from emitter.stream.fault_spec import KINDS, FaultSpec
from emitter.stream.targets.base import GiveUp, Target, TargetStats

BLOCK = 4096  # events per keyed draw: event i of a table takes row i % BLOCK of block i // BLOCK


@dataclass
class _Topic:
    """One faulted topic: its table, spec, position and the events held back."""

    table: str
    spec: FaultSpec
    header: int  # framing bytes before each value: where a schema id or fingerprint sits
    index: int = 0  # events of the table seen so far
    late: list[tuple[float, int, bytes, bytes]] = field(default_factory=list)  # (due, order, key, value)
    shuffled: list[tuple[int, int, bytes, bytes]] = field(default_factory=list)  # (due index, order, ...)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    _block: tuple[int, npt.NDArray[np.float64]] | None = None

    @property
    def held(self) -> int:
        return len(self.late) + len(self.shuffled)

    def draws(self, keys: BlockKeys, n: int) -> npt.NDArray[np.float64]:
        """Three uniforms per event for events ``index .. index + n``: the kind, and two for its details."""
        rows = []
        for i in range(self.index, self.index + n):
            block = i // BLOCK
            if self._block is None or self._block[0] != block:
                self._block = (block, keys.rng(f"faults.{self.table}", block).random((BLOCK, 3)))
            rows.append(self._block[1][i % BLOCK])
        return np.asarray(rows).reshape(n, 3)

    def kind(self, u: float) -> str | None:
        edge = 0.0
        for kind in KINDS:
            edge += self.spec.share(kind)
            if u < edge:
                return kind
        return None


def corrupt(value: bytes, header: int, u: float, v: float) -> bytes:
    """A copy of ``value`` that no decoder accepts: a strict prefix, a bad magic byte, or a wrong schema id."""
    mode = int(u * 3)
    if mode == 2 and header > 1:  # the schema id (Confluent) or fingerprint (single object), inverted
        return value[:1] + bytes(b ^ 0xFF for b in value[1:header]) + value[header:]
    if mode == 1 and value:
        return bytes([value[0] ^ 0xFF]) + value[1:]
    return value[: int(v * len(value))]  # an Avro record's or JSON document's strict prefix never decodes


class FaultyTarget:
    """A ``Target`` that injects faults into the topics of ``specs`` and hands everything on to ``inner``.

    Args:
        inner: the real target.
        specs: topic → (table id, spec, framing header length) for every faulted topic.
        keys: the scenario's keyed randomness.
        now: the clock late events are held on (monotonic seconds).
    """

    def __init__(
        self,
        inner: Target,
        specs: Mapping[str, tuple[str, FaultSpec, int]],
        keys: BlockKeys,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.keys = keys
        self.now = now
        self.topics = {topic: _Topic(table, spec, header) for topic, (table, spec, header) in specs.items()}
        self._order = 0

    # --- the Target protocol ---------------------------------------------------------------------
    def ensure_topics(self, names: Sequence[str], partitions: int, replication: int = 1) -> list[str]:
        return self.inner.ensure_topics(names, partitions, replication)

    def send(self, topic: str, keys: Sequence[bytes], values: Sequence[bytes], give_up: GiveUp | None = None) -> int:
        self._release(lambda t: self._due_late(t, self.now()), give_up)
        state = self.topics.get(topic)
        if state is None:
            return self.inner.send(topic, keys, values, give_up)
        out_keys: list[bytes] = []
        out_values: list[bytes] = []
        counted: list[int] = []  # 1 where the message is one of this call's events (not a copy or a release)
        held = 0
        draws = state.draws(self.keys, len(values))
        for j, (key, value) in enumerate(zip(keys, values, strict=True)):
            position = state.index + j
            kind = state.kind(float(draws[j, 0]))
            if kind is not None:
                state.counts[kind] += 1
            if kind == "late":
                heapq.heappush(state.late, (self.now() + state.spec.delay_s, self._next(), key, value))
                held += 1
            elif kind == "out_of_order":
                behind = 1 + int(float(draws[j, 1]) * state.spec.window)
                heapq.heappush(state.shuffled, (position + behind, self._next(), key, value))
                held += 1
            else:
                if kind == "malformed":
                    out_keys.append(key)
                    out_values.append(corrupt(value, state.header, float(draws[j, 1]), float(draws[j, 2])))
                    counted.append(0)
                out_keys.append(key)
                out_values.append(value)
                counted.append(1)
                if kind == "duplicate":
                    out_keys.append(key)
                    out_values.append(value)
                    counted.append(0)
            while state.shuffled and state.shuffled[0][0] <= position:
                _, _, k, v = heapq.heappop(state.shuffled)
                out_keys.append(k)
                out_values.append(v)
                counted.append(0)
        state.index += len(values)
        taken = self.inner.send(topic, out_keys, out_values, give_up) if out_values else 0
        return held + sum(counted[:taken])

    def flush(self, timeout: float | None = None) -> None:
        self._release(lambda t: len(t.late) + len(t.shuffled))  # the end of the stream: nothing stays held
        self.inner.flush(timeout)

    def close(self, timeout: float | None = 30.0) -> None:
        self._release(lambda t: len(t.late) + len(t.shuffled))
        self.inner.close(timeout)

    def stats(self) -> TargetStats:
        stats = self.inner.stats()
        held = sum(t.held for t in self.topics.values())
        return replace(stats, in_flight=stats.in_flight + held) if held else stats

    # --- faults ------------------------------------------------------------------------------------
    def counts(self) -> dict[str, dict[str, int]]:
        """Events affected per table and fault kind (every kind listed, zeros included)."""
        return {t.table: dict(t.counts) for t in self.topics.values()}

    def extra_messages(self) -> int:
        """Messages sent besides the model's events: duplicates and malformed copies."""
        return sum(t.counts["duplicate"] + t.counts["malformed"] for t in self.topics.values())

    def _next(self) -> int:
        self._order += 1
        return self._order

    @staticmethod
    def _due_late(state: _Topic, now: float) -> int:
        return sum(1 for due, *_ in state.late if due <= now)

    def _release(self, how_many: Callable[[_Topic], int], give_up: GiveUp | None = None) -> None:
        """Send the held events ``how_many`` picks per topic: late ones first when due, then the shuffled."""
        for topic, state in self.topics.items():
            n = how_many(state)
            if not n:
                continue
            released: list[tuple[bytes, bytes]] = []
            while state.late and len(released) < n and (state.late[0][0] <= self.now() or n >= state.held):
                _, _, k, v = heapq.heappop(state.late)
                released.append((k, v))
            while state.shuffled and len(released) < n:
                _, _, k, v = heapq.heappop(state.shuffled)
                released.append((k, v))
            if released:
                self.inner.send(topic, [k for k, _ in released], [v for _, v in released], give_up)
