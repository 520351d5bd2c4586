"""The delivery ledger's retention purge tests (``tests/unit/test_reporting_retention.py``) on real
PostgreSQL, with its row locks and JSON columns."""

from __future__ import annotations

import pytest

from services.reporting.db import SCHEMA, Database
from tests.databases import on_postgres
from tests.unit import test_reporting_retention as suite

pytestmark = pytest.mark.postgres

on_postgres(suite, globals(), SCHEMA, "clock", "purge")


def test_one_replica_purges_at_a_time(db: Database, clock: suite.Clock, purge: suite.LedgerPurge) -> None:
    import asyncio
    from datetime import timedelta

    from services.reporting.retention import PURGE_LOCK, purge_once
    from services.runtime.sql import advisory_lock

    signal_id = suite.a_signal(db, clock)
    clock.now = suite.T0 + timedelta(days=4000)
    stop = asyncio.Event()
    with advisory_lock(db.engine, PURGE_LOCK) as held:  # another replica's run
        assert held
        assert purge_once(purge, stop) is None
    assert suite.content(db, signal_id)[0].narrative == suite.WORDS
    result = purge_once(purge, stop)
    assert result is not None and result.signals == 1
    assert suite.content(db, signal_id)[0].narrative == ""
