"""The export tests of ``tests/unit/test_review_export.py``, on real PostgreSQL (row locks, the
audit chain's advisory lock, jsonb read back into the archive)."""

from __future__ import annotations

import pytest

from services.review.db import SCHEMA
from services.runtime.sql import Database
from tests.databases import on_postgres
from tests.unit import test_review_export as suite

pytestmark = pytest.mark.postgres

on_postgres(suite, globals(), SCHEMA, "clock", "store", "exports")


def test_the_database_under_the_suite_is_postgresql(db: Database) -> None:
    # The suite's tests are collected again above with this module's ``db``: were that fixture lost,
    # the suite would run on SQLite a second time and this file would prove nothing.
    assert db.is_postgres
