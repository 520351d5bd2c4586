"""The ledger erasure tests of ``tests/unit/test_reporting_erasure.py``, on real PostgreSQL."""

from __future__ import annotations

import pytest

from services.runtime.sql import Database
from tests.unit import test_reporting_erasure as suite

pytestmark = pytest.mark.postgres

for _name in dir(suite):
    if _name.startswith("test_"):
        globals()[_name] = getattr(suite, _name)
db = suite.db


@pytest.fixture
def db_url(postgres_url: str) -> str:
    return postgres_url


def test_the_database_under_the_suite_is_postgresql(db: Database) -> None:
    # The suite's tests are collected again above with this module's ``db``: were that fixture lost,
    # the ledger erasure suite would run on SQLite a second time and this file would prove nothing.
    assert db.is_postgres
