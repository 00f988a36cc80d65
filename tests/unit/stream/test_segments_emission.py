"""Segments and the Emitter: what leaves for the target decodes (schema files + fastavro alone) to the model's rows."""

from __future__ import annotations

import io
import json
import pickle
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any

import fastavro
import numpy as np
import pyarrow as pa
import pytest

from emitter.avro.framing import ConfluentFraming, SingleObjectFraming
from emitter.config import Config
from emitter.core.columns import timestamps
from emitter.scenarios import Scenario, open_scenario
from emitter.scenarios.retail import RetailScenario
from emitter.scenarios.tables import TableKind, TableSpec
from emitter.stream.emission import Emitter, avro_long, restamp
from emitter.stream.feeder import _truncate
from emitter.stream.segments import Segment, build_segments, split_schema
from emitter.stream.timeline import DayEvents, merge_day, to_micros

CATALOG = RetailScenario.catalog()
DAY = date(2024, 1, 2)
# receipt_lines and online_orders have nullable fields; truck_moves has eta/etd that move with event_ts
TABLES = ("receipts", "receipt_lines", "truck_moves", "online_orders", "marketing")
PREFIX = "t."
SIZE = 1000  # several segments per day, each touching several tables
NOW = datetime(2031, 7, 8, 9, 10, 11, 123_456, tzinfo=UTC)
NOW_US = to_micros(NOW)

Rows = dict[str, list[dict[str, Any]]]
Sent = dict[str, tuple[list[bytes], list[bytes]]]


def _raw_schema(table: str) -> dict[str, Any]:
    path = resources.files("emitter.scenarios.retail").joinpath("schemas", f"{table}.avsc")
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def _single_object_header(table: str) -> bytes:
    canonical = fastavro.schema.to_parsing_canonical_form(_raw_schema(table))
    return b"\xc3\x01" + bytes.fromhex(fastavro.schema.fingerprint(canonical, "CRC-64-AVRO"))


PARSED = {t: fastavro.parse_schema(_raw_schema(t)) for t in TABLES}


def _decode(table: str, body: bytes) -> dict[str, Any]:
    record: dict[str, Any] = fastavro.schemaless_reader(io.BytesIO(body), PARSED[table])
    return record


@pytest.fixture(scope="module")
def scenario(small_config: Config) -> Scenario[Any]:
    return open_scenario(small_config)


@pytest.fixture(scope="module")
def day(scenario: Scenario[Any]) -> DayEvents:
    ((when, tables),) = scenario.days([DAY], TABLES)
    return merge_day(when, tables, list(TABLES), [CATALOG.get(t).event_time or "" for t in TABLES])


@pytest.fixture(scope="module")
def source(day: DayEvents) -> Rows:
    return {name: day.tables[name].to_pylist() for name in TABLES}


def _segments(
    scenario: Scenario[Any], day: DayEvents, value_format: str, live: bool, emitter: Emitter | None = None
) -> list[Segment]:
    """The day's segments, framed as ``emitter`` frames (default: single-object for avro, none for JSON)."""
    if emitter is None:
        emitter = Emitter(CATALOG, SingleObjectFraming() if value_format == "avro" else None, PREFIX)
    return build_segments(day, scenario, value_format, live, emitter.headers(TABLES), size=SIZE)


def _send_all(emitter: Emitter, segments: list[Segment], now_us: int | None, step: int = 333) -> Sent:
    """Everything the emitter produces, sliced in uneven steps that cross table runs, per table."""
    out: Sent = {}
    for segment in segments:
        for lo in range(0, len(segment), step):
            for table, topic, keys, values in emitter.messages(segment, lo, min(lo + step, len(segment)), now_us):
                assert topic == PREFIX + table == emitter.topic(table)
                assert len(keys) == len(values)
                got = out.setdefault(table, ([], []))
                got[0].extend(keys)
                got[1].extend(values)
    return out


def _without(record: dict[str, Any], *fields: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in fields}


