"""The retention purge of the case store and legal holds: content leaves closed cases on schedule,
statistics stay as they were, a held case stays whole, every purge is in the audit chain, and the
blob store loses the files.

On SQLite here; ``tests/integration/test_review_retention_postgres.py`` runs the same on PostgreSQL.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from contracts.events import (
    AttachmentRef,
    Channel,
    ContactDetails,
    DeclaredFacts,
    EmailSource,
    Evidence,
    Flag,
    FlagName,
    Location,
    Reporter,
    SafeContact,
    SignalReceived,
    Victim,
)
from contracts.reference_numbers import reference_for
from services.review import audit
from services.review.cases import CaseStore
from services.review.db import SCHEMA, Database
from services.review.decisions import Actor, Decisions
from services.review.holds import HoldError, Holds
from services.review.models import Attachment, AuditEntry, Case, CasePurge, Signal
from services.review.purge import Purge
from services.runtime.blobs import BlobStore
from services.runtime.retention import DEFAULT_DAYS, DataClass, Schedule
from tests import builders
from tests.databases import sqlite_db
from tests.manual_clock import ManualClock

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
ALICE = Actor("alice", "supervisor")
NARRATIVE = "Maria at 14 Elm Street is kept in the back room; call me on 555-0142."


class Clock(ManualClock):
    start = NOW


@pytest.fixture
def clock() -> Clock:
    return Clock()


db = sqlite_db(SCHEMA)


@pytest.fixture
def blobs(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs")


@pytest.fixture
def store(db: Database, clock: Clock) -> CaseStore:
    return CaseStore(db, urgent_ack=timedelta(minutes=5), now=clock)


@pytest.fixture
def decisions(db: Database, clock: Clock) -> Decisions:
    return Decisions(db, now=clock, claim_ttl=timedelta(minutes=30))


@pytest.fixture
def purge(db: Database, blobs: BlobStore, clock: Clock) -> Purge:
    return Purge(db, Schedule.from_days(DEFAULT_DAYS), [blobs.root], now=clock, batch=2)


def a_case(store: CaseStore, blobs: BlobStore, *, photo: bytes = b"\xff\xd8 photo of the house",
           state: str = "TX", email: bool = False) -> uuid.UUID:
    """A case whose one signal carries every class of content."""
    photo_sha = blobs.put(photo)
    overrides: dict[str, Any] = {}
    if email:
        raw_sha = blobs.put(b"From: tipster@example.org\r\n\r\n" + NARRATIVE.encode())
        overrides = {"channel": Channel.EMAIL, "dedup_key": f"email:none:{raw_sha[:40]}",
                     "source": EmailSource(mailbox="INBOX", uidvalidity=1, uid=7,
                                           message_id="<tip-1@example.org>", raw_sha256=raw_sha)}
    signal: SignalReceived = builders.received(
        received_at=NOW - timedelta(days=2), narrative=NARRATIVE, subject="Please help Maria",
        reporter=Reporter(anonymous=False, consent_to_contact=True,
                          contact=ContactDetails(name="Pat Example", phone="+1 555 0142",
                                                 email="pat@example.org"),
                          safe_contact=SafeContact(safe_times="after 6pm",
                                                   instructions="say it is the pharmacy")),
        facts=DeclaredFacts(victims=[Victim(age=30)], location=Location(state=state, city="Dallas",
                                                                        zip_code="75201",
                                                                        description="blue door")),
        attachments=[AttachmentRef(sha256=photo_sha, media_type="image/jpeg", size_bytes=len(photo),
                                   filename="maria.jpg")], **overrides)
    signal = signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"test")})
    store.apply_received(f"r-{signal.signal_id}", signal)
    danger = Flag(name=FlagName.IMMINENT_DANGER, raised=True, evidence=[
        Evidence(rule_id="danger.confined", origin="text", start=0, end=5, matched_text="Maria")])
    change = store.apply_triaged(f"t-{signal.signal_id}", builders.triaged(
        signal_id=signal.signal_id, reference_number=signal.reference_number, channel=signal.channel,
        received_at=signal.received_at, flags=[danger]))
    assert change is not None
    return change.case_id


def close(decisions: Decisions, case_id: uuid.UUID) -> None:
    decisions.claim(case_id, ALICE)
    decisions.close(case_id, ALICE, "referred")


def statistics(db: Database) -> Counter[tuple[Any, ...]]:
    """What the public statistics count: cases by call type, trafficking type, state, month and
    flags; signals by channel, urgency and triage's call type; victims by age."""
    with db.read() as session:
        counts: Counter[tuple[Any, ...]] = Counter(
            ("case", c.call_type, c.trafficking_type, c.state, c.opened_at.strftime("%Y-%m"), c.minor,
             c.imminent_danger, c.urgency) for c in session.scalars(select(Case)))
        for s in session.scalars(select(Signal)):
            counts[("signal", s.channel, s.urgency, s.call_type, s.received_at.strftime("%Y-%m"))] += 1
            for victim in (s.facts or {}).get("victims", []):
                counts[("victim", victim.get("age"), (s.facts or {}).get("location", {}).get("state"))] += 1
    return counts


