"""The case-store and decision tests of ``tests/unit/test_review_cases.py``, on real PostgreSQL.

The same behaviour suite runs on SQLite (the local default) in the unit tests; here the database
is the one production uses, with its triggers, row locks and ON CONFLICT.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.review.db import SCHEMA, Database
from tests.databases import migrated
from tests.unit import test_review_cases as suite

pytestmark = pytest.mark.postgres

for _name in dir(suite):
    if _name.startswith("test_"):
        globals()[_name] = getattr(suite, _name)
clock = suite.clock
store = suite.store
decisions = suite.decisions


@pytest.fixture
def db(postgres_url: str) -> Iterator[Database]:
    yield from migrated(SCHEMA, postgres_url)
