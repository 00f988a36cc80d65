"""What every scenario generates: schema-true batches, deterministic bytes, chunk invariance, rules that hold."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import fastavro
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from emitter.avro.encode import encode_table
from emitter.scenarios import open_scenario
from emitter.scenarios.rules import check_foreign_keys

from .conftest import Generated

ROUND_TRIP_ROWS = 3_000  # per table: fastavro's per-record reader is slow


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _every_batch(run: Generated) -> dict[str, pa.Table]:
    out = {f"reference {k}": v for k, v in run.reference.items()}
    out.update({f"{day} {k}": v for day, tables in run.by_day.items() for k, v in tables.items()})
    return out


def test_batches_conform_to_their_schemas_and_every_table_has_rows(generated: Generated) -> None:
    catalog = generated.catalog
    assert set(generated.reference) == {t.id for t in catalog.reference}
    for day in generated.days:
        assert set(generated.by_day[day]) == {t.id for t in catalog.per_day}
    for spec in catalog.tables:
        rows = generated.tables()[spec.id]
        assert rows.schema.equals(catalog.arrow(spec), check_metadata=False), spec.id
        assert rows.num_rows > 0, f"{spec.id} is empty over {generated.days}: the contract suite would prove nothing"


def test_rows_survive_the_avro_codec_read_back_by_an_independent_reader(generated: Generated) -> None:
    catalog = generated.catalog
    for spec in catalog.tables:
        rows = generated.tables()[spec.id].slice(0, ROUND_TRIP_ROWS)
        avro = catalog.avro(spec)
        parsed = fastavro.parse_schema(avro)
        decoded = [fastavro.schemaless_reader(io.BytesIO(m), parsed) for m in encode_table(rows, avro).messages()]
        assert decoded == rows.to_pylist(), spec.id


def test_per_day_rows_are_in_event_time_order_inside_their_day(generated: Generated) -> None:
    for day, tables in generated.by_day.items():
        start = np.datetime64(day.isoformat(), "us")
        for table_id, rows in tables.items():
            spec = generated.catalog.get(table_id)
            assert spec.event_time is not None
            ts = rows.column(spec.event_time).cast(pa.timestamp("us")).to_numpy()
            assert (np.diff(ts.astype(np.int64)) >= 0).all(), f"{table_id} on {day} is not sorted"
            assert ts.size == 0 or (ts.min() >= start and ts.max() < start + np.timedelta64(1, "D")), table_id


def test_event_ids_are_unique_across_days(generated: Generated) -> None:
    for spec in generated.catalog.per_day:
        assert spec.event_id is not None
        ids = generated.tables()[spec.id].column(spec.event_id)
        assert pc.count_distinct(ids).as_py() == len(ids), spec.id


def _event_ids(run: Generated) -> set[tuple[str, str]]:
    return {
        (spec.id, i)
        for spec in run.catalog.per_day
        if spec.event_id is not None
        for i in run.tables()[spec.id].column(spec.event_id).to_pylist()
    }


def test_event_ids_never_meet_across_seeds_or_settings(
    generated: Generated, make_generated: Callable[..., Generated]
) -> None:
    """Sinks de-duplicate by event id: two different runs into one warehouse must not share one."""
    mine = _event_ids(generated)
    other_seed = make_generated(generated.name, seed=generated.config.seed + 1)
    assert not mine & _event_ids(other_seed)
    scaled = make_generated(generated.name, scale=2.0)
    if scaled.scenario.settings != generated.scenario.settings:
        assert not mine & _event_ids(scaled)
    assert mine == _event_ids(make_generated(generated.name)), "a re-run of the same run keeps its ids"


def test_the_same_seed_gives_the_same_bytes(generated: Generated, make_generated: Callable[..., Generated]) -> None:
    again = make_generated(generated.name)
    assert _every_batch(again).keys() == _every_batch(generated).keys()
    for key, table in _every_batch(generated).items():
        assert _ipc(_every_batch(again)[key]) == _ipc(table), key


def test_another_seed_gives_other_data(generated: Generated, make_generated: Callable[..., Generated]) -> None:
    other = make_generated(generated.name, seed=generated.config.seed + 1)
    for spec in generated.catalog.per_day:
        assert _ipc(other.tables()[spec.id]) != _ipc(generated.tables()[spec.id]), spec.id


def test_any_day_alone_equals_that_day_after_its_predecessors(generated: Generated) -> None:
    """The state provider: state_at(day) gives the bytes of a run that started earlier."""
    fresh = open_scenario(generated.config)
    for day in generated.days:
        ((alone_day, alone),) = list(fresh.days([day], None))
        assert alone_day == day
        for table_id, rows in generated.by_day[day].items():
            assert _ipc(alone[table_id]) == _ipc(rows), f"{table_id} on {day}"


def test_days_come_out_in_the_order_asked_whatever_the_order(generated: Generated) -> None:
    backwards = list(reversed(generated.days))
    fresh = open_scenario(generated.config)
    got = dict(fresh.days(backwards, [t.id for t in generated.catalog.per_day]))
    assert list(got) == backwards
    for day in backwards:
        for table_id, rows in generated.by_day[day].items():
            assert _ipc(got[day][table_id]) == _ipc(rows), f"{table_id} on {day}"


def test_a_subset_of_tables_gives_the_same_rows_as_all_of_them(generated: Generated) -> None:
    fresh = open_scenario(generated.config)
    for spec in generated.catalog.per_day:
        ((_, only),) = list(fresh.days(generated.days[-1:], [spec.id]))
        assert list(only) == [spec.id]
        assert _ipc(only[spec.id]) == _ipc(generated.by_day[generated.days[-1]][spec.id]), spec.id


def test_every_declared_foreign_key_resolves(generated: Generated) -> None:
    results = check_foreign_keys(generated.catalog, generated.tables())
    declared = sum(len(t.foreign_keys) for t in generated.catalog.tables)
    assert len(results) == declared
    assert [r for r in results if not r.ok] == []


def test_every_rule_holds_over_consecutive_days(generated: Generated) -> None:
    results = generated.scenario.rules(generated.tables())
    assert len(results) > sum(len(t.foreign_keys) for t in generated.catalog.tables), "the domain checks no rule"
    assert [r for r in results if not r.ok] == []


def test_a_broken_foreign_key_is_caught(generated: Generated) -> None:
    """The check can fail: point one child row at a key no parent has."""
    catalog = generated.catalog
    spec = next(t for t in catalog.tables if t.foreign_keys)
    fk = spec.foreign_keys[0]
    tables = generated.tables()
    child = tables[spec.id]
    column = child.column(fk.column)
    bogus = pa.array([_missing_value(column.type)] * child.num_rows, type=column.type)
    tables[spec.id] = child.set_column(child.schema.get_field_index(fk.column), fk.column, bogus)
    broken = [r for r in check_foreign_keys(catalog, tables) if not r.ok]
    assert [r.rule for r in broken] == [f"fk {spec.id}.{fk.column} -> {catalog.get(fk.table).id}.{fk.references}"]


def _missing_value(arrow_type: pa.DataType) -> object:
    if pa.types.is_string(arrow_type):
        return "no-such-key"
    if pa.types.is_integer(arrow_type):
        return -987_654
    raise AssertionError(f"foreign keys of type {arrow_type} are not covered here")


def test_state_carries_across_a_gap(generated: Generated) -> None:
    """A day after a skipped one is still the day a run from the start would give (state_at again)."""
    fresh = open_scenario(generated.config)
    first, last = generated.days[0], generated.days[-1]
    assert last - first >= timedelta(days=2)
    got = dict(fresh.days([first, last], None))
    for table_id, rows in generated.by_day[last].items():
        assert _ipc(got[last][table_id]) == _ipc(rows), table_id
