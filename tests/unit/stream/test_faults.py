"""Fault injection: each kind's share and behaviour, exact counts, and faults that follow the seed, not the sends."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

import pytest

from emitter.avro.framing import SingleObjectFraming
from emitter.config import load_config
from emitter.core.rng import BlockKeys
from emitter.errors import ConfigError
from emitter.scenarios import open_scenario
from emitter.sink.session import make_decoder
from emitter.stream.fault_spec import FaultSpec, faults_by_table, parse_faults
from emitter.stream.faults import FaultyTarget
from emitter.stream.targets.base import GiveUp, TargetStats

TOPIC = "t.receipt_lines"
SPEC = FaultSpec(late=0.05, out_of_order=0.05, duplicate=0.05, malformed=0.05, delay_s=10.0, window=20)


class Recorder:
    """A target that takes everything and remembers it, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes]] = []

    def ensure_topics(self, names: Sequence[str], partitions: int, replication: int = 1) -> list[str]:
        return []

    def send(self, topic: str, keys: Sequence[bytes], values: Sequence[bytes], give_up: GiveUp | None = None) -> int:
        self.sent.extend((topic, k, v) for k, v in zip(keys, values, strict=True))
        return len(values)

    def flush(self, timeout: float | None = None) -> None:
        pass

    def close(self, timeout: float | None = 30.0) -> None:
        pass

    def stats(self) -> TargetStats:
        return TargetStats(len(self.sent), len(self.sent), 0, 0)


@pytest.fixture(scope="module")
def events() -> tuple[list[bytes], list[bytes]]:
    """Real single-object Avro receipt lines of a small retail day, with their keys."""
    config = load_config(None, {"scenario": "retail", "preset": "small"}, {})
    scenario = open_scenario(config)
    catalog = scenario.catalog()
    [(_, day)] = list(scenario.days([date(2024, 3, 1)], ["receipt_lines"]))
    batch = day["receipt_lines"]
    spec = catalog.get("receipt_lines")
    values = SingleObjectFraming().encode(batch, catalog.avro(spec), TOPIC).messages()
    keys = [k.encode() for k in scenario.stream_keys("receipt_lines", batch).to_pylist()]
    return keys, values


def _run(
    events: tuple[list[bytes], list[bytes]], chunk: int, seed: int = 42, spec: FaultSpec = SPEC
) -> tuple[Recorder, FaultyTarget]:
    keys, values = events
    inner = Recorder()
    clock = [0.0]
    faulty = FaultyTarget(inner, {TOPIC: ("receipt_lines", spec, 10)}, BlockKeys(seed, "retail"), lambda: clock[0])
    for at in range(0, len(values), chunk):
        taken = faulty.send(TOPIC, keys[at : at + chunk], values[at : at + chunk])
        assert taken == len(values[at : at + chunk])
        clock[0] += 0.01
    faulty.flush()
    return inner, faulty


def test_every_event_arrives_once_plus_the_duplicates_and_broken_copies(
    events: tuple[list[bytes], list[bytes]],
) -> None:
    keys, values = events
    inner, faulty = _run(events, chunk=50)
    counts = faulty.counts()["receipt_lines"]
    got = Counter((k, v) for _, k, v in inner.sent)
    originals = Counter(zip(keys, values, strict=True))
    decoded, rejected = make_decoder(open_scenario(load_config(None, {"preset": "small"}, {})).catalog())(
        [v for _, _, v in inner.sent]
    )
    # the broken copies, and only they, don't decode
    assert len(rejected) == counts["malformed"]
    assert {inner.sent[p][2] for p, _ in rejected}.isdisjoint(values)
    intact = got - Counter((inner.sent[p][1], inner.sent[p][2]) for p, _ in rejected)
    assert intact == originals + Counter({e: 1 for e in intact if intact[e] == 2})  # duplicates: same key and bytes
    assert sum(intact.values()) - len(values) == counts["duplicate"]
    assert (
        len(inner.sent)
        == len(values) + counts["duplicate"] + counts["malformed"]
        == faulty.extra_messages() + len(values)
    )
    assert sum(len(t) for t, _ in decoded.values()) == len(values) + counts["duplicate"]


def test_each_kind_takes_its_share(events: tuple[list[bytes], list[bytes]]) -> None:
    n = len(events[1])
    assert n > 2_000
    counts = _run(events, chunk=97)[1].counts()["receipt_lines"]
    for kind in ("late", "out_of_order", "duplicate", "malformed"):
        sigma = (n * 0.05 * 0.95) ** 0.5
        assert abs(counts[kind] - 0.05 * n) < 5 * sigma, (kind, counts[kind], n)


