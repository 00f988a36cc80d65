"""Every fault kind, through the real broker into a real warehouse: ``sink --dedupe`` ends with the fault-free data."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, time, timedelta

import pyarrow as pa
import pytest

from emitter.avro.schemas import is_json
from emitter.sink.consumer import SinkSettings
from emitter.sink.destinations import DEAD_LETTERS, open_destination
from emitter.sink.read_back import read_tables
from emitter.sink.session import sink
from emitter.stream.fault_spec import parse_faults
from emitter.stream.runner import StreamSettings
from emitter.stream.session import Delivery, stream
from emitter.stream.targets import TargetOptions

from .conftest import Generated

pytestmark = pytest.mark.slow

FAULTS = "late=0.03:200ms,out_of_order=0.03:50,duplicate=0.03,malformed=0.03"


def test_a_faulty_stream_sunk_with_dedupe_equals_the_fault_free_day(
    generated: Generated, kafka_bootstrap: str, destination_url: str
) -> None:
    day = generated.days[0]
    prefix = f"faults-{generated.name}-{uuid.uuid4().hex[:8]}."
    tables = tuple(t.id for t in generated.catalog.per_day)
    result = stream(
        generated.config,
        StreamSettings(
            tables=tables,
            topic_prefix=prefix,
            start=datetime.combine(day, time()),
            end=datetime.combine(day + timedelta(days=1), time()),
            speed=math.inf,
            faults=dict.fromkeys(tables, parse_faults(FAULTS)),
        ),
        Delivery(options=TargetOptions(bootstrap_servers=kafka_bootstrap), partitions=3),
    )
    kinds = {kind: sum(c[kind] for c in result.faults.values()) for kind in ("late", "out_of_order", "duplicate")}
    malformed = sum(c["malformed"] for c in result.faults.values())
    assert all(kinds.values()) and malformed > 0, result.faults  # every kind happened
    assert result.target.delivered == result.summary.total + kinds["duplicate"] + malformed

    summary = sink(
        generated.catalog,
        SinkSettings(
            kafka_bootstrap,
            topics=prefix + "*",
            group=f"faults-{uuid.uuid4().hex[:8]}",
            max_latency_ms=300,
            session_timeout_ms=3_000,
            idle_exit_s=3.0,
            max_events=result.target.delivered,
            dedupe=True,
        ),
        destination_url,
    )
    assert summary.dead == malformed
    assert summary.duplicates == kinds["duplicate"]

    with open_destination(destination_url) as warehouse:
        loaded = read_tables(warehouse, generated.catalog)
        dead = warehouse.query(f"SELECT count(*) AS n FROM {DEAD_LETTERS}").column("n")[0].as_py()
    assert dead == malformed
    for spec in generated.catalog.per_day:
        expected = generated.by_day[day][spec.id]
        if expected.num_rows == 0:
            continue
        plain = [f.name for f in generated.catalog.arrow(spec) if not is_json(f)]  # jsonb rewrites documents
        order = [(spec.event_id or plain[0], "ascending")]
        got, want = (t.select(plain).sort_by(order) for t in (loaded[spec.id], expected))
        assert got.num_rows == want.num_rows, spec.id
        assert got.equals(pa.Table.from_batches(want.to_batches(), want.schema)), spec.id
