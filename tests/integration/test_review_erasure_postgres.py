"""The erasure tests of ``tests/unit/test_review_erasure.py``, on real PostgreSQL (row locks, jsonb)."""

from __future__ import annotations

import pytest

from services.review.db import SCHEMA
from tests.databases import on_postgres
from tests.unit import test_review_erasure as suite

pytestmark = pytest.mark.postgres

on_postgres(suite, globals(), SCHEMA, "clock", "store", "erasures")