def signal_of(db: Database, case_id: uuid.UUID) -> Signal:
    with db.read() as session:
        signal = session.scalars(select(Signal).where(Signal.case_id == case_id)).one()
        session.expunge(signal)
        return signal


def purges_in_trail(db: Database) -> list[AuditEntry]:
    with db.read() as session:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "retention_purge")
                                    .order_by(AuditEntry.seq)))
        for row in rows:
            session.expunge(row)
        return rows


def test_a_closed_case_loses_its_content_past_every_period_and_statistics_stay_the_same(
        db: Database, store: CaseStore, decisions: Decisions, purge: Purge, blobs: BlobStore,
        clock: Clock) -> None:
    closed = a_case(store, blobs, email=True)
    still_open = a_case(store, blobs, photo=b"another photo", state="CA")
    close(decisions, closed)
    with db.read() as session:
        photo, raw = (session.scalars(select(Attachment.sha256).where(Attachment.case_id == closed)).one(),
                      session.get(Signal, signal_of(db, closed).signal_id).source["raw_sha256"])  # type: ignore[union-attr]
    before = statistics(db)

    clock.now = NOW + timedelta(days=3 * 365 + 1)
    result = purge.run()

    assert result.cases == 1 and not result.blocked
    gone = signal_of(db, closed)
    assert gone.narrative is None and gone.subject is None
    assert gone.reporter == {"role": "unknown", "anonymous": False, "consent_to_contact": True,
                             "consent_to_share": False, "preferred_language": None}
    assert gone.source is not None and gone.source["message_id"] is None
    assert gone.attachments == []
    assert gone.facts is not None and gone.facts["location"] == {"country": "US", "state": "TX"}
    stored = json.dumps([gone.reporter, gone.source, gone.facts, gone.triage])
    # Whole phrases: a bare "555" also turns up by chance inside the random identifiers stored here.
    for word in ("Maria", "Elm", "555-0142", "555 0142", "pat@example.org", "Pat", "pharmacy", "Dallas",
                 "blue door", "maria.jpg"):
        assert word not in stored
    assert not blobs.exists(photo) and not blobs.exists(raw)
    with db.read() as session:
        assert session.scalars(select(Attachment).where(Attachment.case_id == closed)).all() == []
        assert session.get(Case, closed).city is None  # type: ignore[union-attr]
    # The open case is untouched, its photo too.
    kept = signal_of(db, still_open)
    assert kept.narrative == NARRATIVE and kept.reporter and kept.reporter["contact"] is not None
    assert blobs.exists(kept.attachments[0]["sha256"])  # type: ignore[index]
    assert statistics(db) == before

    entries = purges_in_trail(db)
    assert sorted(e.detail["data_class"] for e in entries) == sorted(c.value for c in DataClass)
    assert {e.case_id for e in entries} == {closed} and {e.actor for e in entries} == {"retention"}
    assert all(NARRATIVE not in json.dumps(e.detail) and "Pat" not in json.dumps(e.detail) for e in entries)
    assert audit.verify(db).ok


