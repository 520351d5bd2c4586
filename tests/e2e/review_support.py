"""Setting up the review app's database for a test: schema, staff accounts, API tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.review.auth import Auth, Role
from services.review.db import Database, migrate

PASSWORD = "correct horse battery staple"


def provision_review(url: str, *users: tuple[str, Role]) -> dict[str, str]:
    """Migrate ``url``, create ``users`` (password ``PASSWORD``) and an API token for each."""
    migrate(url)
    db = Database(url)
    try:
        auth = Auth(db, session_ttl=timedelta(hours=1), cookie_secure=False, now=lambda: datetime.now(UTC))
        tokens = {}
        for username, role in users:
            auth.create_user(username, username.title(), role, None if role is Role.SERVICE else PASSWORD)
            tokens[username] = auth.create_token(username, "tests")
        return tokens
    finally:
        db.dispose()
