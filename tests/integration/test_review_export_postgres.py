"""The export tests of ``tests/unit/test_review_export.py``, on real PostgreSQL (row locks, the
audit chain's advisory lock, jsonb read back into the archive)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.review.db import SCHEMA, Database
from tests.databases import migrated
from tests.unit import test_review_export as suite

pytestmark = pytest.mark.postgres

for _name in dir(suite):
    if _name.startswith("test_"):
        globals()[_name] = getattr(suite, _name)
clock = suite.clock
store = suite.store
exports = suite.exports


@pytest.fixture
def db(postgres_url: str) -> Iterator[Database]:
    yield from migrated(SCHEMA, postgres_url)