def test_each_class_goes_on_its_own_day_and_a_second_run_changes_nothing(
        db: Database, store: CaseStore, decisions: Decisions, purge: Purge, blobs: BlobStore,
        clock: Clock) -> None:
    case_id = a_case(store, blobs)
    close(decisions, case_id)
    clock.now = NOW + timedelta(days=89)
    assert purge.run().cases == 0

    clock.now = NOW + timedelta(days=90)
    assert dict(purge.run().items) == {DataClass.CONTACT: 1}
    signal = signal_of(db, case_id)
    assert signal.narrative == NARRATIVE and signal.attachments
    assert "contact" not in (signal.reporter or {})

    clock.now = NOW + timedelta(days=365)
    assert set(purge.run().items) == {DataClass.ATTACHMENTS, DataClass.RAW_EMAIL}
    assert signal_of(db, case_id).narrative == NARRATIVE

    again = purge.run()
    assert again.cases == 0 and not again.items
    assert len(purges_in_trail(db)) == 3


def test_a_case_on_legal_hold_is_never_purged_and_is_once_released(
        db: Database, store: CaseStore, decisions: Decisions, purge: Purge, blobs: BlobStore,
        clock: Clock) -> None:
    case_id = a_case(store, blobs)
    close(decisions, case_id)
    reference = signal_of(db, case_id).reference_number
    holds = Holds(db, now=clock)
    holds.place(reference, by="alice", role="supervisor", reason="subpoena 2026-CV-0142")

    clock.now = NOW + timedelta(days=4000)
    result = purge.run()
    assert result.cases == 0 and result.held == 1
    assert signal_of(db, case_id).narrative == NARRATIVE
    assert purges_in_trail(db) == []

    holds.release(reference, by="alice", role="supervisor", reason="order lifted")
    assert purge.run().cases == 1
    assert signal_of(db, case_id).narrative is None
    with db.read() as session:
        actions = [(e.action, e.detail.get("reason")) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("legal_hold%")).order_by(AuditEntry.seq))]
    assert actions == [("legal_hold_placed", "subpoena 2026-CV-0142"),
                       ("legal_hold_released", "order lifted")]


def test_only_a_supervisor_places_a_hold_and_only_with_a_reason(
        db: Database, store: CaseStore, blobs: BlobStore, clock: Clock) -> None:
    reference = signal_of(db, a_case(store, blobs)).reference_number
    holds = Holds(db, now=clock)
    with pytest.raises(HoldError, match="supervisor"):
        holds.place(reference, by="ana", role="analyst", reason="court order")
    with pytest.raises(HoldError, match="reason"):
        holds.place(reference, by="alice", role="supervisor", reason="   ")
    with pytest.raises(HoldError, match="no case"):
        holds.place("HT-NONE-NONE", by="alice", role="supervisor", reason="court order")
    with pytest.raises(HoldError, match="not on legal hold"):
        holds.release(reference, by="alice", role="supervisor", reason="done")
    assert holds.all() == []


def test_a_dry_run_lists_what_would_go_and_changes_nothing(
        db: Database, store: CaseStore, decisions: Decisions, purge: Purge, blobs: BlobStore,
        clock: Clock) -> None:
    case_id = a_case(store, blobs)
    close(decisions, case_id)
    clock.now = NOW + timedelta(days=400)
    plan = purge.run(dry_run=True)
    assert [(p.case_id, p.classes) for p in plan.planned] == [
        (case_id, (DataClass.CONTACT, DataClass.ATTACHMENTS, DataClass.RAW_EMAIL))]
    assert signal_of(db, case_id).reporter["contact"] is not None  # type: ignore[index]
    assert purges_in_trail(db) == []
    with db.read() as session:
        assert session.scalars(select(CasePurge)).all() == []


def test_a_photo_sent_about_two_cases_stays_while_the_other_case_keeps_it(
        db: Database, store: CaseStore, decisions: Decisions, purge: Purge, blobs: BlobStore,
        clock: Clock) -> None:
    first = a_case(store, blobs, photo=b"the same photo")
    second = a_case(store, blobs, photo=b"the same photo")
    close(decisions, first)
    clock.now = NOW + timedelta(days=366)
    purge.run()
    sha = signal_of(db, second).attachments[0]["sha256"]  # type: ignore[index]
    assert blobs.exists(sha)
    close(decisions, second)
    clock.now += timedelta(days=366)
    purge.run()
    assert not blobs.exists(sha)


