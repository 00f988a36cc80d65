"""Contract: the stored offsets fence writers; a batch commits only from where the warehouse says reading is.

Two consumers of one partition (a zombie that lost it without noticing, or a sink in another group)
write batches read from the same position; whichever commits second must write nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import psycopg
import pyarrow as pa
import pytest

from emitter.sink.destinations import Destination, DestinationError, StaleOffsetsError, TableName, open_destination

RECEIPTS = TableName("retail", "receipts")
TOPIC = "retail.receipts"


def _rows(partition: int, offsets: range | list[int]) -> pa.Table:
    offsets = list(offsets)
    return pa.table(
        {
            "trace_id": [f"{TOPIC}-{partition}-{o}" for o in offsets],
            "_topic": [TOPIC] * len(offsets),
            "_partition": pa.array([partition] * len(offsets), pa.int32()),
            "_offset": pa.array(offsets, pa.int64()),
        }
    )


def _loaded(destination: Destination) -> tuple[int, int]:
    """(rows, distinct (topic, partition, offset)) in the receipts table."""
    got = destination.query(
        "SELECT count(*) AS n, count(DISTINCT (_topic, _partition, _offset)) AS d FROM retail.receipts"
    )
    return int(got.column("n")[0].as_py()), int(got.column("d")[0].as_py())


@pytest.fixture
def rival(destination_url: str, destination: Destination) -> Iterator[Destination]:
    """A second writer on the same warehouse (a DuckDB file opened twice in one process shares the database)."""
    with open_destination(destination_url) as other:
        yield other


def test_a_zombie_batch_read_from_an_offset_another_consumer_moved_writes_nothing(
    destination: Destination, rival: Destination
) -> None:
    owner, zombie = destination, rival
    owner.write({RECEIPTS: _rows(0, range(0, 10))}, None, {(TOPIC, 0): 10})
    # the zombie read [10, 15) before losing the partition; the new owner loads [10, 20) first
    owner.write({RECEIPTS: _rows(0, range(10, 20))}, None, {(TOPIC, 0): 20}, read_from={(TOPIC, 0): 10})

    with pytest.raises(StaleOffsetsError, match=r"retail\.receipts\[0\] \(read from 10\)") as raised:
        zombie.write({RECEIPTS: _rows(0, range(10, 15))}, None, {(TOPIC, 0): 15}, read_from={(TOPIC, 0): 10})
    assert raised.value.partitions == [(TOPIC, 0)]
    # nor can it write a batch it read from the start, before any offset was stored
    with pytest.raises(StaleOffsetsError, match="read from the start"):
        zombie.write({RECEIPTS: _rows(0, range(0, 5))}, None, {(TOPIC, 0): 5})

    assert _loaded(owner) == (20, 20)
    assert owner.stored_offsets([TOPIC]) == {(TOPIC, 0): 20}


def test_one_stale_partition_leaves_the_whole_batch_unwritten(destination: Destination, rival: Destination) -> None:
    destination.write({RECEIPTS: _rows(0, range(0, 4))}, None, {(TOPIC, 0): 4})
    rival.write({RECEIPTS: _rows(1, range(0, 3))}, None, {(TOPIC, 1): 3})

    # partition 0 is where this writer left it; partition 1 was loaded by the rival meanwhile
    with pytest.raises(StaleOffsetsError, match=r"retail\.receipts\[1\]") as raised:
        destination.write(
            {RECEIPTS: pa.concat_tables([_rows(0, range(4, 8)), _rows(1, range(0, 3))])},
            None,
            {(TOPIC, 0): 8, (TOPIC, 1): 3},
            read_from={(TOPIC, 0): 4},
        )

    assert raised.value.partitions == [(TOPIC, 1)]
    assert _loaded(destination) == (7, 7)
    assert destination.stored_offsets([TOPIC]) == {(TOPIC, 0): 4, (TOPIC, 1): 3}


def test_a_batch_commits_from_where_reading_began_though_its_first_offset_is_past_it(
    destination: Destination,
) -> None:
    destination.write({RECEIPTS: _rows(0, range(0, 10))}, None, {(TOPIC, 0): 10})
    # offset 10 is a transaction marker: the consumer sought to 10 and got 11 first
    destination.write({RECEIPTS: _rows(0, [11, 12])}, None, {(TOPIC, 0): 13}, read_from={(TOPIC, 0): 10})

    assert destination.stored_offsets([TOPIC]) == {(TOPIC, 0): 13}
    assert _loaded(destination) == (12, 12)


@pytest.mark.parametrize("stored_before", [False, True], ids=["first-batch", "later-batch"])
def test_concurrent_batches_from_one_position_commit_once_on_postgres(pg_url: str, stored_before: bool) -> None:
    writers = [open_destination(pg_url) for _ in range(4)]
    try:
        writers[0].ensure_table(RECEIPTS, _rows(0, []).schema)
        read_from = {}
        if stored_before:
            writers[0].write({RECEIPTS: _rows(0, range(0, 5))}, None, {(TOPIC, 0): 5})
            read_from = {(TOPIC, 0): 5}
        start = 5 if stored_before else 0
        batch = {RECEIPTS: _rows(0, range(start, start + 50))}
        ready = threading.Barrier(len(writers))
        outcomes: list[str] = []

        def write(writer: Destination) -> None:
            ready.wait(timeout=30)
            try:
                writer.write(batch, None, {(TOPIC, 0): start + 50}, read_from=read_from)
                outcomes.append("written")
            except StaleOffsetsError:
                outcomes.append("fenced")

        threads = [threading.Thread(target=write, args=(w,)) for w in writers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)

        assert sorted(outcomes) == ["fenced"] * (len(writers) - 1) + ["written"]
        assert _loaded(writers[0]) == (start + 50, start + 50)
        assert writers[0].stored_offsets([TOPIC]) == {(TOPIC, 0): start + 50}
    finally:
        for w in writers:
            w.close()


def _second_waits_for_first(
    pg_url: str, first_work: Callable[[Destination], object], second_work: Callable[[Destination], object]
) -> object:
    """Run ``first_work`` in a transaction held open until ``second_work`` (another session) waits on a lock;
    then commit it, and return what ``second_work`` returned once it could go on."""
    first, second = open_destination(pg_url), open_destination(pg_url)
    watcher = psycopg.connect(pg_url, autocommit=True)
    outcome: list[object] = []

    def run_second() -> None:
        try:
            outcome.append(second_work(second))
        except BaseException as exc:
            outcome.append(exc)

    try:
        with first.connection.transaction():  # type: ignore[attr-defined]
            first_work(first)
            other = threading.Thread(target=run_second)
            other.start()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not _waiting_on_a_lock(watcher, second):
                time.sleep(0.02)
            assert _waiting_on_a_lock(watcher, second), "the second session never had to wait"
        other.join(timeout=30)
        assert not other.is_alive()
        (result,) = outcome
        return result
    finally:
        first.close()
        second.close()
        watcher.close()


def _waiting_on_a_lock(watcher: psycopg.Connection[tuple[object, ...]], destination: Destination) -> bool:
    pid = destination.connection.info.backend_pid  # type: ignore[attr-defined]
    found = watcher.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    return found is not None and found[0] == "Lock"


def test_concurrent_ddl_into_a_fresh_schema_waits_instead_of_colliding(pg_url: str) -> None:
    """Two loads creating one schema and table: the second waits for the first, then finds them made."""
    schema = _rows(0, []).schema

    result = _second_waits_for_first(
        pg_url, lambda d: d.ensure_table(RECEIPTS, schema), lambda d: d.ensure_table(RECEIPTS, schema)
    )

    assert result is None
    with open_destination(pg_url) as d:
        assert d.data_tables(["retail"]) == [RECEIPTS]


def test_one_file_loaded_by_two_sessions_at_once_loads_once(pg_url: str) -> None:
    """The second load waits for the first, then finds the file loaded with that checksum and skips it."""
    rows = _rows(0, range(5))

    def load(d: Destination) -> bool:
        return d.load_file(RECEIPTS, rows, "facts/receipts/dt=2024-03-15/part-0.parquet", "sum-1")

    assert _second_waits_for_first(pg_url, load, load) is False
    with open_destination(pg_url) as d:
        got = d.query("SELECT count(*) AS n, count(DISTINCT _source) AS s FROM retail.receipts").to_pylist()[0]
        assert (got["n"], got["s"]) == (5, 1)
        assert d.loaded_files() == {"facts/receipts/dt=2024-03-15/part-0.parquet": "sum-1"}


def test_a_stuck_session_holding_the_ddl_lock_stops_the_other_with_one_line(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A paused sink inside a DDL transaction must not hold every other sink on the database forever."""
    from emitter.sink.destinations import postgres

    monkeypatch.setattr(postgres.PostgresDestination, "lock_timeout_s", 0.5)
    with psycopg.connect(pg_url) as stuck, open_destination(pg_url) as waiting:
        stuck.execute(postgres._DDL_LOCK)  # inside a transaction that never ends (psycopg's default)
        with pytest.raises(DestinationError, match=r"another session has held a lock it needs for 0\.5s") as raised:
            waiting.ensure_table(RECEIPTS, _rows(0, [0]).schema)
        assert "\n" not in str(raised.value)
        stuck.rollback()
        waiting.ensure_table(RECEIPTS, _rows(0, [0]).schema)  # once it is gone, the same call goes through
