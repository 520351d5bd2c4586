"""The ledger erasure tests of ``tests/unit/test_reporting_erasure.py``, on real PostgreSQL."""

from __future__ import annotations

import pytest

from tests.unit import test_reporting_erasure as suite

pytestmark = pytest.mark.postgres

for _name in dir(suite):
    if _name.startswith("test_"):
        globals()[_name] = getattr(suite, _name)
db = suite.db


@pytest.fixture
def db_url(postgres_url: str) -> str:
    return postgres_url
