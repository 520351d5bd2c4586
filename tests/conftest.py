"""Shared fixtures: the real Kafka broker, per-test topic prefixes, PostgreSQL, and markers by folder.

The broker comes from ``HOTLINE_TEST_KAFKA_BOOTSTRAP`` (``./dev test`` and CI start one), or
else a private broker is started for the session from ``deploy.localkafka``. PostgreSQL likewise
comes from ``HOTLINE_TEST_POSTGRES_URL``, or else a private cluster from ``deploy.localpostgres``.
With ``CI=true`` a missing service fails the run; elsewhere tests that need it are skipped with
the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import triage  # noqa: F401 (first: it pins OpenBLAS's kernels before anything loads NumPy, triage.blas)
from contracts import Topic
from deploy.localimap import Dovecot
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from services.runtime.provision import provision
from services.runtime.structured_logging import remove_service_logging

if TYPE_CHECKING:
    from tests.reporting_world import WorldFactory

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_FOLDER_MARKERS = {"unit": "unit", "integration": "kafka", "e2e": "e2e"}
# An integration test marked with one of these needs that service, not the Kafka broker.
_OTHER_SERVICE_MARKERS = ("postgres", "tool", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        marker = _FOLDER_MARKERS.get(folder)
        if marker == "kafka" and any(item.get_closest_marker(m) for m in _OTHER_SERVICE_MARKERS):
            continue
        if marker and not item.get_closest_marker(marker):
            item.add_marker(marker)


def _reachable(bootstrap: str) -> bool:
    host, _, port = bootstrap.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            return True
    except OSError:
        return False


def unavailable(reason: str, service: str = "a real Kafka broker") -> None:
    """Fail in CI, skip elsewhere: a real service or tool the test needs is missing."""
    _unavailable(reason, service)


@pytest.fixture(autouse=True)
def _no_service_logging_left_behind() -> Iterator[None]:
    """A command or service run in-process puts the services' JSON handler on the root logger, bound
    to the stderr of that moment (a test's capture, closed after it): take it off after each test,
    with the level it set, so that no later log line is written to a closed file."""
    level = logging.getLogger().level
    yield
    remove_service_logging()
    logging.getLogger().setLevel(level)


def _unavailable(reason: str, service: str = "a real Kafka broker") -> None:
    if IN_CI:
        pytest.fail(f"CI needs {service}: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("HOTLINE_TEST_KAFKA_BOOTSTRAP")
    if given:
        if not _reachable(given):
            _unavailable(f"HOTLINE_TEST_KAFKA_BOOTSTRAP={given} is not reachable")
        yield given
        return
    from deploy.localkafka import Broker, LocalKafkaError

    broker = Broker(state_dir=tmp_path_factory.mktemp("kafka"), port=0)
    try:
        bootstrap = broker.start()
    except LocalKafkaError as error:
        _unavailable(f"cannot start a local Kafka broker: {error}")
        raise
    try:
        yield bootstrap
    finally:
        broker.stop()


@pytest.fixture
def topic_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture
def kafka_settings(kafka_bootstrap: str, topic_prefix: str) -> RuntimeSettings:
    return RuntimeSettings(kafka_bootstrap=kafka_bootstrap, topic_prefix=topic_prefix,
                           environment="test", kafka_request_timeout_ms=15_000)


@pytest.fixture
async def topics(kafka_settings: RuntimeSettings) -> AsyncIterator[RuntimeSettings]:
    """Every registry topic, created under this test's own prefix."""
    reports = await provision(kafka_settings, create=True, topics=tuple(Topic))
    assert all(r.status == "created" for r in reports), reports
    return kafka_settings


@pytest.fixture
async def publisher(topics: RuntimeSettings) -> AsyncIterator[KafkaPublisher]:
    """The runtime's publisher, started on this test's topics and stopped after it."""
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("test")) as kafka:
        yield kafka


async def wait_for(predicate, *, timeout: float = 20.0, interval: float = 0.05, what: str = "condition"):  # type: ignore[no-untyped-def]
    """Poll ``predicate`` (sync or async) until truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A real Dovecot of the test's own on loopback (Debian's dovecot-imapd; ./dev setup installs it)."""
    server = Dovecot().start()
    yield server
    server.remove()


@pytest.fixture
def make_world(tmp_path: Path) -> Iterator[WorldFactory]:
    """A reporting ledger with one report resolved to a chain of contacts (tests/reporting_world.py),
    shared by the unit tests of its HTTP face and the integration tests of its courier."""
    from tests.reporting_world import worlds

    yield from worlds(tmp_path)


def _psycopg_conninfo(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """SQLAlchemy URL of one PostgreSQL for the session, as a role that may create databases.

    ``HOTLINE_TEST_POSTGRES_URL`` if set, else a private throwaway cluster (Debian's postgresql).
    """
    given = os.environ.get("HOTLINE_TEST_POSTGRES_URL")
    if given:
        import psycopg
        from sqlalchemy.engine import make_url

        shown = make_url(given).render_as_string(hide_password=True)
        try:
            psycopg.connect(_psycopg_conninfo(given), connect_timeout=5).close()
        except psycopg.Error as error:
            _unavailable(f"HOTLINE_TEST_POSTGRES_URL={shown} is not reachable: {error}",
                         "a real PostgreSQL server")
        yield given
        return
    from deploy.localpostgres import LocalPostgresError, Postgres, PostgresMissing

    server = Postgres()
    try:
        server.start()
    except LocalPostgresError as error:
        server.remove()
        if isinstance(error, PostgresMissing):
            _unavailable(str(error), "a real PostgreSQL server")
        raise
    try:
        yield server.url
    finally:
        server.remove()


@contextlib.contextmanager
def fresh_database(postgres_server: str, prefix: str = "t") -> Iterator[str]:
    """SQLAlchemy URL of a new, empty database on ``postgres_server``; dropped afterwards."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_psycopg_conninfo(postgres_server), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    # Best effort: FORCE ends the sessions a test's engine may still hold open.
    with (contextlib.suppress(psycopg.Error),
          psycopg.connect(_psycopg_conninfo(postgres_server), autocommit=True) as admin):
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """SQLAlchemy URL of a new, empty database of this test's own; dropped afterwards."""
    with fresh_database(postgres_server) as url:
        yield url
