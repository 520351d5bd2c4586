"""The export tests of ``tests/unit/test_review_export.py``, on real PostgreSQL (row locks, the
audit chain's advisory lock, jsonb read back into the archive)."""

from __future__ import annotations

import pytest

from services.review.db import SCHEMA
from tests.databases import on_postgres
from tests.unit import test_review_export as suite

pytestmark = pytest.mark.postgres

on_postgres(suite, globals(), SCHEMA, "clock", "store", "exports")
