"""The retention purge and legal-hold tests of ``tests/unit/test_review_retention.py``, on real
PostgreSQL: the database production uses, with its row locks, JSON columns and the audit chain's lock."""

from __future__ import annotations

import pytest

from services.review.db import SCHEMA
from services.runtime.sql import Database
from tests.databases import on_postgres
from tests.unit import test_review_retention as suite

pytestmark = pytest.mark.postgres

on_postgres(suite, globals(), SCHEMA, "clock", "blobs", "store", "decisions", "purge")


def test_the_database_under_the_suite_is_postgresql(db: Database) -> None:
    # The suite's tests are collected again above with this module's ``db``: were that fixture lost,
    # the suite would run on SQLite a second time and this file would prove nothing.
    assert db.is_postgres
