"""The supervisors' erasure page: who sees and decides what, the CSRF token, the two-person rule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from contracts.events import ContactDetails, ErasureRequested, Reporter
from contracts.ids import derive_id
from services.review.models import ErasureRequest, Signal
from tests.unit.test_review_cases import received
from tests.unit.test_review_web import App, login


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    built = App(tmp_path)
    yield built
    built.db.dispose()


def _reported(app: App) -> Signal:
    signal = received(reporter=Reporter(anonymous=False, consent_to_contact=True,
                                        contact=ContactDetails(email="sam@example.org")))
    app.store.apply_received(f"r{signal.signal_id}", signal)
    with app.db.read() as session:
        stored = session.get(Signal, signal.signal_id)
        assert stored is not None
        return stored


def test_a_supervisor_confirms_a_reporters_request_from_the_page(app: App) -> None:
    from services.review.erasure import Erasures

    signal = _reported(app)
    erasures = Erasures(app.db, now=lambda: datetime.now(UTC))
    request = ErasureRequested(request_id=derive_id("erasure.request", signal.reference_number, "w"),
                               reference_number=signal.reference_number, requested_at=datetime.now(UTC))
    erasures.record_request("e-1", request)
    with TestClient(app.app) as analyst:
        login(analyst, "ana")
        assert analyst.get("/erasures").status_code == 403
    with TestClient(app.app) as client:
        csrf = login(client, "alice")
        page = client.get("/erasures").text
        assert signal.reference_number in page and "the reporter (receipt checked)" in page
        assert "sam@example.org" not in page  # the page names the request, never the details
        forged = client.post(f"/erasures/{request.request_id}/confirm", follow_redirects=False)
        assert forged.status_code == 403  # no CSRF token
        done = client.post(f"/erasures/{request.request_id}/confirm", data={"csrf_token": csrf},
                           follow_redirects=False)
        assert done.status_code == 303
        assert "erasure was confirmed" in client.get(done.headers["location"]).text
    with app.db.read() as session:
        stored = session.get(Signal, signal.signal_id)
        assert stored is not None and stored.reporter is not None and stored.reporter["contact"] is None


def test_staffs_content_erasure_is_approved_by_another_supervisor_only(app: App) -> None:
    signal = _reported(app)
    with TestClient(app.app) as alice:
        csrf = login(alice, "alice")
        asked = alice.post("/erasures/content", follow_redirects=False, data={
            "csrf_token": csrf, "reference_number": signal.reference_number,
            "reason": "court order 2026-CV-0042"})
        assert asked.status_code == 303
        with app.db.read() as session:
            row = session.query(ErasureRequest).one()
        page = alice.get("/erasures").text
        assert "another supervisor decides" in page and f"/erasures/{row.id}/confirm" not in page
        refused = alice.post(f"/erasures/{row.id}/confirm", data={"csrf_token": csrf})
        assert refused.status_code == 403 and "second supervisor" in refused.text
    with TestClient(app.app) as bob:
        csrf = login(bob, "bob")
        assert f"/erasures/{row.id}/confirm" in bob.get("/erasures").text
        assert bob.post(f"/erasures/{row.id}/confirm", data={"csrf_token": csrf},
                        follow_redirects=False).status_code == 303
    with app.db.read() as session:
        stored = session.get(Signal, signal.signal_id)
        assert stored is not None and stored.narrative == "[erased]"


def test_refusals_and_rejections_are_answered_on_the_page(app: App) -> None:
    from services.review.erasure import Erasures

    signal = _reported(app)
    request = ErasureRequested(request_id=derive_id("erasure.request", signal.reference_number, "r"),
                               reference_number=signal.reference_number, requested_at=datetime.now(UTC))
    Erasures(app.db, now=lambda: datetime.now(UTC)).record_request("e-2", request)
    with TestClient(app.app) as client:
        csrf = login(client, "alice")
        garbled = client.post("/erasures/content", headers={"accept": "text/html"}, data={
            "csrf_token": csrf, "reference_number": "not a number", "reason": "court order 2026-CV-0042"})
        assert garbled.status_code == 409 and "not a valid reference number" in garbled.text
        assert 'href="/erasures"' in garbled.text
        unknown = client.post(f"/erasures/{request.request_id}/shred", data={"csrf_token": csrf})
        assert unknown.status_code == 404 and "no such action" in unknown.text
        unexplained = client.post(f"/erasures/{request.request_id}/reject", data={"csrf_token": csrf})
        assert unexplained.status_code == 409 and "say why" in unexplained.text
        rejected = client.post(f"/erasures/{request.request_id}/reject", follow_redirects=False,
                               data={"csrf_token": csrf, "reason": "a duplicate of an earlier request"})
        assert rejected.status_code == 303 and rejected.headers["location"] == "/erasures?done=rejected"
        assert "The request was rejected." in client.get(rejected.headers["location"]).text
    with app.db.read() as session:
        row = session.get(ErasureRequest, request.request_id)
        assert row is not None and row.status == "rejected"
        stored = session.get(Signal, signal.signal_id)
        assert stored is not None and stored.reporter is not None and stored.reporter["contact"] is not None
