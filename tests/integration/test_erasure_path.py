"""An erasure request end to end on the real broker and PostgreSQL: the public page, review's
consumer, a supervisor's confirmation, the outbox relay, and reporting's ledger and unsent report."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from contracts import Topic
from contracts.events import ErasureOrdered, ErasureRequested, ReportRequested, SignalReceived
from services.reporting.chains import full_chain
from services.reporting.db import Database as ReportingDatabase
from services.reporting.db import migrate as migrate_reporting
from services.reporting.erasure import ErasureWriter, LedgerErasure
from services.reporting.handler import LedgerWriter
from services.reporting.ledger import Ledger
from services.reporting.models import SignalContent
from services.reporting.protocols.loader import load_protocols
from services.reporting.redaction import Audience, redact
from services.reporting.resolution import resolve_request
from services.reporting.store import Store
from services.reporting.tokens import AckTokens
from services.review.cases import CaseStore
from services.review.db import Database, migrate
from services.review.decisions import Actor
from services.review.erasure import ErasureRequestWriter, Erasures
from services.review.handler import CaseWriter
from services.review.live import LiveHub
from services.review.models import OutboxRecord, Signal
from services.runtime import (
    ConsumerHalted,
    ConsumerLoop,
    ConsumerPolicy,
    ConsumerSpec,
    Health,
    KafkaPublisher,
    Message,
    RuntimeMetrics,
    RuntimeSettings,
)
from services.runtime.outbox import OutboxRelay
from tests.conftest import fresh_database, wait_for
from tests.reporting_support import report_request, write_fallback_protocol
from tests.unit.test_reporting_erasure import HEADER
from tests.webform_support import build_webform

pytestmark = pytest.mark.postgres

FAST = ConsumerPolicy(max_retries=2, backoff_initial_s=0.01, backoff_max_s=0.05,
                      max_consecutive_dead_letters=5, poll_timeout_ms=100)


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def reporting_url(postgres_server: str) -> Iterator[str]:
    """A second database of this test's own: reporting's ledger, apart from review's case store."""
    with fresh_database(postgres_server, "r") as url:
        yield url


@pytest.fixture
async def publisher(topics: RuntimeSettings) -> AsyncIterator[KafkaPublisher]:
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("test")) as kafka:
        yield kafka


async def test_a_reporters_erasure_request_reaches_review_and_reporting_on_the_real_broker(
        tmp_path: Path, topics: RuntimeSettings, publisher: KafkaPublisher, postgres_url: str,
        reporting_url: str) -> None:
    migrate(postgres_url)
    migrate_reporting(reporting_url)
    review_db, ledger_db = Database(postgres_url), ReportingDatabase(reporting_url)
    erasures = Erasures(review_db, now=now)
    relay = OutboxRelay(review_db, publisher, model=OutboxRecord, now=now, poll_s=0.1)
    erasures_relay_wake = relay.wake
    case_store = CaseStore(review_db, urgent_ack=timedelta(minutes=5), now=now)
    ledger_store = Store(ledger_db, now=now, facts_grace=timedelta(seconds=0))
    stop = asyncio.Event()

    def loop(name: str, topic: Topic, handler: Callable[[Message], Awaitable[None]],
             event_type: type) -> ConsumerLoop:
        return ConsumerLoop(ConsumerSpec(name=name, topic=topic, group=name, handler=handler,
                                         event_type=event_type, policy=FAST),
                            settings=topics, dlq_publisher=publisher, metrics=RuntimeMetrics("test"),
                            health=Health())

    loops = [
        loop("review.signals", Topic.SIGNALS_RECEIVED, CaseWriter(case_store, LiveHub()).received,
             SignalReceived),
        loop("review.erasures", Topic.ERASURES_REQUESTED, ErasureRequestWriter(erasures).received,
             ErasureRequested),
        loop("reporting.signals", Topic.SIGNALS_RECEIVED, LedgerWriter(ledger_store).received,
             SignalReceived),
        loop("reporting.erasures", Topic.ERASURES_ORDERED,
             ErasureWriter(LedgerErasure(ledger_db, now=now)).ordered, ErasureOrdered),
    ]
    tasks = [asyncio.create_task(lp.run(stop)) for lp in loops] + [asyncio.create_task(relay.run(stop))]
    try:
        webform = build_webform(tmp_path, publisher)
        transport = httpx.ASGITransport(app=webform.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://f") as c:
            sent = await c.post("/api/v1/tips", json={
                "narrative": "The cooks sleep in the kitchen.", "anonymous": False, "contact_name": "Sam Doe",
                "contact_email": "sam@example.org", "contact_phone": "214-555-0123",
                "consent_to_contact": True, "consent_to_share": True})
            assert sent.status_code == 202, sent.text
            reference, receipt = sent.json()["reference_number"], sent.json()["receipt"]

            def stored_signal() -> Signal | None:
                with review_db.read() as session:
                    return session.scalars(select(Signal).where(Signal.reference_number == reference)).first()

            signal = await wait_for(stored_signal, timeout=60, what="review to store the tip")
            # A report about it, not yet sent: its first step waits in reporting's ledger.
            request: ReportRequested = report_request(signal.signal_id, reference)

            def resolved() -> bool:
                with ledger_db.read() as session:
                    if session.get(SignalContent, signal.signal_id) is None:
                        return False
                ledger_store.record_request(request)
                return True

            await wait_for(resolved, timeout=60, what="reporting to keep the tip")
            protocols = load_protocols(write_fallback_protocol(
                tmp_path / "protocols", first_email="a@pd.example.gov", third_webhook="https://tf.example.gov/h"))
            [pending_report] = ledger_store.ready_to_resolve()
            resolution = resolve_request(protocols, pending_report.request, pending_report.victims)
            ledger_store.store_resolution(request.report_id, resolution,
                                          [full_chain(protocols, lookup) for lookup in resolution.lookups])

            wrong = await c.post("/en/erase", data={"reference_number": reference,
                                                    "receipt": "AAAA-AAAA-AAAA-AAAA-AAAA"})
            right = await c.post("/en/erase", data={"reference_number": reference, "receipt": receipt})
            assert wrong.status_code == right.status_code == 200

        [pending] = await wait_for(erasures.pending, timeout=60, what="review to keep the erasure request")
        assert pending.case_id == signal.case_id and pending.signals == 1
        erasures.confirm(pending.request.id, Actor("alice", "supervisor"))
        erasures_relay_wake()

        def erased_in_ledger() -> bool:
            with ledger_db.read() as session:
                content = session.get(SignalContent, signal.signal_id)
                return (content is not None and content.reporter is not None
                        and content.reporter["contact"] is None)

        await wait_for(erased_in_ledger, timeout=60, what="reporting to erase the contact details")
        with review_db.read() as session:
            stored = session.get(Signal, signal.signal_id)
            assert stored is not None and stored.reporter is not None and stored.reporter["contact"] is None
        ledger = Ledger(ledger_db, now=now, tokens=AckTokens(b"integration-test-ack-secret"),
                        lease=timedelta(seconds=30))
        [unsent] = ledger.claim()
        assert unsent.signal is not None
        document = json.dumps(redact(Audience.LAW_ENFORCEMENT, HEADER, unsent.signal))
        assert "The cooks sleep" in document
        assert not re.search(r"sam@example\.org|214-555-0123|Sam Doe", document)
        assert len(erasures.pending()) == 0  # the wrong receipt asked for nothing
    finally:
        stop.set()
        for task in tasks:
            with contextlib.suppress(ConsumerHalted, TimeoutError):
                await asyncio.wait_for(task, 30)
        review_db.dispose()
        ledger_db.dispose()
