"""The legal-hold control on the case page: supervisors place and release a hold with a reason
(audited); analysts see it but cannot change it."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from services.review.holds import Holds
from services.review.models import AuditEntry
from tests.unit.test_review_web import App, app, login

__all__ = ["app"]


def test_a_supervisor_places_and_releases_a_hold_from_the_case_page(app: App) -> None:
    case_id, reference = app.urgent_case()
    with TestClient(app.app, base_url="http://review.test") as alice:
        csrf = login(alice, "alice")
        page = alice.get(f"/cases/{case_id}")
        assert "Not on legal hold" in page.text and "Place a legal hold" in page.text

        missing = alice.post(f"/cases/{case_id}/hold", data={"csrf_token": csrf, "reason": "  "})
        assert missing.status_code == 409 and "needs a reason" in missing.text
        forged = alice.post(f"/cases/{case_id}/hold", data={"reason": "order 7"}, follow_redirects=False)
        assert forged.status_code == 403  # no CSRF token

        placed = alice.post(f"/cases/{case_id}/hold", data={"csrf_token": csrf, "reason": "subpoena 2026-77"},
                            follow_redirects=False)
        assert placed.status_code == 303
        page = alice.get(f"/cases/{case_id}")
        assert "On legal hold since" in page.text and "subpoena 2026-77" in page.text
        assert Holds(app.db, now=lambda: datetime.now(UTC)).of(case_id) is not None

        released = alice.post(f"/cases/{case_id}/hold/release",
                              data={"csrf_token": csrf, "reason": "order lifted"}, follow_redirects=False)
        assert released.status_code == 303
        assert "Not on legal hold" in alice.get(f"/cases/{case_id}").text
    with app.db.read() as session:
        trail = [(e.actor, e.action, e.detail.get("reason")) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id, AuditEntry.action.like("legal_hold%"))
            .order_by(AuditEntry.seq))]
    assert trail == [("alice", "legal_hold_placed", "subpoena 2026-77"),
                     ("alice", "legal_hold_released", "order lifted")]
    assert Holds(app.db, now=lambda: datetime.now(UTC)).all() == [] and reference


def test_an_analyst_sees_a_hold_but_cannot_place_or_release_one(app: App) -> None:
    case_id, reference = app.urgent_case()
    holds = Holds(app.db, now=lambda: datetime.now(UTC))
    holds.place(reference, by="alice", role="supervisor", reason="order 9")
    with TestClient(app.app, base_url="http://review.test") as ana:
        csrf = login(ana, "ana")
        page = ana.get(f"/cases/{case_id}")
        assert "On legal hold since" in page.text and "Release the hold" not in page.text
        refused = ana.post(f"/cases/{case_id}/hold/release", data={"csrf_token": csrf, "reason": "mine now"},
                           follow_redirects=False)
        assert refused.status_code == 403
    assert Holds(app.db, now=lambda: datetime.now(UTC)).of(case_id) is not None