def test_segments_cut_the_day_in_order(scenario: Scenario[Any], day: DayEvents) -> None:
    segments = _segments(scenario, day, "avro", False)
    assert [len(s) for s in segments[:-1]] == [SIZE] * (len(segments) - 1)
    assert sum(len(s) for s in segments) == len(day)
    assert np.concatenate([s.ts for s in segments]).tolist() == day.ts.tolist()
    assert np.concatenate([s.table for s in segments]).tolist() == day.table.tolist()
    assert all(s.day == DAY and s.names == TABLES for s in segments)
    for segment in segments:
        for index in np.unique(segment.table):
            # rows are numbered from 0 within the segment, contiguous per table
            rows = segment.row[segment.table == index]
            assert rows.tolist() == list(range(rows.size))


def test_replay_values_are_header_plus_avro_body_of_exactly_the_rows(
    scenario: Scenario[Any], day: DayEvents, source: Rows
) -> None:
    segments = _segments(scenario, day, "avro", False)
    sent = _send_all(Emitter(CATALOG, SingleObjectFraming(), PREFIX), segments, None)

    assert set(sent) == set(TABLES)
    for name in TABLES:
        header = _single_object_header(name)
        keys, values = sent[name]
        assert all(v[: len(header)] == header for v in values), name
        assert [_decode(name, v[len(header) :]) for v in values] == source[name], name
        expected_keys = [k.encode() for k in scenario.stream_keys(name, day.tables[name]).to_pylist()]
        assert keys == expected_keys, name


def test_live_values_carry_now_and_every_other_field_unchanged(
    scenario: Scenario[Any], day: DayEvents, source: Rows
) -> None:
    segments = _segments(scenario, day, "avro", True)
    for segment in segments:
        for index, part in segment.tables.items():
            # only the time fields' bytes are spliced in between the encoded pieces: nothing is re-encoded
            assert part.times is not None and part.batch is None and part.body is None
            moving = 2 if segment.names[index] == "truck_moves" else 0  # eta and etd move with event_ts
            assert len(part.pieces) == 2 + moving and part.times.shape[0] == 1 + moving
    sent = _send_all(Emitter(CATALOG, SingleObjectFraming(), PREFIX), segments, NOW_US)

    for name in TABLES:
        header = _single_object_header(name)
        keys, values = sent[name]
        decoded = [_decode(name, v[len(header) :]) for v in values]
        assert all(v[: len(header)] == header for v in values), name
        assert [r["event_ts"] for r in decoded] == [NOW] * len(source[name]), name
        moved = ("event_ts", "eta", "etd")
        assert [_without(r, *moved) for r in decoded] == [_without(r, *moved) for r in source[name]], name
        assert keys == [k.encode() for k in scenario.stream_keys(name, day.tables[name]).to_pylist()], name


def test_live_truck_moves_shift_eta_and_etd_with_event_ts(
    scenario: Scenario[Any], day: DayEvents, source: Rows
) -> None:
    segments = _segments(scenario, day, "avro", True)
    _, values = _send_all(Emitter(CATALOG, SingleObjectFraming(), PREFIX), segments, NOW_US)["truck_moves"]
    header = _single_object_header("truck_moves")
    decoded = [_decode("truck_moves", v[len(header) :]) for v in values]
    assert len(decoded) == len(source["truck_moves"]) > 0
    for old, new in zip(source["truck_moves"], decoded, strict=True):
        shift = NOW - old["event_ts"]
        assert new["event_ts"] == NOW
        assert new["eta"] == old["eta"] + shift
        assert new["etd"] == old["etd"] + shift
        assert new["eta"] - new["event_ts"] == old["eta"] - old["event_ts"]


