"""kill -9 of a command leaves nothing it started running: the stream feeder, the bundled broker, backfill workers.

Each test records the killed command's descendants from /proc just before the kill (``ProcessTree``) and
checks every one of them is gone within a few seconds of it: the processes emitter spawned and the
multiprocessing resource tracker alike.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from confluent_kafka import Consumer, KafkaException, TopicPartition
from support import ProcessTree, process_state, write_small_config

from emitter.formats.atomic import is_temp_file
from emitter.scenarios.retail import RetailScenario

GONE_WITHIN_S = 3.0  # after the kill; the kernel signals the children at once
START_TIMEOUT_S = 120.0  # a loaded machine may take long to get going; only a bound on a hang
EMITTER = [sys.executable, "-m", "emitter"]


def _start(command: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _wait_for(process: subprocess.Popen[bytes], ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not ready():
        if process.poll() is not None:
            raise AssertionError(f"the command ended before {what}: {process.communicate()[1].decode()[-2000:]}")
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            raise AssertionError(f"no {what} within {START_TIMEOUT_S:g}s")
        time.sleep(0.05)


def _kill_and_expect_no_survivors(process: subprocess.Popen[bytes], tree: ProcessTree) -> None:
    try:
        process.kill()
        process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGCONT)  # a test may have frozen the group; the rest of it goes on
        survivors = tree.running_after(GONE_WITHIN_S)
        assert not survivors, f"outlived kill -9 of their parent by {GONE_WITHIN_S:g}s: {survivors}"
    finally:
        tree.kill()


@contextlib.contextmanager
def _records_arrived(bootstrap: str, topic_prefix: str) -> Iterator[Callable[[], bool]]:
    """A check: does a topic of the prefix hold records yet? Tansu reports the start of a partition's last
    batch as its end, so an end above 0 means two batches arrived: the stream is past its start."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"probe-{uuid.uuid4().hex}"})

    def arrived() -> bool:
        try:
            for name, meta in consumer.list_topics(timeout=2).topics.items():
                if name.startswith(topic_prefix):
                    for partition in meta.partitions:
                        if consumer.get_watermark_offsets(TopicPartition(name, partition), timeout=2)[1] > 0:
                            return True
        except KafkaException:  # the broker may not answer yet
            pass
        return False

    try:
        yield arrived
    finally:
        consumer.close()


def test_kill_9_of_stream_leaves_no_feeder_and_no_resource_tracker(kafka_bootstrap: str, tmp_path: Path) -> None:
    prefix = f"kill9-{uuid.uuid4().hex[:8]}."
    config = write_small_config(tmp_path / "config.json")
    process = _start(
        [*EMITTER, "stream", "--config", str(config), "--bootstrap-servers", kafka_bootstrap, "--topic-prefix",
         prefix, "--tables", "receipts,receipt_lines", "--partitions", "1", "--duration", "10m", "--quiet"],
        tmp_path,
    )  # fmt: skip
    with _records_arrived(kafka_bootstrap, prefix) as arrived:
        _wait_for(process, arrived, "records in the topics")
    tree = ProcessTree.of(process.pid)
    assert tree.matching("multiprocessing.spawn").processes, tree  # the feeder
    assert tree.matching("resource_tracker").processes, tree
    _kill_and_expect_no_survivors(process, tree)


def test_kill_9_of_demo_leaves_no_broker_and_no_feeder(tmp_path: Path) -> None:
    process = _start([*EMITTER, "demo", "--warehouse", str(tmp_path / "w.duckdb"), "--duration", "10m"], tmp_path)

    def started() -> bool:
        tree = ProcessTree.of(process.pid)
        return all(tree.matching(name).processes for name in ("tansu", "multiprocessing.spawn", "resource_tracker"))

    _wait_for(process, started, "broker and feeder")
    tree = ProcessTree.of(process.pid)
    broker = tree.matching("tansu").commands()[0]
    bootstrap = broker.split("--listener-url tcp://", 1)[1].split()[0]
    with _records_arrived(bootstrap, RetailScenario.name + ".") as arrived:
        _wait_for(process, arrived, "records in the topics")
    _kill_and_expect_no_survivors(process, ProcessTree.of(process.pid))


DAYS = 40
PER_DAY_TABLES = len(RetailScenario.catalog().per_day)


def _day_files(out: Path) -> dict[str, set[Path]]:
    """Per-day data files in place (temporary files left out), by day."""
    by_day: dict[str, set[Path]] = {}
    for path in (out / "facts").glob("*/dt=*/*"):
        if not is_temp_file(path):
            by_day.setdefault(path.parent.name, set()).add(path)
    return by_day


def _staged(out: Path) -> list[Path]:
    """Files a worker has written but not yet put in place (they wait under temp names for the batch's fsync)."""
    return [path for path in (out / "facts").glob("*/dt=*/*") if is_temp_file(path)]


def _frozen_mid_batch(process: subprocess.Popen[bytes], out: Path) -> dict[str, set[Path]]:
    """Freeze the whole run (SIGSTOP) while a worker holds staged files; return the files in place then.

    Frozen, the files can't change while they are read; a moment that turns out to hold none is let go.
    """
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the run ended before a batch was caught staged: {process.communicate()}"
        if (out / "facts").is_dir() and _staged(out):
            os.killpg(process.pid, signal.SIGSTOP)
            _wait_stopped(process.pid)
            if _staged(out):
                return _day_files(out)
            os.killpg(process.pid, signal.SIGCONT)
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError("no staged batch caught")


def _wait_stopped(pid: int) -> None:
    """Until every process of the run is stopped (one in a system call stops when it returns)."""
    members = [pid, *ProcessTree.of(pid).processes]
    deadline = time.monotonic() + START_TIMEOUT_S
    while any(process_state(member) not in ("T", "Z", None) for member in members):
        assert time.monotonic() < deadline, "the run did not stop on SIGSTOP"
        time.sleep(0.005)


def test_kill_9_of_backfill_stops_its_workers_before_they_write_more(tmp_path: Path) -> None:
    """The run is frozen with files staged and its parent killed; thawed, the workers put nothing more in place.

    A re-run then resumes and completes, whatever the killed run left behind.
    """
    out = tmp_path / "out"
    config = write_small_config(tmp_path / "config.json")
    command = [*EMITTER, "backfill", "--start", "2024-03-01", "--days", str(DAYS), "--out", str(out),
               "--config", str(config), "--workers", "2"]  # fmt: skip
    process = _start(command, tmp_path)
    _wait_for(process, lambda: len(ProcessTree.of(process.pid).matching("multiprocessing.spawn").processes) == 2,
              "two workers")  # fmt: skip
    before = _frozen_mid_batch(process, out)
    tree = ProcessTree.of(process.pid)
    _kill_and_expect_no_survivors(process, tree)

    assert _day_files(out) == before, "a worker wrote files after its parent was killed"
    assert [p for p in out.rglob("*") if is_temp_file(p)] == [], "temporary files left behind"

    resumed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    recorded = json.loads((out / "_manifest.json").read_text())["partitions"]
    assert Counter(key.split("/")[0] for key in recorded)["facts"] == DAYS * PER_DAY_TABLES
    assert all(len(files) == PER_DAY_TABLES for files in _day_files(out).values())
