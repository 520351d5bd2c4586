"""A tip with control characters, from the web intake's API to the review case store on PostgreSQL.

PostgreSQL refuses NUL in ``text`` and ``jsonb``; a tip carrying one used to be acknowledged by the
intake, then dead-lettered by review (ten in a row halt its consumer). The contracts strip control
characters, so the intake publishes clean text and review stores it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from contracts import CODEC, Topic
from contracts.events import SignalReceived
from services.review.cases import CaseStore
from services.review.db import SCHEMA, Database
from services.review.models import Signal
from services.runtime import InMemoryPublisher
from tests.databases import migrated
from tests.webform_support import NOW, build_webform

pytestmark = pytest.mark.postgres


@pytest.fixture
def db(postgres_url: str) -> Iterator[Database]:
    yield from migrated(SCHEMA, postgres_url)


async def test_a_tip_with_a_nul_reaches_the_postgresql_case_store(tmp_path: Path, db: Database) -> None:
    publisher = InMemoryPublisher()
    await publisher.start()
    webform = build_webform(tmp_path, publisher)
    tip = {"narrative": "She is 15\u0000 and kept\u0007 at the motel.\nRoom 12.", "anonymous": False,
           "contact_name": "Ro\u0000sa", "contact_email": "rosa@example.org", "consent_to_contact": True}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=webform.app), base_url="http://f") as c:
        response = await c.post("/api/v1/tips", json=tip)
    assert response.status_code == 202, response.text

    store = CaseStore(db, urgent_ack=timedelta(minutes=5), now=lambda: NOW)
    [stored] = publisher.records(Topic.SIGNALS_RECEIVED)
    decoded = CODEC.decode(stored.record.value, stored.record.headers)  # as review's consumer does
    assert isinstance(decoded.event, SignalReceived)
    assert store.apply_received(decoded.envelope.id, decoded.event) is not None

    with db.read() as session:
        row = session.scalars(select(Signal)).one()
    assert row.narrative == "She is 15 and kept at the motel.\nRoom 12."
    assert row.reference_number == response.json()["reference_number"]
    assert row.reporter is not None and row.reporter["contact"]["name"] == "Rosa"


async def test_a_record_published_before_the_fix_is_stored_too(db: Database) -> None:
    from tests.builders import received

    record = CODEC.encode(received(narrative="kept"), source="/hotline/intake-webform")
    value = record.value.replace(b'"kept"', b'"ke\\u0000pt"')  # as an older intake wrote it
    decoded = CODEC.decode(value, record.headers)
    assert isinstance(decoded.event, SignalReceived)
    store = CaseStore(db, urgent_ack=timedelta(minutes=5), now=lambda: NOW)
    assert store.apply_received(decoded.envelope.id, decoded.event) is not None
    with db.read() as session:
        assert session.scalars(select(Signal.narrative)).one() == "kept"
