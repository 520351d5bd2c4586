"""Test databases: a service's schema migrated at a URL (a fresh SQLite file, a test's PostgreSQL
schema), and the database disposed of when the fixture that opened it ends."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

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
