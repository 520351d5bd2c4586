"""The delivery ledger's retention purge tests (``tests/unit/test_reporting_retention.py``) on real
PostgreSQL, with its row locks and JSON columns."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.reporting.db import Database, migrate
from tests.unit import test_reporting_retention as suite

pytestmark = pytest.mark.postgres

for _name in dir(suite):
    if _name.startswith("test_"):
        globals()[_name] = getattr(suite, _name)
clock = suite.clock
purge = suite.purge


@pytest.fixture
def db(postgres_url: str) -> Iterator[Database]:
    migrate(postgres_url)
    database = Database(postgres_url)
    yield database
    database.dispose()
