"""Every app's pages with demo data, served on loopback by one process: for screenshots and browser checks.

The web form, the phone intake's call report form, reporting (calls to make, acknowledgement links)
and review (sign-in, queue, case pages) are built by their own ``build_app`` with in-memory
publishers and SQLite files in a folder of the caller's, and filled with fictitious data (555
numbers, example.org and example.gov addresses): no broker, no other process. The pages are the
real ones, behind the real web edge; only where the events come from differs from ``./dev run``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from pydantic import SecretStr

from contracts import signal_id_for
from contracts.events import (
    AgeRange,
    Answer,
    CallType,
    Channel,
    ContactDetails,
    DeclaredFacts,
    DeclaredTraffickingType,
    ErasureRequested,
    Evidence,
    Flag,
    FlagName,
    Gender,
    Jurisdiction,
    Location,
    Nationality,
    PhoneSource,
    ReportConditions,
    Reporter,
    ReportNeed,
    ReportOutcome,
    ReportRequested,
    Route,
    RoutingTarget,
    SafeContact,
    SignalReceived,
    SignalTriaged,
    TraffickingType,
    Urgency,
    Victim,
    WebformSource,
)
from contracts.reference_numbers import reference_for
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
from services.runtime import HttpServer, InMemoryPublisher
from services.runtime.blobs import BlobReader, BlobStore
from services.runtime.durable import DurableSender
from services.runtime.spool import Spool

SECRET: Final = b"demo-pages-secret-0123456789abcdef"
SPECIALIST: Final = ("demo", "demo-specialist-token")
PASSWORD: Final = "demo-pages-password-1"  # noqa: S105 - the demo's own accounts, on loopback only
REVIEWERS: Final = (("alice", "Alice Moreno", Role.SUPERVISOR), ("bob", "Bob Okafor", Role.SUPERVISOR),
                    ("ana", "Ana Lee", Role.ANALYST))

# The region protocols of the demo: always-available contacts, so the calls to make are the same
# whatever the hour the pages are built at.
_PROTOCOL: Final = """version: 1
region: {{country: US}}
contacts:
  - {{id: hou-det-smith, name: Det. Jane Smith, title: Human trafficking unit,
     organisation: Example Houston Police Department, kind: law_enforcement,
     channels: [{{type: phone, number: "+1 713 555 0130", label: desk}},
                {{type: email, address: j.smith@hpd.example.gov}}],
     availability: always, last_verified: {today}}}
  - {{id: fbi-duty, name: Duty agent, organisation: Example FBI Houston field office, kind: federal_agency,
     channels: [{{type: phone, number: "+1 713 555 0123", label: 24/7 duty phone}}],
     availability: always, last_verified: {today}}}
  - {{id: ncmec-cybertipline, name: CyberTipline, organisation: Example National Center for Missing Children,
     kind: hotline, channels: [{{type: email, address: reports@ncmec.example.org}}],
     availability: always, last_verified: {today}}}
  - {{id: shelter-intake, name: Shelter intake, organisation: Example Houston Safe House,
     kind: service_provider,
     channels: [{{type: phone, number: "+1 713 555 0140", label: intake line}},
                {{type: email, address: intake@safehouse.example.org}}],
     availability: always, last_verified: {today}}}
matrix:
  tip_reporting:
    - chain: [{{contact: hou-det-smith, wait: 30m}}, {{contact: fbi-duty, wait: 30m}}]
  victim_extraction_le_intervention:
    - chain: [{{contact: fbi-duty, wait: 15m}}, {{contact: hou-det-smith, wait: 15m}}]
  shelter_emergency:
    - chain: [{{contact: shelter-intake, wait: 2h}}]
mandatory_reports:
  - id: ncmec-minor
    when: {{minor: true}}
    contact: ncmec-cybertipline
    within: 24h
    basis: Example policy - every situation that may involve a minor is reported.
