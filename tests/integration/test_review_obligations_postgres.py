"""The mandatory-report obligation tests of ``tests/unit/test_review_obligations.py``, on real
PostgreSQL: the database production uses, with its row locks, ON CONFLICT and JSON columns."""

from __future__ import annotations

import pytest

from services.review.db import SCHEMA
from tests.databases import on_postgres
from tests.unit import test_review_obligations as suite

pytestmark = pytest.mark.postgres

on_postgres(suite, globals(), SCHEMA, "clock", "store", "decisions")
