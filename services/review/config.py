"""Settings of the review service."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from services.runtime import RuntimeSettings


class ReviewSettings(RuntimeSettings):
    # The embedded default; the review issue moves the case store to SQLAlchemy + PostgreSQL.
    review_db: Path = Path(".local/review.sqlite3")
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8082, ge=0, le=65535)
