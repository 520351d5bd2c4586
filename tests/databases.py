"""Test databases: a service's schema migrated at a URL (a fresh SQLite file, a test's PostgreSQL
database), disposed of when the fixture that opened it ends; and a unit suite run again on PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from services.runtime.sql import Database, Schema


def migrated(schema: Schema, url: str) -> Iterator[Database]:
    """For a fixture to ``yield from``: ``schema`` migrated at ``url``, then the database."""
    schema.migrate(url)
    database = Database(url)
    yield database
    database.dispose()


def migrated_file(schema: Schema, folder: Path) -> Path:
    """A SQLite file with ``schema`` migrated, to copy for each test (migrating every time is slow)."""
    path = folder / "migrated.sqlite3"
    schema.migrate(f"sqlite:///{path}")
    return path


def copy_of(template: Path, folder: Path) -> Iterator[Database]:
    """For a fixture to ``yield from``: a copy of a migrated SQLite file in ``folder``, then the database."""
    path = folder / template.name
    shutil.copy(template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


def on_postgres(suite: ModuleType, into: dict[str, Any], schema: Schema, *fixtures: str) -> None:
    """Collect ``suite``'s tests and the named fixtures again in the module whose globals are ``into``,
    with a ``db`` fixture of its own: ``schema`` migrated in the test's PostgreSQL database."""
    for name in dir(suite):
        if name.startswith("test_") or name in fixtures:
            into[name] = getattr(suite, name)

    @pytest.fixture
    def db(postgres_url: str) -> Iterator[Database]:
        yield from migrated(schema, postgres_url)

    into["db"] = db


def sqlite_db(schema: Schema) -> Any:
    """A ``db`` fixture: ``schema`` migrated in a SQLite file of the test's own."""

    @pytest.fixture
    def db(tmp_path: Path) -> Iterator[Database]:
        yield from migrated(schema, f"sqlite:///{tmp_path / 'test.sqlite3'}")

    return db


def copied_sqlite_db(schema: Schema) -> tuple[Any, Any]:
    """The ``migrated_template`` and ``db`` fixtures: ``schema`` migrated once per module into a file,
    and a copy of it for each test (migrating every time is slow)."""

    @pytest.fixture(scope="module")
    def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
        return migrated_file(schema, tmp_path_factory.mktemp("schema"))

    @pytest.fixture
    def db(migrated_template: Path, tmp_path: Path) -> Iterator[Database]:
        yield from copy_of(migrated_template, tmp_path)

    return migrated_template, db
