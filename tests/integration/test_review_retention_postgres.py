"""The retention purge and legal-hold tests of ``tests/unit/test_review_retention.py``, on real
PostgreSQL: the database production uses, with its row locks, JSON columns and the audit chain's lock."""

from __future__ import annotations

import pytest

from services.review.db import SCHEMA
from tests.databases import on_postgres
from tests.unit import test_review_retention as suite

pytestmark = pytest.mark.postgres

on_postgres(suite, globals(), SCHEMA, "clock", "blobs", "store", "decisions", "purge")
