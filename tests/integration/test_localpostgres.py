"""The private PostgreSQL cluster of deploy.localpostgres, and the per-test database fixture on top of it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from deploy.localpostgres import LocalPostgresError, Postgres, main
from deploy.ports import port_open

pytestmark = pytest.mark.postgres


def _query(url: str, statement: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.fixture
def cluster(postgres_server: str) -> Iterator[Postgres]:
    """A cluster of the test's own, not started (``postgres_server`` only to skip or fail alike)."""
    server = Postgres()
    yield server
    server.remove()


def test_start_serves_its_database_and_stop_ends_the_server(cluster: Postgres) -> None:
    cluster.start()
    assert cluster.running() and cluster.url.endswith(f"@127.0.0.1:{cluster.port}/hotline")
    assert _query(cluster.url, "SELECT current_user, current_database(), current_setting('fsync')") == [
        ("hotline", "hotline", "off")]
    cluster.stop()
    assert not cluster.running() and not port_open(cluster.port)
    assert (cluster.data_dir / "PG_VERSION").exists()


def test_databases_created_for_two_tests_are_independent(cluster: Postgres) -> None:
    cluster.start()
    first, second = cluster.create_database("case_a"), cluster.create_database("case_b")
    _query(first, "CREATE TABLE tips (id int PRIMARY KEY); INSERT INTO tips VALUES (1)")
    assert _query(first, "SELECT id FROM tips") == [(1,)]
    assert _query(second, "SELECT to_regclass('tips')") == [(None,)]
    engine = create_engine(first, poolclass=NullPool)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        cluster.drop_database("case_a")  # a session still open does not keep it from being dropped
        with pytest.raises(OperationalError):
            connection.execute(text("SELECT 1"))
    engine.dispose()
    assert _query(cluster.url, "SELECT datname FROM pg_database WHERE datname LIKE 'case_%'") == [
        ("case_b",)]


def test_a_durable_cluster_keeps_its_data_across_a_restart(postgres_server: str) -> None:
    server = Postgres(durable=True)
    try:
        server.start()
        url = server.url
        assert _query(url, "SHOW fsync") == [("on",)]
        _query(url, "CREATE TABLE tips (summary text); INSERT INTO tips VALUES ('Señal: nail salon')")
        server.stop()
        again = Postgres(directory=server.directory, durable=True).start()  # port 0: the one used before
        assert again.url == url
        assert _query(url, "SELECT summary FROM tips") == [("Señal: nail salon",)]
    finally:
        server.remove()


def test_a_port_in_use_is_refused_with_a_clear_error(cluster: Postgres) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        cluster.port = listener.getsockname()[1]
        with pytest.raises(LocalPostgresError, match=f"port {cluster.port} on 127.0.0.1 is already in use"):
            cluster.start()
    assert not cluster.data_dir.exists()


def test_a_failed_start_says_why_from_the_server_log_and_leaves_nothing_running(cluster: Postgres) -> None:
    with socket.socket() as holder:  # bound but not listening: only the server's own bind finds out
        holder.bind(("127.0.0.1", 0))
        cluster.port = holder.getsockname()[1]
        with pytest.raises(LocalPostgresError, match="Address already in use"):
            cluster.start()
    assert not cluster.running()


def test_the_command_line_starts_reports_and_stops(cluster: Postgres,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    directory = str(cluster.directory)
    assert main(["start", "--dir", directory]) == 0
    url = capsys.readouterr().out.split()[0].removeprefix("url=")
    assert _query(url, "SELECT current_database()") == [("hotline",)]
    assert main(["status", "--dir", directory]) == 0
    assert capsys.readouterr().out.startswith(f"url={url} ")
    assert main(["stop", "--dir", directory]) == 0
    assert main(["status", "--dir", directory]) == 3


def test_postgres_url_is_an_empty_database_of_the_tests_own(postgres_url: str) -> None:
    [(name, tables)] = _query(
        postgres_url, "SELECT current_database(), count(*) FROM pg_tables WHERE schemaname = 'public'")
    assert name.startswith("t_") and tables == 0
    _query(postgres_url, "CREATE TABLE cases (id int)")