"""


@dataclass
class DemoSite:
    """Where the demo apps listen, how to sign in, and the ids their pages need."""

    webform: str = ""
    phone: str = ""
    reporting: str = ""
    review: str = ""
    ack_tokens: dict[str, str] = field(default_factory=dict)  # "fresh", "acknowledged"
    cases: dict[str, uuid.UUID] = field(default_factory=dict)  # what the case shows -> its id
    # What the call report form published (the demo's broker is this publisher).
    phone_publisher: InMemoryPublisher | None = None


@dataclass(frozen=True)
class DemoPage:
    """One page to look at: ``sign_in`` is "public", "specialist" (HTTP Basic) or a review user."""

    app: str
    name: str
    path: str
    sign_in: str = "public"
    staff: bool = True


def pages(site: DemoSite) -> list[DemoPage]:
    """Every page of every app that a GET shows (forms' error states are reached by posting them)."""
    return [
        DemoPage("webform", "tip-form-en", "/en/", staff=False),
        DemoPage("webform", "tip-form-es", "/es/", staff=False),
        DemoPage("webform", "follow-up-en", "/en/follow-up", staff=False),
        DemoPage("webform", "follow-up-es", "/es/follow-up", staff=False),
        DemoPage("webform", "not-found-es", "/es/nowhere", staff=False),
        DemoPage("webform", "erase-en", "/en/erase", staff=False),
        DemoPage("webform", "erase-es", "/es/erase", staff=False),
        DemoPage("phone", "call-report", "/specialist/report", "specialist"),
        DemoPage("reporting", "calls-to-make", "/specialist/tasks", "specialist"),
        DemoPage("reporting", "ack", f"/ack/{site.ack_tokens['fresh']}", staff=True),
        DemoPage("reporting", "ack-already", f"/ack/{site.ack_tokens['acknowledged']}"),
        DemoPage("reporting", "ack-unknown", "/ack/not-a-link-of-ours"),
        DemoPage("review", "sign-in", "/login"),
        DemoPage("review", "queue", "/queue", "alice"),
        *[DemoPage("review", f"case-{name}", f"/cases/{case_id}", "alice")
          for name, case_id in site.cases.items()],
        DemoPage("review", "case-not-found", f"/cases/{uuid.UUID(int=0)}", "alice"),
        DemoPage("review", "case-contact", f"/cases/{site.cases['minor']}/contact", "alice"),
        DemoPage("review", "your-sign-in", "/account/security", "alice"),
        DemoPage("review", "two-step-set-up", "/account/security/enrol", "alice"),
        DemoPage("review", "erasures", "/erasures", "alice"),
        DemoPage("review", "exports", "/exports", "alice"),
    ]


def url_of(site: DemoSite, page: DemoPage) -> str:
    return str(getattr(site, page.app)) + page.path


# ---------------------------------------------------------------- the apps


def _webform(folder: Path) -> Any:
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


def _reporting(folder: Path, now: datetime, site: DemoSite, signals: list[SignalReceived]) -> Any:
    (folder / "protocols").mkdir(parents=True, exist_ok=True)  # the ledger's folder too
    (folder / "protocols" / "US.yaml").write_text(_PROTOCOL.format(today=now.date().isoformat()))
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
    site.ack_tokens["fresh"] = written[0].token
    site.ack_tokens["acknowledged"] = written[-1].token
    ledger.acknowledge(written[-1].token)
    clock.at = now
    app = reporting_app(ledger, specialist_token=SecretStr(SPECIALIST[1]))
    return app, db


def _phone() -> Any:
    publisher = InMemoryPublisher()
    app = phone_app(publisher=publisher, twilio_auth_token="demo-twilio-token",  # noqa: S106 - demo only
                    public_url="http://127.0.0.1", specialist_tokens={SPECIALIST[0]: SPECIALIST[1]},
                    secret=SECRET, now=lambda: datetime.now(UTC))
    return app, publisher


# ---------------------------------------------------------------- the demo cases


def _signal(narrative: str, at: datetime, facts: DeclaredFacts, *, phone: bool = False,
            reporter: Reporter | None = None) -> SignalReceived:
    submission = str(uuid.uuid4())
    channel = Channel.PHONE if phone else Channel.WEBFORM
    dedup_key = f"{channel.value}:{submission}"
    signal_id = signal_id_for(channel, dedup_key)
    source: Any = WebformSource(submission_id=submission)
    if phone:
        source = PhoneSource(call_id=f"demo-{submission}", fragment="specialist_report", system="specialist")
    return SignalReceived(signal_id=signal_id, reference_number=reference_for(str(signal_id), SECRET),
                          channel=channel, received_at=at, source=source, dedup_key=dedup_key,
                          narrative=narrative, facts=facts, reporter=reporter or Reporter())


def _triage(signal: SignalReceived, urgency: Urgency, at: datetime, deadline: timedelta, *,
            minor: str | None = None, danger: str | None = None, break_glass: bool = False,
            city: str = "Houston") -> SignalTriaged:
    def flag(name: FlagName, words: str | None) -> Flag:
        if words is None or words not in (signal.narrative or ""):
            return Flag(name=name, raised=False)
        start = (signal.narrative or "").index(words)
        return Flag(name=name, raised=True, evidence=[Evidence(
            rule_id=f"{name.value}.text", origin="text", field="narrative", start=start,
            end=start + len(words), matched_text=words)])

    routes = [Route(target=RoutingTarget.SUPERVISOR_QUEUE, reason="substantive")]
    if break_glass:
        routes.append(Route(target=RoutingTarget.LAW_ENFORCEMENT_BREAK_GLASS, reason="imminent_danger"))
    return SignalTriaged(
        signal_id=signal.signal_id, reference_number=signal.reference_number, channel=signal.channel,
        received_at=signal.received_at, triaged_at=at, rules_version="demo",
        flags=[flag(FlagName.MINOR, minor), flag(FlagName.IMMINENT_DANGER, danger)], urgency=urgency,
        call_type=CallType.TIP, trafficking_type=TraffickingType.SEX if minor else TraffickingType.LABOR,
        jurisdiction=Jurisdiction(state="TX", city=city, origin="declared"), business_hours=True,
        sla_due_at=at + deadline, routes=routes)


def _signals(now: datetime) -> list[SignalReceived]:
    return [
        _signal("Caller says two girls, about 15, are kept at the Lone Star Motel on Airline Drive. "
                "A man took their phones and they are locked in room 12 tonight.",
                now - timedelta(minutes=40),
                DeclaredFacts(danger_now=Answer.YES, trafficking_type=DeclaredTraffickingType.SEX,
                              call_type=CallType.CRISIS, urgency=Urgency.P1_ACT_NOW,
                              location=Location(state="TX", city="Houston"),
                              victims=[Victim(count=2, age_range=AgeRange(low=14, high=16),
                                              gender=Gender.FEMALE),
                                       Victim(count=1, age=19, gender=Gender.FEMALE,
                                              nationality=Nationality.FOREIGN_NATIONAL)]), phone=True),
        _signal("My neighbour's 16 year old works nights at the nail salon on Elm Street and is never "
                "allowed to leave with her friends.", now - timedelta(minutes=30),
                DeclaredFacts(danger_now=Answer.UNSURE, location=Location(state="TX", city="Houston"),
                              victims=[Victim(age=16, gender=Gender.FEMALE)]),
                # A neighbour who may be called back, safely (the contact task's page).
                reporter=Reporter(anonymous=False, consent_to_contact=True,
                                  contact=ContactDetails(name="Dana Example", phone="+1 713 555 0199"),
                                  safe_contact=SafeContact(safe_times="weekdays after 6pm", text_ok=True,
                                                           instructions="Hang up if a man answers."))),
        _signal("The crew at the packing plant have their passports held by the foreman and sleep in the "
                "warehouse.", now - timedelta(hours=5),
                DeclaredFacts(trafficking_type=DeclaredTraffickingType.LABOR,
                              location=Location(state="TX", city="Austin"),
                              victims=[Victim(count=12, gender=Gender.MALE,
                                              nationality=Nationality.FOREIGN_NATIONAL)])),
        _signal("A teacher asks how to recognise signs of labor trafficking among students' families.",
                now - timedelta(days=1), DeclaredFacts(call_type=CallType.GENERAL_INFO)),
    ]


def _review(folder: Path, now: datetime, site: DemoSite, signals: list[SignalReceived]) -> Any:
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
        _triage(crisis, Urgency.P1_ACT_NOW, crisis.received_at, timedelta(hours=1), minor="about 15",
                danger="locked in room 12 tonight", break_glass=True),
        _triage(salon, Urgency.P2_SAME_DAY, salon.received_at, timedelta(hours=6), minor="16 year old"),
        _triage(plant, Urgency.P3_BUSINESS_DAYS, plant.received_at, timedelta(days=2), city="Austin"),
        _triage(question, Urgency.P4_INFORMATIONAL, question.received_at, timedelta(days=3)),
    ]
    names = ("break-glass", "minor", "labor", "question")
    for signal, triage, name in zip(signals, triages, names, strict=True):
        store.apply_received(f"demo-r-{signal.signal_id}", signal)
        change = store.apply_triaged(f"demo-t-{signal.signal_id}", triage)
        assert change is not None  # noqa: S101 - built right here
        site.cases[name] = change.case_id
    alice = Actor("alice", "supervisor")
    decisions.claim(site.cases["break-glass"], alice)
    decisions.request_le_report(site.cases["break-glass"], alice, ReportNeed.VICTIM_EXTRACTION,
                                "Police are on their way to the motel")
    decisions.claim(site.cases["labor"], Actor("ana", "analyst"))
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
    erasures.request_content_erasure(site.cases["question"], Actor("bob", "supervisor"),
                                     "Board decision 2026-14: school project, no situation")
    exports = Exports(db, now=clock, key=None)
    exports.request(site.cases["labor"], Actor("bob", "supervisor"), "Subpoena 2026-GJ-0117 (grand jury)")
    app = review_app(auth=auth, decisions=decisions, live=LiveHub(), blobs=BlobReader([folder / "blobs"]),
                     erasures=erasures, exports=exports)
    return app, db


@asynccontextmanager
async def serve_demo(folder: Path) -> AsyncIterator[DemoSite]:
    """Build every app with the demo data under ``folder`` and serve each on a free loopback port."""
    now = datetime.now(UTC)
    site = DemoSite()
    signals = _signals(now)
    webform, webform_publisher = _webform(folder / "webform")
    phone, phone_publisher = _phone()
    site.phone_publisher = phone_publisher
    reporting, ledger_db = _reporting(folder / "reporting", now, site, signals)
    review, review_db = _review(folder / "review", now, site, signals)
    async with AsyncExitStack() as stack:
        for publisher in (webform_publisher, phone_publisher):
            await publisher.start()
            stack.push_async_callback(publisher.stop)
        stack.callback(ledger_db.dispose)
        stack.callback(review_db.dispose)
        apps = (("webform", webform), ("phone", phone), ("reporting", reporting), ("review", review))
        for name, app in apps:
            server = HttpServer(app, "127.0.0.1", 0, name=f"demo-{name}")
            await server.start()
            stack.push_async_callback(server.stop)
            setattr(site, name, server.url)
        yield site


__all__ = ["PASSWORD", "REVIEWERS", "SPECIALIST", "DemoPage", "DemoSite", "pages", "serve_demo", "url_of"]
