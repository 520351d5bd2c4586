"""The mandatory-report obligation tests of ``tests/unit/test_review_obligations.py``, on real
PostgreSQL: the database production uses, with its row locks, ON CONFLICT and JSON columns."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.review.db import SCHEMA, Database
from tests.databases import migrated
from tests.unit import test_review_obligations as suite

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