def test_a_case_reopened_by_a_follow_up_is_left_alone_until_it_closes_again(
        db: Database, store: CaseStore, decisions: Decisions, purge: Purge, blobs: BlobStore,
        clock: Clock) -> None:
    case_id = a_case(store, blobs)
    close(decisions, case_id)
    clock.now = NOW + timedelta(days=100)
    assert purge.run().items == {DataClass.CONTACT: 1}
    with db.transaction() as session:  # as a report chain that ran out reopens a case
        case = session.get(Case, case_id)
        assert case is not None
        case.status = "open"
    clock.now = NOW + timedelta(days=4000)
    assert purge.run().cases == 0
    clock.now = NOW + timedelta(days=4001)
    close(decisions, case_id)
    clock.now = NOW + timedelta(days=4001 + 90)
    # Closed again: the contact details are due afresh from the new closing, and only those.
    assert purge.run().items == {DataClass.CONTACT: 0}


def test_the_cli_holds_a_case_shows_a_dry_run_and_purges(
        db: Database, store: CaseStore, decisions: Decisions, blobs: BlobStore,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from services.review import cli
    from services.review.auth import Auth, Role

    auth = Auth(db, session_ttl=timedelta(hours=1), cookie_secure=True, now=lambda: NOW)
    auth.create_user("sam", "Sam", Role.SUPERVISOR, "a long enough password 1", by="test")
    auth.create_user("ana", "Ana", Role.ANALYST, "a long enough password 2", by="test")
    held, purged = a_case(store, blobs), a_case(store, blobs, photo=b"other")
    for case_id in (held, purged):
        close(decisions, case_id)
    monkeypatch.setenv("HOTLINE_REVIEW_DATABASE_URL", db.url)
    monkeypatch.setenv("HOTLINE_BLOB_DIRS", json.dumps([str(blobs.root)]))
    for data_class in ("CONTACT", "ATTACHMENTS", "RAW_EMAIL", "NARRATIVE"):  # all due at closing
        monkeypatch.setenv(f"HOTLINE_RETAIN_{data_class}_DAYS", "0")
    held_ref, purged_ref = signal_of(db, held).reference_number, signal_of(db, purged).reference_number

    with pytest.raises(SystemExit) as refused:
        cli.main(["hold", "place", held_ref, "--by", "ana", "--reason", "court order 7"])
    assert refused.value.code == 1  # an analyst may not
    assert cli.main(["hold", "place", held_ref, "--by", "sam", "--reason", "court order 7"]) == 0
    assert cli.main(["hold", "list", "--json"]) == 0
    assert [h["reference_number"] for h in json.loads(capsys.readouterr().out.splitlines()[-1])] == [held_ref]

    assert cli.main(["purge", "--dry-run", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["dry_run"] and plan["held"] == 1
    assert [p["reference_number"] for p in plan["planned"]] == [purged_ref]
    assert plan["planned"][0]["classes"] == ["contact", "attachments", "raw_email", "narrative"]
    assert signal_of(db, purged).narrative == NARRATIVE

    assert cli.main(["purge"]) == 0
    assert "purged 1 case(s)" in capsys.readouterr().out
    assert signal_of(db, purged).narrative is None and signal_of(db, held).narrative == NARRATIVE


def test_a_blob_that_cannot_be_deleted_leaves_its_class_due_and_the_next_run_finishes(
        db: Database, store: CaseStore, decisions: Decisions, purge: Purge, blobs: BlobStore,
        clock: Clock) -> None:
    case_id = a_case(store, blobs)
    close(decisions, case_id)
    sha = signal_of(db, case_id).attachments[0]["sha256"]  # type: ignore[index]
    path = blobs.path_for(sha)
    path.unlink()
    path.mkdir()  # something unlink() refuses, as a read-only mount would
    clock.now = NOW + timedelta(days=366)
    result = purge.run()
    assert result.blocked == 1 and DataClass.ATTACHMENTS not in result.items
    assert DataClass.CONTACT in result.items  # the other classes went
    with db.read() as session:
        assert session.scalars(select(Attachment).where(Attachment.case_id == case_id)).all() != []
    assert "attachments" not in {e.detail["data_class"] for e in purges_in_trail(db)}

    path.rmdir()
    blobs.put(b"\xff\xd8 photo of the house")
    again = purge.run()
    assert not again.blocked and again.items[DataClass.ATTACHMENTS] == 1
    assert not blobs.exists(sha)


def test_an_interrupted_run_leaves_whole_cases_and_the_next_run_does_the_rest(
        db: Database, store: CaseStore, decisions: Decisions, purge: Purge, blobs: BlobStore,
        clock: Clock) -> None:
    cases = [a_case(store, blobs, photo=f"photo {n}".encode()) for n in range(3)]
    for case_id in cases:
        close(decisions, case_id)
    clock.now = NOW + timedelta(days=4000)
    done: list[int] = []
    first = purge.run(stop=lambda: len(done) >= 1, progress=done.append)
    assert first.cases == 1
    narratives = [signal_of(db, case_id).narrative for case_id in cases]
    assert narratives.count(None) == 1 and narratives.count(NARRATIVE) == 2
    assert purge.run().cases == 2
    assert all(signal_of(db, case_id).narrative is None for case_id in cases)
    assert len(purges_in_trail(db)) == 3 * len(DataClass)


def test_a_purged_case_still_opens_on_the_case_page(
        db: Database, store: CaseStore, decisions: Decisions, purge: Purge, blobs: BlobStore,
        clock: Clock) -> None:
    from fastapi.testclient import TestClient

    from services.review.auth import Auth, Role
    from services.review.live import LiveHub
    from services.review.web import build_app
    from services.runtime.blobs import BlobReader
    from tests.unit.test_review_web import PASSWORD, login

    case_id = a_case(store, blobs, email=True)
    close(decisions, case_id)
    clock.now = NOW + timedelta(days=4000)
    purge.run()
    auth = Auth(db, session_ttl=timedelta(hours=1), cookie_secure=False, now=lambda: datetime.now(UTC))
    auth.create_user("alice", "Alice", Role.SUPERVISOR, PASSWORD)
    app = build_app(auth=auth, decisions=decisions, live=LiveHub(), blobs=BlobReader([blobs.root]),
                    now=lambda: datetime.now(UTC))
    with TestClient(app, base_url="http://review.test") as client:
        login(client, "alice")
        page = client.get(f"/cases/{case_id}")
        assert page.status_code == 200
        assert signal_of(db, case_id).reference_number in page.text
        for word in ("Maria", "Pat Example", "maria.jpg", "Dallas"):
            assert word not in page.text
        assert "Removed under the retention schedule" in page.text
        for words in ("contact details", "attachments", "raw emails", "narrative and declared places"):
            assert f"<li>{words}: <time" in page.text


def test_published_outbox_rows_go_after_the_shortest_period_and_unpublished_ones_stay(
        db: Database, store: CaseStore, decisions: Decisions, purge: Purge, blobs: BlobStore,
        clock: Clock) -> None:
    from services.review.models import OutboxRecord

    for photo in (b"one", b"two"):  # their closing decisions wrote events to the outbox
        close(decisions, a_case(store, blobs, photo=photo))
    with db.transaction() as session:
        rows = list(session.scalars(select(OutboxRecord).order_by(OutboxRecord.id)))
        assert len(rows) >= 2
        for row in rows[:-1]:
            row.published_at = NOW
        waiting = rows[-1].event_id
    clock.now = NOW + timedelta(days=89)
    assert purge.run().outbox_rows == 0
    clock.now = NOW + timedelta(days=91)
    assert purge.run().outbox_rows == len(rows) - 1
    with db.read() as session:
        assert list(session.scalars(select(OutboxRecord.event_id))) == [waiting]


def test_a_hold_placed_before_a_merge_keeps_the_case_its_signals_were_merged_into(
        db: Database, store: CaseStore, decisions: Decisions, purge: Purge, blobs: BlobStore,
        clock: Clock) -> None:
    held, kept = a_case(store, blobs, photo=b"held"), a_case(store, blobs, photo=b"kept")
    Holds(db, now=clock).place(held, by="alice", role="supervisor", reason="subpoena 2026-78")
    with db.transaction() as session:  # as a supervisor's merge leaves them
        for signal in session.scalars(select(Signal).where(Signal.case_id == held)):
            signal.case_id = kept
        source = session.get(Case, held)
        assert source is not None
        source.status, source.merged_into = "merged", kept
    close(decisions, kept)
    clock.now = NOW + timedelta(days=4000)
    assert purge.run().cases == 0
    merged = signal_of_many(db, kept)
    assert len(merged) == 2 and all(s.narrative == NARRATIVE for s in merged)


def signal_of_many(db: Database, case_id: uuid.UUID) -> list[Signal]:
    with db.read() as session:
        rows = list(session.scalars(select(Signal).where(Signal.case_id == case_id)))
        session.expunge_all()
        return rows
