"""Lawful-request export on SQLite (the same tests run on PostgreSQL in integration): two people,
a signed archive that verifies, and tampering, another key or a missing file that does not."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.review import archive
from services.review.cases import CaseStore
from services.review.db import SCHEMA, Database
from services.review.decisions import DecisionError, Decisions, Forbidden
from services.review.export import Exports
from services.review.models import AuditEntry, ExportRequest
from tests.databases import sqlite_db
from tests.unit.test_review_cases import ALICE, ANA, BOB, Clock, _outcome, received

KEY = archive.signing_key(base64.b64encode(bytes(range(32))).decode())
PUBLIC = archive.public_key(archive.public_key_text(KEY))


@pytest.fixture
def clock() -> Clock:
    return Clock()


db = sqlite_db(SCHEMA)


@pytest.fixture
def store(db: Database, clock: Clock) -> CaseStore:
    return CaseStore(db, urgent_ack=timedelta(minutes=5), now=clock)


@pytest.fixture
def exports(db: Database, clock: Clock) -> Exports:
    return Exports(db, now=clock, key=KEY)


def _case(store: CaseStore, db: Database, clock: Clock) -> tuple[object, object]:
    signal = received(narrative="The cooks sleep in the kitchen and cannot leave.")
    change = store.apply_received("r-1", signal)
    assert change is not None
    decisions = Decisions(db, now=clock, claim_ttl=timedelta(minutes=30))
    decisions.claim(change.case_id, ALICE)
    store.apply_outcome("o-1", _outcome(signal, "delivered"))
    return change.case_id, signal


def _rezip(data: bytes, change: dict[str, bytes | None]) -> bytes:
    """The archive with members replaced (bytes) or removed (None), as someone editing it would."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name in change:
                if change[name] is not None:
                    target.writestr(name, change[name])  # type: ignore[arg-type]
            else:
                target.writestr(name, source.read(name))
        for name, data in change.items():
            if name not in source.namelist() and data is not None:
                target.writestr(name, data)
    return out.getvalue()


def test_an_export_needs_a_second_supervisor_and_its_archive_verifies(
        store: CaseStore, db: Database, clock: Clock, exports: Exports) -> None:
    case_id, signal = _case(store, db, clock)
    with pytest.raises(Forbidden):
        exports.request(case_id, ANA, "subpoena 2026-GJ-0117")  # type: ignore[arg-type]
    with pytest.raises(DecisionError, match="legal request"):
        exports.request(case_id, ALICE, "police")  # type: ignore[arg-type]
    row = exports.request(case_id, ALICE, "subpoena 2026-GJ-0117")  # type: ignore[arg-type]
    with pytest.raises(Forbidden, match="second supervisor"):
        exports.approve(row.id, ALICE)
    with pytest.raises(Forbidden):
        exports.approve(row.id, ANA)

    made = exports.approve(row.id, BOB)

    result = archive.verify(made.data, PUBLIC)
    assert result.ok, result.problems
    assert result.manifest is not None
    assert (result.manifest["requested_by"], result.manifest["approved_by"]) == ("alice", "bob")
    assert set(result.manifest["files"]) == {"case.json", "signals.json", "decisions.json", "audit.json",
                                             "reports.json", "erasures.json"}
    with zipfile.ZipFile(io.BytesIO(made.data)) as zipped:
        signals = json.loads(zipped.read("signals.json"))
        reports = json.loads(zipped.read("reports.json"))
        audit_entries = json.loads(zipped.read("audit.json"))
    assert signals[0]["narrative"] == signal.narrative  # type: ignore[attr-defined]
    assert [r["kind"] for r in reports] == ["delivered"]
    assert {"claim", "export_requested"} <= {e["action"] for e in audit_entries}
    with db.read() as session:
        stored = session.get(ExportRequest, row.id)
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert stored is not None and stored.status == "approved"
    assert last is not None and last.action == "export_approved" and last.actor == "bob"
    import hashlib

    assert last.detail["archive_sha256"] == stored.archive_sha256 == hashlib.sha256(made.data).hexdigest()
    with pytest.raises(DecisionError, match="already approved"):
        exports.approve(row.id, BOB)


def test_a_tampered_archive_another_key_or_a_missing_file_fails_verification(
        store: CaseStore, db: Database, clock: Clock, exports: Exports) -> None:
    case_id, _ = _case(store, db, clock)
    row = exports.request(case_id, ALICE, "court order 2026-CV-0042")  # type: ignore[arg-type]
    made = exports.approve(row.id, BOB)
    with zipfile.ZipFile(io.BytesIO(made.data)) as zipped:
        signals = zipped.read("signals.json")
    edited = _rezip(made.data, {"signals.json": signals.replace(b"kitchen", b"basement")})
    assert archive.verify(edited, PUBLIC).problems == (
        "signals.json: its SHA-256 differs from the manifest's",)
    assert not archive.verify(_rezip(made.data, {"audit.json": None}), PUBLIC).ok
    assert not archive.verify(_rezip(made.data, {"extra.txt": b"planted"}), PUBLIC).ok
    other = archive.public_key(archive.public_key_text(archive.signing_key(archive.new_signing_key())))
    assert archive.verify(made.data, other).problems == (
        "the manifest's signature does not verify under this public key",)
    assert archive.verify(b"not a zip", PUBLIC).problems[0].startswith("not a readable zip archive")


def test_without_a_signing_key_nothing_is_exported_and_a_rejection_is_audited(
        store: CaseStore, db: Database, clock: Clock) -> None:
    case_id, _ = _case(store, db, clock)
    unset = Exports(db, now=clock, key=None)
    row = unset.request(case_id, ALICE, "subpoena 2026-GJ-0117")  # type: ignore[arg-type]
    with pytest.raises(DecisionError, match="HOTLINE_EXPORT_SIGNING_KEY"):
        unset.approve(row.id, BOB)
    with pytest.raises(Forbidden):
        unset.reject(row.id, ALICE, "withdrawn")
    unset.reject(row.id, BOB, "the subpoena names another case")
    with db.read() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert actions[-2:] == ["export_requested", "export_rejected"]


def test_a_signing_key_that_cannot_be_read_stops_review_at_start_up() -> None:
    from pydantic import ValidationError

    from services.review.config import ReviewSettings

    assert ReviewSettings(environment="dev").export_key() is None
    good = archive.new_signing_key()
    key = ReviewSettings(environment="dev", export_signing_key=good).export_key()
    assert key is not None
    assert archive.public_key_text(key) == archive.public_key_text(archive.signing_key(good))
    with pytest.raises(ValidationError, match="32 bytes of Ed25519"):
        ReviewSettings(environment="dev", export_signing_key="not-a-key")
