"""The relational stores' shared plumbing: engines, sessions, UTC times, Alembic migrations, locks.

Each service that keeps a database (review's case store, reporting's delivery ledger) owns its
models and migrations; this is only how they are run. PostgreSQL in production and tests, a SQLite
file as the local default (WAL, foreign keys, full fsync).

Several replicas share one PostgreSQL database, so what must happen once at a time takes an
advisory lock (``advisory_lock``): migrations at start (every replica runs them, one after the
other; the later ones find the schema at head) and review's SLA clock. SQLite is one process's
store (the local default), where the lock is always granted.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import JSON, DateTime, Engine, MetaData, Uuid, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on PostgreSQL (timestamptz) and SQLite (which drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def type_annotation_map() -> dict[Any, Any]:
    """What the services' declarative bases map Python annotations to."""
    return {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime(), uuid.UUID: Uuid}


def make_engine(url: str, *, pool_size: int = 10, **options: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and full fsync (the local default)."""
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **options)

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size, **options)


def alembic_config(url: str, migrations: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, migrations: Path, revision: str = "head") -> None:
    """Bring the schema to ``revision``; idempotent, safe to run at every start."""
    command.upgrade(alembic_config(url, migrations), revision)


@dataclass(frozen=True)
class Schema:
    """One service's migrations, bound once in its ``db`` module, so callers name a URL only."""

    migrations: Path

    def alembic_config(self, url: str) -> Config:
        return alembic_config(url, self.migrations)

    def migrate(self, url: str, revision: str = "head") -> None:
        """Bring the schema to ``revision``; idempotent, safe to run at every start."""
        migrate(url, self.migrations, revision)


MIGRATIONS_LOCK = "hotline.schema-migrations"


def advisory_key(name: str) -> int:
    """The 64-bit key of a named PostgreSQL advisory lock (stable across processes and versions)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def advisory_lock(engine: Engine, name: str, *, wait: bool = True) -> Iterator[bool]:
    """Hold the named advisory lock on a connection of its own while the block runs.

    Yields True when held: at once or after waiting (``wait``), or False when another session holds
    it (``wait=False``). A session lock, not a transaction's, so the block may run any number of
    transactions of its own; if the process dies, its connection closes and PostgreSQL frees the
    lock. On SQLite (one process) it is always held.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = advisory_key(name)
    with engine.connect() as connection:
        if wait:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            held = True
        else:
            held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        connection.commit()  # no transaction left open while the block runs
        try:
            yield held
        finally:
            if held:
                _unlock(connection, key)


def _unlock(connection: Connection, key: int) -> None:
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        connection.commit()
    except SQLAlchemyError:
        # The server went away (the lock went with the session), or the unlock failed on a live
        # session: never return a connection that may still hold the lock to the pool.
        with contextlib.suppress(SQLAlchemyError):
            connection.invalidate()


def run_alembic_env(metadata: MetaData) -> None:
    """The body of a service's ``migrations/env.py``: the URL comes from ``alembic_config``."""
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("the Alembic configuration names no sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url)
    # Replicas started together (review, reporting) each migrate at start: one at a time, so the
    # later ones find the schema at head instead of failing on tables the first is creating.
    # The lock is the connection's session lock: it goes when the connection closes, or the process dies.
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": advisory_key(MIGRATIONS_LOCK)})
            connection.commit()  # Alembic begins its own transaction on this connection
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def insert_or_ignore(session: Session, model: type[Any],
                     values: Mapping[str, Any] | Sequence[Mapping[str, Any]], *,
                     index_elements: Sequence[str] | None = None) -> postgresql.Insert | sqlite.Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the session's dialect (PostgreSQL or SQLite).

    One statement rather than a look-up then an insert: two replicas, or a redelivered event,
    inserting the same key at once keep one row and neither transaction fails. The caller may add
    ``.returning(...)`` to learn whether its row was the one written.
    """
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model).values(values).on_conflict_do_nothing(index_elements=index_elements)
    return sqlite.insert(model).values(values).on_conflict_do_nothing(index_elements=index_elements)


class Database:
    """The engine and a session factory; ``transaction()`` is one unit of work."""

    def __init__(self, url: str, *, pool_size: int = 10, **options: Any) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size, **options)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
