"""``CaseStore.apply_batch`` on SQLite: a poll's records in one transaction give the cases one by one
gives, apply each event once, and apply nothing when one record fails."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from contracts.events import PhoneSource, RelatedSignal, SignalReceived, Urgency
from services.review.case_batch import SignalBatch
from services.review.cases import CaseStore, Streamed
from services.review.db import Database, migrate
from services.review.models import Case, Signal
from tests import review_mixed
from tests.unit.test_review_cases import Clock, _triaged_for, received

pytestmark = pytest.mark.unit


def store_at(path: Path) -> tuple[CaseStore, Database]:
    url = f"sqlite:///{path}"
    migrate(url)
    db = Database(url)
    return CaseStore(db, urgent_ack=timedelta(minutes=5), now=Clock()), db


def grouping(db: Database) -> dict[str, Any]:
    """Which signals each case holds, with its status and urgency."""
    with db.read() as session:
        return {c.reference_number: (c.status, c.urgency, c.version, sorted(
            str(s.signal_id) for s in session.scalars(select(Signal).where(Signal.case_id == c.id))))
            for c in session.scalars(select(Case))}


def related_signals() -> list[SignalReceived]:
    """A tip and its follow-up, and a call's two fragments: each pair is one case."""
    tip = received(narrative="Workers locked in at night.")
    follow_up = received(narrative="More: the van is white.",
                         related=RelatedSignal(relation="follow_up", reference_number=tip.reference_number))
    call = PhoneSource(call_id="CA555", fragment="call_record", system="twilio")
    record = received(channel="phone", source=call, narrative="")
    report = received(channel="phone", narrative="Caller says two people sleep at the shop.",
                      source=call.model_copy(update={"fragment": "specialist_report"}))
    return [tip, follow_up, record, report, received(narrative="A third, unrelated tip.")]


def test_a_batch_groups_signals_as_one_by_one_does(tmp_path: Path) -> None:
    signals = related_signals()
    triages = [_triaged_for(s, urgency=Urgency.P2_SAME_DAY) for s in signals[:3]]
    single, single_db = store_at(tmp_path / "single.sqlite3")
    batch, batch_db = store_at(tmp_path / "batch.sqlite3")
    try:
        for i, signal in enumerate(signals):
            single.apply_received(f"r{i}", signal)
        for i, triage in enumerate(triages):
            single.apply_triaged(f"t{i}", triage)
        received_batch: Sequence[tuple[str, Streamed]] = [(f"r{i}", s) for i, s in enumerate(signals)]
        changes = batch.apply_batch("signals.received", received_batch)
        assert [c is not None and c.created for c in changes] == [True, False, True, False, True]
        batch.apply_batch("signals.triaged", [(f"t{i}", t) for i, t in enumerate(triages)])
        assert grouping(batch_db) == grouping(single_db)
        assert len(grouping(batch_db)) == 3
    finally:
        single_db.dispose()
        batch_db.dispose()


def test_duplicates_in_a_batch_and_events_applied_before_change_nothing(tmp_path: Path) -> None:
    store, db = store_at(tmp_path / "review.sqlite3")
    try:
        a, b = received(), received()
        store.apply_received("a", a)
        before = grouping(db)
        changes = store.apply_batch("signals.received", [("a", a), ("b", b), ("b", b), ("a", a)])
        assert [c is not None for c in changes] == [False, True, False, False]
        after = grouping(db)
        assert after[a.reference_number] == before[a.reference_number]
        assert set(after) == {a.reference_number, b.reference_number}
        with db.engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM applied_events")).scalar_one() == 2
    finally:
        db.dispose()


def test_a_record_that_fails_leaves_the_whole_batch_unapplied(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    store, db = store_at(tmp_path / "review.sqlite3")
    try:
        good, bad = received(), received()
        real = SignalBatch._received

        def failing(batch: SignalBatch, signal: SignalReceived) -> Any:
            if signal.signal_id == bad.signal_id:
                raise ValueError("a store that refuses this one")
            return real(batch, signal)

        monkeypatch.setattr(SignalBatch, "_received", failing)
        with pytest.raises(ValueError, match="refuses"):
            store.apply_batch("signals.received", [("good", good), ("bad", bad)])
        assert grouping(db) == {}
        # Applied alone afterwards (the consumer loop's fallback), the good one still applies.
        assert store.apply_received("good", good) is not None
        with db.engine.connect() as c:
            assert c.execute(text("SELECT event_id FROM applied_events")).scalars().all() == ["good"]
    finally:
        db.dispose()


def test_a_mixed_stretch_in_batches_leaves_the_store_one_by_one_leaves(tmp_path: Path) -> None:
    stretch = review_mixed.phases()
    single, single_db = store_at(tmp_path / "single.sqlite3")
    batch, batch_db = store_at(tmp_path / "batch.sqlite3")
    try:
        review_mixed.one_by_one(single, stretch)
        review_mixed.in_batches(batch, stretch)
        expected, got = review_mixed.state(single_db), review_mixed.state(batch_db)
        for table in expected:
            assert got[table] == expected[table], table
        # The stretch did reach every path: a move, links, an obligation, attachments (one on a signal
        # its triage stored first), urgency.
        assert any(row[2] == "merged" for row in got["cases"])
        assert len(got["links"]) == 4 and len(got["attachments"]) == 2 and got["obligations"]
        assert {row[4] for row in got["cases"]} >= {"1", "2", "3"}
    finally:
        single_db.dispose()
        batch_db.dispose()
