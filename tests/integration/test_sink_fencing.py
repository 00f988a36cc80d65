"""Two ``emitter sink`` runs in different groups, at once, into one PostgreSQL schema: every event loads once."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

from support import replay_into_topics

from emitter.config import Config
from emitter.sink.destinations import open_destination
from emitter.sink.topic_reader import read_topics

TABLES = ("receipts", "receipt_lines", "ble_pings")


def _sink(bootstrap: str, prefix: str, url: str, group: str) -> list[str]:
    return [
        sys.executable, "-m", "emitter", "sink", "--bootstrap-servers", bootstrap, "--topics", f"{prefix}*",
        "--warehouse", url, "--group", group, "--quiet", "--scenario", "retail", "--until-idle", "3s",
    ]  # fmt: skip


def test_two_sinks_in_different_groups_load_every_event_once(
    kafka_bootstrap: str, pg_url: str, small_config: Config, tmp_path: Path
) -> None:
    prefix = f"f{uuid.uuid4().hex[:8]}."
    replay_into_topics(small_config, kafka_bootstrap, TABLES, prefix, datetime(2024, 3, 5, 8), datetime(2024, 3, 5, 14))
    topics = [prefix + t for t in TABLES]
    read = read_topics(kafka_bootstrap, topics)
    assert all(read[t].complete for t in topics)
    messages = {t: len(read[t]) for t in topics}
    assert sum(messages.values()) > 5_000

    env = {**os.environ, "EMITTER_SINK__BATCH_SIZE": "400", "EMITTER_SINK__MAX_LATENCY_MS": "100"}
    sinks = [
        subprocess.Popen(
            _sink(kafka_bootstrap, prefix, pg_url, f"g{i}-{uuid.uuid4().hex[:8]}"),
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    outputs = [s.communicate(timeout=240) for s in sinks]
    assert [s.returncode for s in sinks] == [0, 0], [err for _, err in outputs]

    with open_destination(pg_url) as d:
        stored = d.stored_offsets(topics)
        for t, table in zip(topics, TABLES, strict=True):
            got = d.query(
                "SELECT count(*) AS n, count(DISTINCT (_topic, _partition, _offset)) AS d "
                f"FROM retail.{table} WHERE _topic = '{t}'"
            ).to_pylist()[0]
            assert (got["n"], got["d"]) == (messages[t], messages[t]), t
            assert {p: stored.get((t, p)) for p in read[t].bounds} == {p: hi for p, (_, hi) in read[t].bounds.items()}
        dead = d.query("SELECT count(*) AS n FROM _emitter_dead_letters").column("n")[0].as_py()
    assert dead == 0