def test_the_same_seed_gives_the_same_faults_however_the_events_were_split(
    events: tuple[list[bytes], list[bytes]],
) -> None:
    whole, by_one, by_seven = (_run(events, chunk) for chunk in (len(events[1]), 1, 7))
    assert whole[1].counts() == by_one[1].counts() == by_seven[1].counts()
    assert Counter(whole[0].sent) == Counter(by_one[0].sent) == Counter(by_seven[0].sent)
    other = _run(events, chunk=7, seed=43)
    assert Counter(other[0].sent) != Counter(by_seven[0].sent)


def test_late_events_wait_for_their_delay_with_their_bytes_unchanged(events: tuple[list[bytes], list[bytes]]) -> None:
    keys, values = events
    inner = Recorder()
    clock = [0.0]
    spec = FaultSpec(late=0.5, delay_s=10.0)
    faulty = FaultyTarget(inner, {TOPIC: ("receipt_lines", spec, 10)}, BlockKeys(42, "retail"), lambda: clock[0])
    faulty.send(TOPIC, keys[:100], values[:100])
    held = faulty.counts()["receipt_lines"]["late"]
    assert 0 < held < 100 and len(inner.sent) == 100 - held
    assert faulty.stats().in_flight == held  # a flush waits for them
    clock[0] = 9.9
    faulty.send(TOPIC, [], [])
    assert len(inner.sent) == 100 - held
    clock[0] = 10.0
    faulty.send(TOPIC, [], [])
    assert len(inner.sent) == 100 and faulty.stats().in_flight == 0
    assert Counter(v for _, _, v in inner.sent) == Counter(values[:100])  # the same bytes: the same event time


def test_out_of_order_events_come_behind_at_most_a_window_of_later_ones(
    events: tuple[list[bytes], list[bytes]],
) -> None:
    values = events[1]
    spec = FaultSpec(out_of_order=0.1, window=5)
    inner, faulty = _run(events, chunk=13, spec=spec)
    position = {v: i for i, v in enumerate(values)}
    order = [position[v] for _, _, v in inner.sent]
    assert sorted(order) == list(range(len(values)))
    moved = [(at, original) for at, original in enumerate(order) if at != original]
    assert moved and faulty.counts()["receipt_lines"]["out_of_order"] > 0
    displacement = [at - original for at, original in enumerate(order) if original < at]
    assert max(displacement) <= spec.window


def test_specs_parse_and_mistakes_say_what_is_expected() -> None:
    spec = parse_faults("late=0.02:30s,out_of_order=0.01:500,duplicate=0.005,malformed=0.001")
    assert (spec.late, spec.delay_s, spec.out_of_order, spec.window) == (0.02, 30.0, 0.01, 500)
    assert (spec.duplicate, spec.malformed) == (0.005, 0.001)
    assert parse_faults("").off
    for text, fragment in [
        ("late=2", "between 0 and 1"),
        ("laet=0.1", "unknown fault 'laet'"),
        ("late", "needs a share"),
        ("late=0.6,duplicate=0.6", "more than 1"),
        ("late=0.1:soon", "not a delay"),
        ("out_of_order=0.1:0", "window"),
        ("duplicate=0.1:3", "no parameter"),
        ("late=0.1,late=0.2", "twice"),
    ]:
        with pytest.raises(ConfigError, match=fragment) as refused:
            parse_faults(text)
        assert "expected e.g." in str(refused.value)


def test_the_flag_applies_to_every_table_and_the_config_per_table() -> None:
    tables = ("receipts", "receipt_lines")
    by_config = faults_by_table({"*": "duplicate=0.1", "receipts": "late=0.2"}, None, tables)
    assert by_config["receipts"].late == 0.2 and by_config["receipts"].duplicate == 0
    assert by_config["receipt_lines"].duplicate == 0.1
    by_flag = faults_by_table({"receipts": "late=0.2"}, "malformed=0.3", tables)
    assert {t: s.malformed for t, s in by_flag.items()} == {"receipts": 0.3, "receipt_lines": 0.3}
    assert faults_by_table({}, None, tables) == {}
    with pytest.raises(ConfigError, match="reciepts is not a streamed table"):
        faults_by_table({"reciepts": "late=0.1"}, None, tables)
