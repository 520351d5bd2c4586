"""The demo pages' apps, each built by its own ``build_app`` over in-memory publishers and SQLite files,
and filled with the demo cases (``pagedemo_cases``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from pydantic import SecretStr

from contracts.events import (
    ErasureRequested,
    Jurisdiction,
    ReportConditions,
    ReportNeed,
    ReportOutcome,
    ReportRequested,
    SignalReceived,
    TraffickingType,
    Urgency,
)
from deploy.pagedemo_cases import PROTOCOL, SECRET, demo_triage
from intake_phone.source import build_app as phone_app
from intake_webform.handler import Intake, Limits
from intake_webform.metrics import WebformMetrics
from intake_webform.ratelimit import GlobalBudget, RateLimiter
from intake_webform.source import build_app as webform_app
from services.reporting.chains import full_chain
from services.reporting.db import Database as LedgerDatabase
from services.reporting.db import migrate as migrate_ledger
from services.reporting.ledger import Ledger
from services.reporting.protocols.loader import load_protocols
from services.reporting.resolution import resolve_request
from services.reporting.store import Store
from services.reporting.tokens import AckTokens
from services.reporting.web import build_app as reporting_app
from services.review.auth import Auth, Role
from services.review.cases import CaseStore
from services.review.db import Database as ReviewDatabase
from services.review.db import migrate as migrate_review
from services.review.decisions import Actor, Decisions
from services.review.erasure import Erasures
from services.review.export import Exports
from services.review.live import LiveHub
from services.review.web import build_app as review_app
from services.runtime import InMemoryPublisher
from services.runtime.blobs import BlobReader, BlobStore
from services.runtime.durable import DurableSender
from services.runtime.spool import Spool

SPECIALIST: Final = ("demo", "demo-specialist-token")
PASSWORD: Final = "demo-pages-password-1"  # noqa: S105 - the demo's own accounts, on loopback only
REVIEWERS: Final = (("alice", "Alice Moreno", Role.SUPERVISOR), ("bob", "Bob Okafor", Role.SUPERVISOR),
                    ("ana", "Ana Lee", Role.ANALYST))


def webform(folder: Path) -> tuple[Any, InMemoryPublisher]:
    """The web form, taking tips into an in-memory publisher."""
    publisher = InMemoryPublisher()
    spool = Spool(folder / "spool", max_records=1000, max_bytes=64 * 1024 * 1024)
    sender = DurableSender(publisher, spool, publish_timeout=2.0, budget=GlobalBudget(per_s=1000, burst=1000))
    intake = Intake(sender=sender, blobs=BlobStore(folder / "blobs"), limits=Limits(3, 2 * 1024 * 1024),
                    secret=SECRET, now=lambda: datetime.now(UTC), metrics=WebformMetrics())
    return webform_app(intake=intake, limiter=RateLimiter(per_client=None, window_s=600),
                       max_request_bytes=8 * 1024 * 1024), publisher


class _Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def reporting(folder: Path, now: datetime,
              signals: list[SignalReceived]) -> tuple[Any, LedgerDatabase, dict[str, str]]:
    """Reporting with calls to make and reports sent: the app, its ledger, a fresh and a used link."""
    (folder / "protocols").mkdir(parents=True, exist_ok=True)  # the ledger's folder too
    (folder / "protocols" / "US.yaml").write_text(PROTOCOL.format(today=now.date().isoformat()))
    protocols = load_protocols(folder / "protocols")
    url = f"sqlite:///{folder / 'ledger.sqlite3'}"
    migrate_ledger(url)
    db = LedgerDatabase(url)
    start = now - timedelta(minutes=12)  # the first call, with a 15-minute window: 3 minutes left
    clock = _Clock(start)
    store = Store(db, now=clock, facts_grace=timedelta(seconds=0))
    ledger = Ledger(db, now=clock, tokens=AckTokens(SECRET))
    requests = [
        (signals[0], ReportNeed.VICTIM_EXTRACTION, True, timedelta(minutes=0)),
        (signals[1], ReportNeed.TIP_REPORTING, True, timedelta(minutes=9)),
        (signals[1], ReportNeed.SHELTER_EMERGENCY, False, timedelta(minutes=10)),
    ]
    written = []
    for signal, need, minor, later in requests:
        clock.at = start + later
        store.record_signal(signal)
        request = ReportRequested(
            report_id=uuid.uuid4(), signal_id=signal.signal_id, reference_number=signal.reference_number,
            kind="approved", requested_by="review", reason="demo", need=need, requested_at=clock.at,
            urgency=Urgency.P1_ACT_NOW, jurisdiction=Jurisdiction(country="US", state="TX", city="Houston"),
            conditions=ReportConditions(urgent=True, business_hours=True, minor=minor,
                                        trafficking_type=TraffickingType.SEX))
        store.record_request(request)
        for pending in store.ready_to_resolve():
            resolution = resolve_request(protocols, pending.request, pending.victims)
            store.store_resolution(pending.request.report_id, resolution,
                                   [full_chain(protocols, lookup) for lookup in resolution.lookups])
        written += ledger.claim()  # calls open as tasks; written steps are claimed to send
    for claim in written:
        ledger.delivered(claim)
    ack_tokens = {"fresh": written[0].token, "acknowledged": written[-1].token}
    ledger.acknowledge(written[-1].token)
    clock.at = now
    app = reporting_app(ledger, specialist_token=SecretStr(SPECIALIST[1]))
    return app, db, ack_tokens


def phone() -> tuple[Any, InMemoryPublisher]:
    """The call report form, publishing to an in-memory publisher."""
    publisher = InMemoryPublisher()
    app = phone_app(publisher=publisher, twilio_auth_token="demo-twilio-token",  # noqa: S106 - demo only
                    public_url="http://127.0.0.1", specialist_tokens={SPECIALIST[0]: SPECIALIST[1]},
                    secret=SECRET, now=lambda: datetime.now(UTC))
    return app, publisher


def review(folder: Path, signals: list[SignalReceived]) -> tuple[Any, ReviewDatabase, dict[str, uuid.UUID]]:
    """Review with the demo cases worked on: the app, its database, and each case's id by what it shows."""
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'review.sqlite3'}"
    migrate_review(url)
    db = ReviewDatabase(url)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731
    auth = Auth(db, session_ttl=timedelta(hours=10), cookie_secure=False, now=clock)
    for username, name, role in REVIEWERS:
        auth.create_user(username, name, role, PASSWORD)
    store = CaseStore(db, urgent_ack=timedelta(minutes=5), now=clock)
    decisions = Decisions(db, now=clock, claim_ttl=timedelta(hours=8))
    crisis, salon, plant, question = signals
    triages = [
        demo_triage(crisis, Urgency.P1_ACT_NOW, crisis.received_at, timedelta(hours=1), minor="about 15",
                danger="locked in room 12 tonight", break_glass=True),
        demo_triage(salon, Urgency.P2_SAME_DAY, salon.received_at, timedelta(hours=6), minor="16 year old"),
        demo_triage(plant, Urgency.P3_BUSINESS_DAYS, plant.received_at, timedelta(days=2), city="Austin"),
        demo_triage(question, Urgency.P4_INFORMATIONAL, question.received_at, timedelta(days=3)),
    ]
    names = ("break-glass", "minor", "labor", "question")
    cases: dict[str, uuid.UUID] = {}
    for signal, triage, name in zip(signals, triages, names, strict=True):
        store.apply_received(f"demo-r-{signal.signal_id}", signal)
        change = store.apply_triaged(f"demo-t-{signal.signal_id}", triage)
        assert change is not None  # noqa: S101 - built right here
        cases[name] = change.case_id
    alice = Actor("alice", "supervisor")
    decisions.claim(cases["break-glass"], alice)
    decisions.request_le_report(cases["break-glass"], alice, ReportNeed.VICTIM_EXTRACTION,
                                "Police are on their way to the motel")
    decisions.claim(cases["labor"], Actor("ana", "analyst"))
    report_id, at = uuid.uuid4(), crisis.received_at + timedelta(minutes=1)
    steps = [("delivered", 0, 0, "phone", "fbi-duty", None, 0),
             ("no_answer", 0, 0, "phone", "fbi-duty", None, 9),
             ("timed_out", 0, 0, "phone", "fbi-duty", None, 15),
             ("delivered", 0, 1, "phone", "hou-det-smith", None, 15),
             ("delivered", 1, 0, "email", "ncmec-cybertipline", "ncmec-minor", 0),
             ("acknowledged", 1, 0, "email", "ncmec-cybertipline", "ncmec-minor", 12),
             ("completed", 1, None, None, None, "ncmec-minor", 12)]
    for kind, victim, step, channel, contact, obligation, minutes in steps:
        store.apply_outcome(f"demo-o-{kind}-{victim}-{step}", ReportOutcome.model_validate({
            "report_id": report_id, "signal_id": crisis.signal_id,
            "reference_number": crisis.reference_number,
            "need": ReportNeed.VICTIM_EXTRACTION, "victim": victim, "step": step, "contact_id": contact,
            "channel": channel, "obligation": obligation, "kind": kind,
            "occurred_at": at + timedelta(minutes=minutes)}))
    # One reporter's erasure request, one content erasure and one export waiting for a second person.
    erasures = Erasures(db, now=clock)
    erasures.record_request("demo-e-1", ErasureRequested(
        request_id=uuid.uuid4(), reference_number=salon.reference_number, requested_at=clock()))
    erasures.request_content_erasure(cases["question"], Actor("bob", "supervisor"),
                                     "Board decision 2026-14: school project, no situation")
    exports = Exports(db, now=clock, key=None)
    exports.request(cases["labor"], Actor("bob", "supervisor"), "Subpoena 2026-GJ-0117 (grand jury)")
    app = review_app(auth=auth, decisions=decisions, live=LiveHub(), blobs=BlobReader([folder / "blobs"]),
                     erasures=erasures, exports=exports)
    return app, db, cases


