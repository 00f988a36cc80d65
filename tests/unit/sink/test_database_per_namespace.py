"""``DatabasePerNamespace`` on a real server: each partition's rows, dead letters and offsets stay in one database."""

from __future__ import annotations

import psycopg
import pyarrow as pa
import pytest
from support import namespace_database

from emitter.sink.destinations import (
    DEAD_LETTERS,
    NamespaceScope,
    StaleOffsetsError,
    TableName,
    open_destination,
)

TOPICS = {"x.core.postings": "core", "x.audit.postings": "audit"}
SCOPE = NamespaceScope(("core", "audit"), TOPICS.get)
CORE, AUDIT = TableName("core", "postings"), TableName("audit", "postings")


def _rows(topic: str, ids: list[str]) -> pa.Table:
    return pa.table(
        {
            "trace_id": ids,
            "_topic": [topic] * len(ids),
            "_partition": pa.array([0] * len(ids), pa.int32()),
            "_offset": pa.array(range(len(ids)), pa.int64()),
        }
    )


def _dead(topic: str, n: int) -> pa.Table:
    return pa.table(
        {
            "topic": [topic] * n,
            "partition": pa.array([0] * n, pa.int32()),
            "offset": pa.array(range(n), pa.int64()),
            "reason": ["garbage"] * n,
            "raw": pa.array([b"\x00"] * n, pa.binary()),
        }
    )


def _count(url: str, sql: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_a_fenced_database_leaves_the_others_batch_committed(pg_template: str) -> None:
    core, audit = "x.core.postings", "x.audit.postings"
    with open_destination(pg_template, SCOPE) as warehouse:
        warehouse.write({CORE: _rows(core, ["a", "b"])}, None, {(core, 0): 2})
        with pytest.raises(StaleOffsetsError) as fenced:  # core's offset is 2 now, not unset
            warehouse.write(
                {CORE: _rows(core, ["c"]), AUDIT: _rows(audit, ["a1"])}, None, {(core, 0): 3, (audit, 0): 1}, {}
            )
        assert fenced.value.partitions == [(core, 0)]
        assert warehouse.stored_offsets([core, audit]) == {(core, 0): 2, (audit, 0): 1}

    core_db, audit_db = (namespace_database(pg_template, n) for n in ("core", "audit"))
    assert _count(core_db, "SELECT count(*) FROM core.postings") == 2
    assert _count(audit_db, "SELECT count(*) FROM audit.postings") == 1
    assert _count(audit_db, "SELECT count(*) FROM _emitter_offsets WHERE topic = 'x.core.postings'") == 0


def test_dead_letters_go_with_their_topics_offsets_and_a_tableless_topic_to_home(pg_template: str) -> None:
    audit, stray = "x.audit.postings", "x.unknown"
    dead = pa.concat_tables([_dead(audit, 2), _dead(stray, 3)])
    with open_destination(pg_template, SCOPE) as warehouse:
        warehouse.write({}, dead, {(audit, 0): 2, (stray, 0): 3})
        assert warehouse.bookkeeping_rows(DEAD_LETTERS, ["topic"]).num_rows == 5

    core_db, audit_db = (namespace_database(pg_template, n) for n in ("core", "audit"))
    assert _count(audit_db, "SELECT count(*) FROM _emitter_dead_letters WHERE topic = 'x.audit.postings'") == 2
    assert _count(core_db, "SELECT count(*) FROM _emitter_dead_letters WHERE topic = 'x.unknown'") == 3
    assert _count(core_db, "SELECT next_offset FROM _emitter_offsets WHERE topic = 'x.unknown'") == 3
    assert _count(audit_db, "SELECT count(*) FROM _emitter_offsets WHERE topic = 'x.unknown'") == 0