def test_confluent_framing_on_every_path(scenario: Scenario[Any], day: DayEvents, source: Rows) -> None:
    framing = ConfluentFraming("mock://segments-emission")
    emitter = Emitter(CATALOG, framing, PREFIX)
    tables = ("receipts", "truck_moves")
    emitter.headers(TABLES)  # registers every subject, as run_stream does before the worker starts
    ids = {name: framing.client.get_latest_version(f"{PREFIX}{name}-value").schema_id for name in tables}
    assert len(set(ids.values())) == len(tables)
    for live in (False, True):
        sent = _send_all(emitter, _segments(scenario, day, "avro", live, emitter), NOW_US if live else None)
        for name in tables:
            values = sent[name][1]
            assert len(values) == len(source[name])
            for value in values:
                assert value[0] == 0 and int.from_bytes(value[1:5], "big") == ids[name]
            decoded = [_decode(name, v[5:]) for v in values]
            if live:
                assert {r["event_ts"] for r in decoded} == {NOW}
            else:
                assert decoded == source[name]


def test_json_values_parse_as_json(scenario: Scenario[Any], day: DayEvents, source: Rows) -> None:
    emitter = Emitter(CATALOG, None, PREFIX)
    assert emitter.name == "json"
    now_text = "2031-07-08T09:10:11.123456Z"
    replay = _send_all(emitter, _segments(scenario, day, "json", False), None)
    live = _send_all(emitter, _segments(scenario, day, "json", True), NOW_US)
    for name in TABLES:
        fields = [f["name"] for f in _raw_schema(name)["fields"]]
        replayed = [json.loads(v) for v in replay[name][1]]
        stamped = [json.loads(v) for v in live[name][1]]
        assert [list(r) for r in replayed] == [fields] * len(source[name]), name
        assert [r["trace_id"] for r in replayed] == [r["trace_id"] for r in source[name]], name
        assert [r["event_ts"] for r in replayed] == [_iso(r["event_ts"]) for r in source[name]], name
        assert [r["trace_id"] for r in stamped] == [r["trace_id"] for r in source[name]], name
        assert {r["event_ts"] for r in stamped} == {now_text}, name
        assert replay[name][0] == live[name][0], name  # keys don't depend on the format or the mode
        if name == "truck_moves":
            for old, new in zip(source[name], stamped, strict=True):
                assert new["eta"] == _iso(old["eta"] + (NOW - old["event_ts"]))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_restamp_moves_the_declared_time_columns_with_the_event_time() -> None:
    spec = TableSpec("t", TableKind.EVENT, "shop", event_time="at", moves_with_event_time=("due",))
    batch = pa.table({"at": timestamps([10, 20]), "due": timestamps([15, 40]), "other": timestamps([1, 2])})

    out = restamp(batch, spec, 100)

    assert out.column("at").cast(pa.int64()).to_pylist() == [100, 100]
    assert out.column("due").cast(pa.int64()).to_pylist() == [105, 120]
    assert out.column("other").equals(batch.column("other")), "an undeclared time column stays"
    assert restamp(batch, TableSpec("t", TableKind.EVENT, "shop"), 100) is batch, "no event time: nothing to stamp"


def test_split_schema_cuts_around_the_named_time_fields_in_field_order() -> None:
    names = ("a", "at", "b", "due", "c")
    schema = {"type": "record", "name": "t", "fields": [{"name": n, "type": "long"} for n in names]}

    parts, order = split_schema(schema, ["due", "at"])

    assert order == ["at", "due"]
    assert [[f["name"] for f in p["fields"]] for p in parts] == [["a"], ["b"], ["c"]]
    assert [p["name"] for p in parts] == ["t_part0", "t_part1", "t_part2"]
    only, _ = split_schema(schema, ["a"])
    assert [[f["name"] for f in p["fields"]] for p in only] == [[], ["at", "b", "due", "c"]]


