"""The case-store and decision tests of ``tests/unit/test_review_cases.py``, on real PostgreSQL.

The same behaviour suite runs on SQLite (the local default) in the unit tests; here the database
is the one production uses, with its triggers, row locks and ON CONFLICT.
"""

from __future__ import annotations

import pytest

from services.review.db import SCHEMA
from services.runtime.sql import Database
from tests.databases import on_postgres
from tests.unit import test_review_cases as suite

pytestmark = pytest.mark.postgres

on_postgres(suite, globals(), SCHEMA, "clock", "store", "decisions")


def test_the_database_under_the_suite_is_postgresql(db: Database) -> None:
    # The suite's tests are collected again above with this module's ``db``: were that fixture lost,
    # the case store would run on SQLite a second time and this file would prove nothing.
    assert db.is_postgres
