"""Review's erasure orders in reporting's ledger (SQLite; PostgreSQL in integration): the reporter's
contact details leave the ledger and every report not yet sent; a sent report's record stays."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from contracts.events import (
    ContactDetails,
    ErasureOrdered,
    ErasureScope,
    Location,
    Reporter,
    SafeContact,
    SignalReceived,
)
from services.reporting.chains import full_chain
from services.reporting.db import Database, migrate
from services.reporting.erasure import ERASED, LedgerErasure
from services.reporting.ledger import Ledger
from services.reporting.models import Report, SignalContent, SignalFacts, Step
from services.reporting.protocols.loader import load_protocols
from services.reporting.redaction import Audience, Header, redact
from services.reporting.resolution import resolve_request
from services.reporting.store import Store
from services.reporting.tokens import AckTokens
from tests.builders import T0, received
from tests.reporting_support import Clock, report_request, write_fallback_protocol

HEADER = Header(reference_number="HT-ABCD-EFGH1", need="tip_reporting", urgency="p3_business_days",
                kind="approved", ack_url="https://hotline.example.org/ack/x")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.sqlite3'}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    migrate(db_url)
    database = Database(db_url)
    yield database
    database.dispose()


def _sharing_signal() -> SignalReceived:
    return received(
        reporter=Reporter(anonymous=False, consent_to_contact=True, consent_to_share=True,
                          contact=ContactDetails(name="Sam Doe", email="sam@example.org",
                                                 phone="214-555-0123"),
                          safe_contact=SafeContact(safe_times="mornings", voicemail_ok=True)),
        facts=received().facts.model_copy(update={"location": Location(
            state="TX", city="Houston", description="12 Example St")}))


def _order(signal_id: uuid.UUID, scope: ErasureScope = ErasureScope.CONTACT) -> ErasureOrdered:
    return ErasureOrdered(erasure_id=uuid.uuid4(), case_id=uuid.uuid4(), reference_number="HT-ABCD-EFGH1",
                          signal_ids=[signal_id], scope=scope, basis="reporter_request", ordered_at=T0,
                          approved_by_role="supervisor")


def _content(db: Database, signal_id: uuid.UUID) -> SignalContent:
    with db.read() as session:
        content = session.get(SignalContent, signal_id)
        assert content is not None
        return content


def test_contact_details_leave_the_ledger_and_the_unsent_report_but_the_sent_one_is_kept(
        db: Database, tmp_path: Path) -> None:
    clock = Clock()
    store = Store(db, now=clock, facts_grace=timedelta(seconds=10))
    ledger = Ledger(db, now=clock, tokens=AckTokens(b"unit-test-ack-secret"), lease=timedelta(seconds=30))
    protocols = load_protocols(write_fallback_protocol(tmp_path / "protocols", first_email="a@pd.example.gov",
                                                       third_webhook="https://tf.example.gov/hook"))
    signal = _sharing_signal()
    store.record_signal(signal)
    request = report_request(signal.signal_id)
    store.record_request(request)
    [pending] = store.ready_to_resolve()
    resolution = resolve_request(protocols, pending.request, pending.victims)
    store.store_resolution(request.report_id, resolution,
                           [full_chain(protocols, lookup) for lookup in resolution.lookups])
    [sent] = ledger.claim()  # the first step goes out with the reporter's details, as consented
    assert sent.signal is not None
    assert "sam@example.org" in json.dumps(redact(Audience.LAW_ENFORCEMENT, HEADER, sent.signal))
    assert ledger.delivered(sent)

    assert LedgerErasure(db, now=clock).apply(_order(signal.signal_id)) == 1

    content = _content(db, signal.signal_id)
    assert content.reporter is not None
    assert content.reporter["contact"] is None and content.reporter["safe_contact"] is None
    assert content.reporter["role"] == "unknown" and content.narrative == signal.narrative
    with db.read() as session:
        facts = session.get(SignalFacts, signal.signal_id)
        assert facts is not None and facts.consent_to_contact is False
        # The sent report's record is whole: the report, its delivered step, whom it went to.
        report = session.get(Report, request.report_id)
        steps = (session.query(Step).filter(Step.report_id == request.report_id)
                 .order_by(Step.step_index).all())
        assert report is not None and report.state == "active"
        assert (steps[0].state, steps[0].contact_id) == ("delivered", "first-det")
        assert "sam@example.org" not in json.dumps([s.contact for s in steps])
    # The next step of the chain, not yet sent, is written without them.
    clock.advance(4)
    ledger.expire()
    [unsent] = ledger.claim()
    assert unsent.step_index > sent.step_index and unsent.signal is not None
    document = json.dumps(redact(Audience.LAW_ENFORCEMENT, HEADER, unsent.signal))
    assert "sam@example.org" not in document and "214-555-0123" not in document and "Sam Doe" not in document


def test_an_order_that_arrives_before_its_signal_is_applied_when_the_signal_comes(db: Database) -> None:
    clock = Clock()
    signal = _sharing_signal()
    assert LedgerErasure(db, now=clock).apply(_order(signal.signal_id)) == 0
    Store(db, now=clock, facts_grace=timedelta(seconds=10)).record_signal(signal)
    content = _content(db, signal.signal_id)
    assert content.reporter is not None and content.reporter["contact"] is None


def test_a_content_erasure_keeps_only_what_routes_a_report(db: Database) -> None:
    clock = Clock()
    signal = _sharing_signal()
    Store(db, now=clock, facts_grace=timedelta(seconds=10)).record_signal(signal)
    erasure = LedgerErasure(db, now=clock)
    erasure.apply(_order(signal.signal_id, ErasureScope.CONTACT))
    erasure.apply(_order(signal.signal_id, ErasureScope.CONTENT))
    content = _content(db, signal.signal_id)
    assert (content.narrative, content.reporter) == (ERASED, None)
    assert content.location == {"country": "US", "state": "TX", "city": "Houston"}
