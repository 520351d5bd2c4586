"""The queue and the case page show a minor's mandatory reports with their clock, and the queue
finds the cases that still owe them (HTML and the JSON API)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from contracts.events import Urgency
from contracts.reference_numbers import reference_for
from tests.builders import received, triaged
from tests.unit.test_review_web import App, login

MINOR = {"name": "minor", "raised": True, "evidence": [
    {"rule_id": "minor.declared_age", "origin": "declared", "field": "facts.victims[0].age"}]}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    built = App(tmp_path)
    yield built
    built.db.dispose()


def test_the_queue_lists_cases_owing_mandatory_reports_and_the_case_page_shows_the_clock(app: App) -> None:
    received_at = datetime.now(UTC) - timedelta(hours=30)  # already past its 24 hours
    signal = received(narrative="A girl of 15 sells flowers at night.", received_at=received_at)
    signal = signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"t")})
    app.store.apply_received("r1", signal)
    change = app.store.apply_triaged("t1", triaged(
        signal_id=signal.signal_id, reference_number=signal.reference_number, received_at=received_at,
        urgency=Urgency.P2_SAME_DAY, flags=[MINOR]))
    assert change is not None
    _, adult = app.urgent_case()
    with TestClient(app.app, base_url="http://review.test") as client:
        login(client, "ana")
        owing = client.get("/queue", params={"obligation": "owed"})
        assert owing.status_code == 200
        assert signal.reference_number in owing.text and adult not in owing.text
        assert "mandatory reports open" in owing.text
        assert 'name="obligation" value="owed" checked' in owing.text
        assert client.get("/queue", params={"obligation": "maybe"}).status_code == 422
        page = client.get(f"/cases/{change.case_id}")
        assert "Mandatory reports for a minor" in page.text
        assert "owed: request a law-enforcement report" in page.text
        section = page.text.split('id="obligation"')[1].split("</section>")[0]
        assert '<strong class="overdue-label">' in section
        listed = client.get("/api/v1/cases", params={"obligation": "owed"},
                            headers={"Authorization": f"Bearer {app.tokens['feed']}"}).json()["cases"]
    [case] = listed
    assert (case["obligation"], case["obligation_overdue"]) == ("open", True)
    assert case["obligation_due_at"] == (received_at + timedelta(hours=24)).isoformat()
