"""A texter's conversation in review: one case, its thread, media not kept, and replies only where
texts are safe for the texter, audited, with what the SMS intake did with each."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from contracts import CODEC
from contracts.events import (
    Channel,
    RelatedSignal,
    ReplyOutcome,
    ReplyOutcomeKind,
    ReplyRequested,
    Reporter,
    SafeContact,
    SignalReceived,
    SmsMedia,
    SmsSource,
)
from contracts.ids import signal_id_for
from contracts.reference_numbers import reference_for
from services.review.models import AuditEntry, OutboxRecord, TextReply
from tests.builders import T0
from tests.unit.test_review_web import App, login

pytestmark = pytest.mark.unit
SENDER = "7d1f0c2b9e8a4d6f5a3c1e0b9d8f7a6c"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    built = App(tmp_path)
    yield built
    built.db.dispose()


def text(n: int, body: str, *, opener: SignalReceived | None = None, text_ok: bool = False,
         keyword: str | None = None, media: list[SmsMedia] | None = None) -> SignalReceived:
    sid = f"SM{n:032x}"
    signal_id = signal_id_for("sms", f"twilio-sms:{sid}")
    return SignalReceived(
        signal_id=signal_id, reference_number=reference_for(str(signal_id), b"t"), channel=Channel.SMS,
        received_at=T0 + timedelta(minutes=n),
        source=SmsSource(message_sid=sid, sender_key=SENDER, sender_region_hint="US-TX",
                         conversation_id=opener.signal_id if opener else signal_id,
                         sequence=n, keyword=keyword, num_media=len(media or []), media=media or []),  # type: ignore[arg-type]
        dedup_key=f"twilio-sms:{sid}",
        reporter=Reporter(consent_to_contact=text_ok, safe_contact=SafeContact(text_ok=text_ok)),
        narrative=body,
        related=RelatedSignal(relation="follow_up", signal_id=opener.signal_id,
                              reference_number=opener.reference_number) if opener else None)


def conversation(app: App, *, last_ok: bool) -> tuple[uuid.UUID, list[SignalReceived]]:
    first = text(1, "they took my passport")
    second = text(2, "START", opener=first, text_ok=True, keyword="start",
                  media=[SmsMedia(declared_type="video/mp4", outcome="refused", reason="unsupported_type")])
    third = text(3, "im at the farm on route 9" if last_ok else "STOP", opener=first, text_ok=last_ok,
                 keyword=None if last_ok else "stop")
    changes = [app.store.apply_received(f"r{s.signal_id}", s) for s in (first, second, third)]
    assert all(c is not None for c in changes)
    case_ids = {c.case_id for c in changes if c is not None}
    assert len(case_ids) == 1, "three texts of one conversation are one case"
    return case_ids.pop(), [first, second, third]


def test_the_conversation_is_one_case_whose_page_shows_the_thread(app: App) -> None:
    case_id, texts = conversation(app, last_ok=True)
    with TestClient(app.app, base_url="http://review.test") as client:
        login(client, "ana")
        page = client.get(f"/cases/{case_id}").text
        for signal in texts:
            assert signal.narrative in page
        assert "Text 3 of the conversation" in page and "keyword <strong>START</strong>" in page
        assert re.search(r"video/mp4\) was not kept: it is not a type that can be cleaned", page)
        assert 'id="send-reply"' not in page  # analysts do not reply to texters
        api = client.get(f"/api/v1/cases/{case_id}").json()
    assert [s["text"]["sequence"] for s in api["signals"]] == [1, 2, 3]
    assert SENDER not in str(api) and api["texting"]["may_reply"] is True


def test_no_reply_where_texts_are_not_safe_for_the_texter(app: App) -> None:
    case_id, _ = conversation(app, last_ok=False)
    with TestClient(app.app, base_url="http://review.test") as client:
        csrf = login(client, "alice")
        client.post(f"/cases/{case_id}/actions/claim", data={"csrf_token": csrf})
        page = client.get(f"/cases/{case_id}").text
        assert "The texter sent STOP" in page and 'id="send-reply"' not in page
        refused = client.post(f"/cases/{case_id}/actions/reply",
                              data={"csrf_token": csrf, "body": "Are you ok?"})
        assert refused.status_code == 403 and "STOP" in refused.text
    with app.db.read() as session:
        assert session.scalars(select(TextReply)).all() == []
        assert not [r for r in session.scalars(select(OutboxRecord)) if r.topic == "replies.requested"]


def test_a_supervisors_reply_is_audited_and_requested_and_its_outcome_shown(app: App) -> None:
    case_id, texts = conversation(app, last_ok=True)
    with TestClient(app.app, base_url="http://review.test") as client:
        csrf = login(client, "alice")
        unclaimed = client.post(f"/cases/{case_id}/actions/reply", data={"csrf_token": csrf, "body": "Hello"})
        assert unclaimed.status_code == 409
        client.post(f"/cases/{case_id}/actions/claim", data={"csrf_token": csrf})
        assert 'id="send-reply"' in client.get(f"/cases/{case_id}").text
        body = "We got your messages. Is it safe to call you at 6?"
        sent = client.post(f"/cases/{case_id}/actions/reply", data={"csrf_token": csrf, "body": body},
                           follow_redirects=False)
        assert sent.status_code == 303
        assert "waiting for the SMS intake" in client.get(f"/cases/{case_id}").text
    with app.db.read() as session:
        [reply] = session.scalars(select(TextReply)).all()
        [record] = [r for r in session.scalars(select(OutboxRecord)) if r.topic == "replies.requested"]
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "text_reply")).one()
    request = CODEC.decode(record.value.encode(), [(k, v.encode()) for k, v in record.headers]).event
    assert isinstance(request, ReplyRequested)
    assert (request.reply_id, request.recipient_key, request.body) == (reply.id, SENDER, body)
    assert request.signal_id == texts[-1].signal_id and request.requested_by_role == "supervisor"
    assert record.key == SENDER
    assert entry.detail["reply_id"] == str(reply.id) and len(entry.detail["sha256"]) == 64
    assert body not in str(entry.detail)  # the words stay with the reply; the trail keeps their digest

    outcome = ReplyOutcome(reply_id=reply.id, case_id=case_id, signal_id=request.signal_id,
                           kind=ReplyOutcomeKind.REFUSED, reason="names_hotline", occurred_at=T0)
    assert app.store.apply_reply_outcome("o1", outcome) is not None
    assert app.store.apply_reply_outcome("o1", outcome) is None  # a redelivery changes nothing
    with TestClient(app.app, base_url="http://review.test") as client:
        login(client, "alice")
        page = client.get(f"/cases/{case_id}").text
        assert "not sent</strong>: it named the hotline" in page
    with app.db.read() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "text_reply_refused")).one()
