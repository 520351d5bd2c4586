"""The delivery ledger's database: the shared plumbing (`services.runtime.sql`), this service's migrations."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config

from services.runtime import sql
from services.runtime.sql import Database

__all__ = ["MIGRATIONS", "Database", "alembic_config", "migrate"]

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    return sql.alembic_config(url, MIGRATIONS)


def migrate(url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision``; idempotent, safe to run at every start."""
    sql.migrate(url, MIGRATIONS, revision)
