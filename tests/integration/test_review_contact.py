"""The contact-the-reporter task through review's web app, on SQLite and on PostgreSQL.

A web tipster left a phone number, asked to be called on weekdays after 6pm, said texts are safe
and voicemail is not. Before six a call is refused unless a reason is stated; a voicemail is
refused at any time; every view of the details and every attempt (and refusal) is in the audit
chain, and the chain still verifies.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from contracts.events import ContactDetails, Reporter, SafeContact
from contracts.reference_numbers import reference_for
from services.review import audit
from services.review.auth import Auth, Role
from services.review.cases import CaseStore
from services.review.db import Database, migrate
from services.review.decisions import Decisions
from services.review.live import LiveHub
from services.review.models import AuditEntry, ContactAttempt
from services.review.web import build_app
from services.runtime.blobs import BlobReader
from tests.builders import received

pytestmark = pytest.mark.postgres

PASSWORD = "correct horse battery staple"
PHONE = "+1 555 0100"
# Monday 16 March 2026, New York (EDT): half past five, then six.
HALF_FIVE = datetime(2026, 3, 16, 21, 30, tzinfo=UTC)
SIX = datetime(2026, 3, 16, 22, 0, tzinfo=UTC)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class Review:
    def __init__(self, url: str, tmp_path: Path) -> None:
        migrate(url)
        self.db = Database(url)
        self.clock = Clock(HALF_FIVE)
        self.auth = Auth(self.db, session_ttl=timedelta(hours=1), cookie_secure=False,
                         now=lambda: datetime.now(UTC))
        self.store = CaseStore(self.db, urgent_ack=timedelta(minutes=5), now=self.clock)
        decisions = Decisions(self.db, now=self.clock, claim_ttl=timedelta(days=30))
        self.app = build_app(auth=self.auth, decisions=decisions, live=LiveHub(),
                             blobs=BlobReader([tmp_path / "blobs"]), now=self.clock)
        for name, role in (("alice", Role.SUPERVISOR), ("ana", Role.ANALYST)):
            self.auth.create_user(name, name.title(), role, PASSWORD)

    def tip(self, time_zone: str | None = None) -> tuple[uuid.UUID, uuid.UUID]:
        reporter = Reporter(
            anonymous=False, consent_to_contact=True,
            contact=ContactDetails(name="Rosa Example", phone=PHONE),
            safe_contact=SafeContact(safe_times="weekdays after 6pm", voicemail_ok=False, text_ok=True,
                                     instructions="Hang up if a man answers.", time_zone=time_zone))
        signal = received(reporter=reporter, received_at=HALF_FIVE - timedelta(hours=2))
        signal = signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"t")})
        change = self.store.apply_received(f"r{signal.signal_id}", signal)
        assert change is not None
        return change.case_id, signal.signal_id

    def trail(self, case_id: uuid.UUID) -> list[AuditEntry]:
        with self.db.read() as session:
            return list(session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)
                                        .order_by(AuditEntry.seq)))

    def attempts(self) -> list[ContactAttempt]:
        with self.db.read() as session:
            return list(session.scalars(select(ContactAttempt).order_by(ContactAttempt.attempted_at,
                                                                        ContactAttempt.outcome)))


@pytest.fixture(params=["sqlite", "postgresql"])
def review(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Review]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    built = Review(url, tmp_path)
    yield built
    built.db.dispose()


def login(client: TestClient, username: str) -> str:
    response = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/queue"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/queue").text)
    assert match, "the pages carry a CSRF token"
    return match[1]


def log(client: TestClient, csrf: str, case_id: uuid.UUID, signal_id: uuid.UUID, outcome: str,
        override_reason: str = "") -> tuple[int, str]:
    response = client.post(f"/cases/{case_id}/contact/attempts", follow_redirects=False, data={
        "csrf_token": csrf, "signal_id": str(signal_id), "outcome": outcome,
        "override_reason": override_reason})
    return response.status_code, response.text


def test_the_task_waits_for_the_safe_times_refuses_what_breaks_them_and_is_audited(review: Review) -> None:
    case_id, signal_id = review.tip()
    with (TestClient(review.app, base_url="http://review.test") as alice,
          TestClient(review.app, base_url="http://review.test") as ana):
        csrf = login(alice, "alice")
        login(ana, "ana")

        # The case page says the task waits, and shows no contact details to anyone.
        page = ana.get(f"/cases/{case_id}").text
        assert "Contact the reporter" in page and "Waits until" in page and "6:00 PM EDT" in page
        assert PHONE not in page and "Hang up" not in page
        assert ana.get(f"/cases/{case_id}/contact").status_code == 403  # supervisors only
        assert review.trail(case_id) == []  # a refused view shows nothing and records nothing

        task = alice.get(f"/cases/{case_id}/contact")
        assert task.status_code == 200
        for shown in (PHONE, "Rosa Example", "weekdays after 6pm", "Hang up if a man answers.",
                      "not safe: never leave one", "this task waits until", "6:00 PM EDT"):
            assert shown in task.text, shown
        assert 'value="left_voicemail"' not in task.text  # not offered where it is unsafe
        assert [e.action for e in review.trail(case_id)] == ["view_contact"]

        status, text = log(alice, csrf, case_id, signal_id, "no_answer")
        assert status == 409 and "claim" in text  # no two people call a reporter at once
        assert alice.post(f"/cases/{case_id}/actions/claim", data={"csrf_token": csrf},
                          follow_redirects=False).status_code == 303

        status, text = log(alice, csrf, case_id, signal_id, "no_answer")
        assert status == 409 and "outside the reporter&#39;s safe times" in text
        assert "Mon Mar 16, 6:00 PM EDT" in text
        status, _ = log(alice, csrf, case_id, signal_id, "no_answer",
                        override_reason="imminent danger: she said they move her tonight")
        assert status == 303

        review.clock.at = SIX
        status, text = log(alice, csrf, case_id, signal_id, "left_voicemail")
        assert status == 409 and "voicemail" in text
        assert log(alice, csrf, case_id, signal_id, "sent_text")[0] == 303
        assert log(alice, csrf, case_id, signal_id, "spoke_with_them")[0] == 303

        logged = alice.get(f"/cases/{case_id}/contact").text
        assert "outside the safe times: imminent danger" in logged and "reached" in logged
        assert "reached" in ana.get(f"/cases/{case_id}").text

    assert [(a.outcome, a.outside_safe_times, a.attempted_at) for a in review.attempts()] == [
        ("no_answer", True, HALF_FIVE), ("sent_text", False, SIX), ("spoke_with_them", False, SIX)]
    trail = review.trail(case_id)
    assert [(e.action, e.detail.get("outcome")) for e in trail] == [
        ("view_contact", None), ("claim", None), ("contact_refused", "no_answer"),
        ("contact_attempt", "no_answer"), ("contact_refused", "left_voicemail"),
        ("contact_attempt", "sent_text"), ("contact_attempt", "spoke_with_them"), ("view_contact", None)]
    assert trail[3].detail["outside_safe_times"] is True and trail[3].detail["reason"].startswith("imminent")
    assert all(PHONE not in str(e.detail) and "Rosa" not in str(e.detail) for e in trail)
    assert audit.verify(review.db).ok


def test_an_analyst_cannot_log_contact_and_an_unknown_outcome_is_refused_clearly(review: Review) -> None:
    case_id, signal_id = review.tip()
    review.clock.at = SIX
    with (TestClient(review.app, base_url="http://review.test") as alice,
          TestClient(review.app, base_url="http://review.test") as ana):
        csrf_ana, csrf = login(ana, "ana"), login(alice, "alice")
        assert ana.post(f"/cases/{case_id}/actions/claim", data={"csrf_token": csrf_ana},
                        follow_redirects=False).status_code == 303
        status, text = log(ana, csrf_ana, case_id, signal_id, "spoke_with_them")
        assert status == 403 and "only a supervisor" in text
        assert ana.post(f"/cases/{case_id}/actions/release", data={"csrf_token": csrf_ana},
                        follow_redirects=False).status_code == 303
        alice.post(f"/cases/{case_id}/actions/claim", data={"csrf_token": csrf})
        status, text = log(alice, csrf, case_id, signal_id, "rang_the_doorbell")
        assert status == 409 and "choose what happened" in text
        status, text = log(alice, csrf, case_id, uuid.uuid4(), "spoke_with_them")
        assert status == 404
        assert alice.post(f"/cases/{case_id}/actions/close", follow_redirects=False, data={
            "csrf_token": csrf, "close_reason": "no_action_needed"}).status_code == 303
        status, text = log(alice, csrf, case_id, signal_id, "spoke_with_them")
        assert status == 409 and "is closed" in text
    assert review.attempts() == []


def test_safe_times_are_read_on_the_reporters_clock_when_they_chose_one(review: Review) -> None:
    case_id, signal_id = review.tip(time_zone="America/Los_Angeles")
    review.clock.at = SIX  # 18:00 in New York is 15:00 in Los Angeles
    with TestClient(review.app, base_url="http://review.test") as alice:
        csrf = login(alice, "alice")
        page = alice.get(f"/cases/{case_id}/contact").text
        assert "America/Los_Angeles, the reporter&#39;s zone" in page
        assert "Mon Mar 16, 9:00 PM EDT" in page and "Mon 18:00 PDT for the reporter" in page
        alice.post(f"/cases/{case_id}/actions/claim", data={"csrf_token": csrf})
        status, text = log(alice, csrf, case_id, signal_id, "spoke_with_them")
        assert status == 409 and "outside the reporter&#39;s safe times" in text
        review.clock.at = SIX + timedelta(hours=3)
        assert log(alice, csrf, case_id, signal_id, "wrong_person_answered")[0] == 303
        assert "Someone else answered the last attempt" in alice.get(f"/cases/{case_id}/contact").text