def test_only_non_null_timestamp_fields_are_spliced_in_as_bytes() -> None:
    from emitter.stream.segments import _plain_timestamp

    micros = {"type": "long", "logicalType": "timestamp-micros"}
    schema = {
        "type": "record",
        "name": "t",
        "fields": [
            {"name": "at", "type": micros},
            {"name": "due", "type": ["null", micros], "default": None},
            {"name": "n", "type": "long"},
        ],
    }
    assert _plain_timestamp(schema, "at")
    assert not _plain_timestamp(schema, "due"), "a union needs its branch index: re-encoded instead"
    assert not _plain_timestamp(schema, "n")


@pytest.mark.parametrize(
    "value",
    [0, 1, -1, 2, -2, 63, -64, 64, -65, 127, 128, 8191, 8192, 2**31 - 1, -(2**31), 2**62, -(2**63), 2**63 - 1, NOW_US],
)
def test_avro_long_is_fastavros_encoding(value: int) -> None:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, "long", value)
    assert avro_long(value) == buffer.getvalue()
    assert fastavro.schemaless_reader(io.BytesIO(avro_long(value)), "long") == value


@pytest.mark.parametrize("value_format", ["avro", "json"])
@pytest.mark.parametrize("live", [False, True])
def test_truncate_keeps_exactly_the_first_k_events(
    scenario: Scenario[Any], day: DayEvents, value_format: str, live: bool
) -> None:
    framing = SingleObjectFraming() if value_format == "avro" else None
    emitter = Emitter(CATALOG, framing, PREFIX)
    now_us = NOW_US if live else None
    segment = _segments(scenario, day, value_format, live)[1]
    for keep in (1, 2, 57, 500, SIZE - 1, SIZE):
        cut = _truncate(segment, keep)
        assert len(cut) == keep
        assert cut.ts.tolist() == segment.ts[:keep].tolist()
        assert cut.table.tolist() == segment.table[:keep].tolist()
        assert cut.row.tolist() == segment.row[:keep].tolist()
        assert set(cut.tables) == {int(i) for i in np.unique(segment.table[:keep])}
        assert emitter.messages(cut, 0, keep, now_us) == emitter.messages(segment, 0, keep, now_us)
        for index, part in cut.tables.items():
            n = int((cut.table == index).sum())
            assert len(part.keys.bounds) == n + 1 and len(part.keys.data) == part.keys.bounds[-1]
            for flat in (part.body, *part.pieces):
                if flat is not None:
                    assert len(flat.bounds) == n + 1 and len(flat.data) == flat.bounds[-1]
            if part.batch is not None:
                assert part.batch.num_rows == n
                assert isinstance(part.batch, pa.Table)


def test_a_slice_inside_one_table_run_sends_just_those_rows(
    scenario: Scenario[Any], day: DayEvents, source: Rows
) -> None:
    segment = _segments(scenario, day, "avro", False)[0]  # its rows are the day's first rows
    which = segment.table
    lo = next(i for i in range(200, len(segment) - 3) if which[i] == which[i + 1] == which[i + 2] != which[i - 1])
    ((name, topic, keys, values),) = Emitter(CATALOG, SingleObjectFraming(), PREFIX).messages(segment, lo, lo + 3, None)
    assert name == TABLES[int(which[lo])] and topic == PREFIX + name
    first = int(segment.row[lo])
    header = _single_object_header(name)
    assert [_decode(name, v[len(header) :]) for v in values] == source[name][first : first + 3]
    assert keys == [k.encode() for k in scenario.stream_keys(name, day.tables[name]).to_pylist()][first : first + 3]


@pytest.mark.parametrize(("value_format", "live"), [("avro", False), ("avro", True), ("json", False), ("json", True)])
def test_segments_pickle_to_about_their_own_rows(
    scenario: Scenario[Any], day: DayEvents, value_format: str, live: bool
) -> None:
    # segments cross a process boundary; each should carry its own rows, not the whole day's tables again
    segments = _segments(scenario, day, value_format, live)
    whole_day = len(pickle.dumps(day.tables))
    shipped = sum(len(pickle.dumps(segment)) for segment in segments)
    assert shipped < 3 * whole_day, (shipped, whole_day, len(segments))
