"""The case store's database: the shared plumbing (`services.runtime.sql`) with this service's migrations."""

from __future__ import annotations

from pathlib import Path

from services.runtime.sql import Database, Schema

__all__ = ["MIGRATIONS", "SCHEMA", "Database", "alembic_config", "migrate"]

SCHEMA = Schema(Path(__file__).parent / "migrations")
MIGRATIONS = SCHEMA.migrations
alembic_config = SCHEMA.alembic_config
migrate = SCHEMA.migrate
