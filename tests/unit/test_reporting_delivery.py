"""The ledger's HTTP face: phone tasks and late acknowledgements; and the ledger's schema.

The ledger is a migrated SQLite file and its clock is the test's, so windows and leases pass
without sleeping. Delivery through the courier to relays on loopback is
tests/integration/test_reporting_relays.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import create_engine, inspect

from services.reporting.db import alembic_config, migrate
from services.reporting.ledger import AckResult
from services.reporting.tokens import AckTokens
from services.reporting.web import build_app
from tests.reporting_world import ACK_SECRET, NARRATIVE, PHONE, World, WorldFactory, email_to

SPECIALIST_TOKEN = "specialist-token-0123456789"


# ---------------------------------------------------------------- the HTTP app


@dataclass
class Changes:
    count: int = 0

    def __call__(self) -> None:
        self.count += 1


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://reporting.test")


def bearer(token: str = SPECIALIST_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def phone_world(make_world: WorldFactory) -> World:
    """A phone call first, then an email: the call task is open (its window of 10 minutes runs)."""
    world = make_world(("duty-phone", PHONE, "10m"), ("desk", email_to("desk@pd.example.gov"), "1h"))
    assert world.ledger.claim() == []  # a call is not sent: it opens as a task for a specialist
    return world


async def test_phone_tasks_need_the_specialist_token(phone_world: World) -> None:
    app = build_app(phone_world.ledger, specialist_token=SecretStr(SPECIALIST_TOKEN))
    async with client_for(app) as client:
        for headers in ({}, bearer("not-the-token"), {"Authorization": "Basic " + SPECIALIST_TOKEN},
                        {"Authorization": "Bearer "}):
            response = await client.get("/api/v1/phone-tasks", headers=headers)
            assert response.status_code == 401, headers
            assert response.json() == {"detail": "a specialist token is needed"}
            assert SPECIALIST_TOKEN not in response.text
        logged = await client.post("/api/v1/phone-tasks/1/outcomes", headers=bearer("not-the-token"),
                                   json={"outcome": "reached", "specialist": "sam"})
        assert logged.status_code == 401
        assert (await client.get("/api/v1/phone-tasks", headers=bearer())).status_code == 200
    assert phone_world.calls() == [] and phone_world.lookup().state == "open"


async def test_without_a_configured_token_nobody_gets_the_phone_tasks(phone_world: World) -> None:
    app = build_app(phone_world.ledger, specialist_token=None)
    async with client_for(app) as client:
        for headers in ({}, bearer(""), bearer()):
            assert (await client.get("/api/v1/phone-tasks", headers=headers)).status_code == 401


async def test_phone_tasks_list_the_contact_and_window_but_never_the_narrative(phone_world: World) -> None:
    app = build_app(phone_world.ledger, specialist_token=SecretStr(SPECIALIST_TOKEN))
    async with client_for(app) as client:
        response = await client.get("/api/v1/phone-tasks", headers=bearer())
    assert response.status_code == 200
    [task] = response.json()["tasks"]
    [phone, desk] = phone_world.steps()
    assert task["task_id"] == phone.id and task["report_id"] == str(phone_world.report_id)
    assert (task["victim"], task["step"], task["contact_id"]) == (0, 0, "duty-phone")
    assert task["contact"]["channels"] == [{"type": "phone", "number": "+1 713 555 0101", "label": None}]
    assert datetime.fromisoformat(task["due_at"]) == phone_world.clock.at + timedelta(minutes=10)
    assert NARRATIVE not in response.text and "passports" not in response.text
    assert "narrative" not in response.text and "reporter" not in response.text
    assert desk.state == "pending" and desk.activate_at is None  # the email waits for the call


async def test_unanswered_calls_keep_the_task_open_and_are_each_logged(phone_world: World) -> None:
    changes = Changes()
    app = build_app(phone_world.ledger, specialist_token=SecretStr(SPECIALIST_TOKEN), on_change=changes)
    [phone, _] = phone_world.steps()
    logged = [("no_answer", "sam", None), ("voicemail_left", "sam", "left the reference number"),
              ("callback_promised", "lee.k", "calls back before 17:00")]
    async with client_for(app) as client:
        for outcome, specialist, note in logged:
            phone_world.clock.advance(60)
            response = await client.post(f"/api/v1/phone-tasks/{phone.id}/outcomes", headers=bearer(),
                                         json={"outcome": outcome, "specialist": specialist, "note": note})
            assert response.status_code == 201, response.text
            assert response.json() == {"status": "logged"}
            [task] = (await client.get("/api/v1/phone-tasks", headers=bearer())).json()["tasks"]
            assert task["task_id"] == phone.id  # still open
    assert phone_world.calls() == [(phone.id, outcome, who, note) for outcome, who, note in logged]
    assert changes.count == 3
    assert [s.state for s in phone_world.steps()] == ["delivered", "pending"]
    assert phone_world.lookup().state == "open"
    assert phone_world.outcomes() == [(0, "delivered", None), (0, "no_answer", None),
                                      (0, "voicemail_left", None), (0, "callback_promised", None)]
    assert phone_world.ledger.claim() == []  # nothing else is due while the window runs


async def test_a_reached_call_completes_the_lookup_and_later_steps_are_never_sent(phone_world: World) -> None:
    changes = Changes()
    app = build_app(phone_world.ledger, specialist_token=SecretStr(SPECIALIST_TOKEN), on_change=changes)
    [phone, _] = phone_world.steps()
    async with client_for(app) as client:
        first = await client.post(f"/api/v1/phone-tasks/{phone.id}/outcomes", headers=bearer(),
                                  json={"outcome": "no_answer", "specialist": "sam"})
        reached = await client.post(f"/api/v1/phone-tasks/{phone.id}/outcomes", headers=bearer(),
                                    json={"outcome": "reached", "specialist": "sam", "note": "Sgt. on duty"})
        assert (first.status_code, reached.status_code) == (201, 201)
        assert (await client.get("/api/v1/phone-tasks", headers=bearer())).json() == {"tasks": []}
    assert changes.count == 2
    assert [c[1] for c in phone_world.calls()] == ["no_answer", "reached"]
    lookup = phone_world.lookup()
    assert lookup.state == "completed" and lookup.closed_at == phone_world.clock.at
    phone_world.clock.advance(3 * 3600)  # far past the call's window and the email's
    assert phone_world.ledger.expire() == 0
    assert phone_world.ledger.claim() == []
    [phone_after, desk] = phone_world.steps()
    assert phone_after.state == "acknowledged"
    assert (desk.state, desk.activate_at, desk.attempts) == ("pending", None, 0)
    assert phone_world.outcomes() == [(0, "delivered", None), (0, "no_answer", None), (0, "reached", None),
                                      (None, "completed", None)]


async def test_an_unknown_task_or_a_bad_outcome_gets_a_clear_4xx(phone_world: World) -> None:
    changes = Changes()
    app = build_app(phone_world.ledger, specialist_token=SecretStr(SPECIALIST_TOKEN), on_change=changes)
    [phone, desk] = phone_world.steps()
    async with client_for(app) as client:
        unknown = await client.post("/api/v1/phone-tasks/987654/outcomes", headers=bearer(),
                                    json={"outcome": "reached", "specialist": "sam"})
        assert unknown.status_code == 404
        assert unknown.json() == {"detail": "no open phone task with this id"}
        pending = await client.post(f"/api/v1/phone-tasks/{desk.id}/outcomes", headers=bearer(),
                                    json={"outcome": "reached", "specialist": "sam"})
        assert pending.status_code == 404
        bad = await client.post(f"/api/v1/phone-tasks/{phone.id}/outcomes", headers=bearer(),
                                json={"outcome": "hung_up", "specialist": "sam"})
        assert bad.status_code == 422
        [error] = bad.json()["detail"]
        assert error["loc"] == ["body", "outcome"]
        for allowed in ("reached", "no_answer", "voicemail_left", "callback_promised"):
            assert allowed in error["msg"]
        nobody = await client.post(f"/api/v1/phone-tasks/{phone.id}/outcomes", headers=bearer(),
                                   json={"outcome": "reached", "specialist": "Sam Smith"})
        assert nobody.status_code == 422 and nobody.json()["detail"][0]["loc"] == ["body", "specialist"]
        long_note = await client.post(f"/api/v1/phone-tasks/{phone.id}/outcomes", headers=bearer(),
                                      json={"outcome": "no_answer", "specialist": "sam", "note": "x" * 501})
        assert long_note.status_code == 422
        not_a_number = await client.post("/api/v1/phone-tasks/first/outcomes", headers=bearer(),
                                          json={"outcome": "reached", "specialist": "sam"})
        assert not_a_number.status_code == 422
    assert phone_world.calls() == [] and changes.count == 0
    assert phone_world.lookup().state == "open"
    assert [s.state for s in phone_world.steps()] == ["delivered", "pending"]


async def test_an_outcome_for_a_written_step_is_refused(make_world: WorldFactory) -> None:
    world = make_world(("desk", email_to("desk@pd.example.gov"), "1h"), ("duty-phone", PHONE, "10m"))
    [claim] = world.ledger.claim()
    assert claim.channel == "email" and world.ledger.delivered(claim)
    app = build_app(world.ledger, specialist_token=SecretStr(SPECIALIST_TOKEN))
    async with client_for(app) as client:
        response = await client.post(f"/api/v1/phone-tasks/{claim.step_id}/outcomes", headers=bearer(),
                                     json={"outcome": "reached", "specialist": "sam"})
        assert response.status_code == 404
        assert response.json() == {"detail": "no open phone task with this id"}
        assert (await client.get("/api/v1/phone-tasks", headers=bearer())).json() == {"tasks": []}
    assert world.calls() == []
    assert world.lookup().state == "open"
    assert [s.state for s in world.steps()] == ["delivered", "pending"]


# ---------------------------------------------------------------- acknowledgements


@pytest.fixture
def two_emails(make_world: WorldFactory) -> World:
    return make_world(("first", email_to("first@pd.example.gov"), "3s"),
                      ("second", email_to("second@so.example.gov"), "1m"))


def test_a_late_acknowledgement_completes_the_lookup_and_the_next_step_is_never_sent(
    two_emails: World,
) -> None:
    ledger, clock = two_emails.ledger, two_emails.clock
    [first] = ledger.claim()
    assert ledger.delivered(first)
    clock.advance(4)
    assert ledger.expire() == 1  # timed out: the second step is due now, not yet claimed
    [_, second] = two_emails.steps()
    assert (second.state, second.activate_at) == ("pending", clock.at)
    clock.advance(1)
    assert ledger.acknowledge(first.token) is AckResult.ACKNOWLEDGED
    assert ledger.claim() == []
    clock.advance(3600)
    assert ledger.expire() == 0 and ledger.claim() == []
    [first_after, second_after] = two_emails.steps()
    acknowledged_at = clock.at - timedelta(seconds=3600)
    assert (first_after.state, first_after.finished_at) == ("acknowledged", acknowledged_at)
    assert (second_after.state, second_after.attempts, second_after.sent_at) == ("pending", 0, None)
    assert two_emails.lookup().state == "completed"
    assert two_emails.outcomes() == [(0, "delivered", None), (0, "timed_out", None),
                                     (0, "acknowledged", None), (None, "completed", None)]
    assert ledger.acknowledge(first.token) is AckResult.ALREADY


def test_a_late_acknowledgement_after_the_next_step_went_out_completes_once(two_emails: World) -> None:
    ledger, clock = two_emails.ledger, two_emails.clock
    [first] = ledger.claim()
    ledger.delivered(first)
    clock.advance(4)
    ledger.expire()
    [second] = ledger.claim()
    assert second.step_index == 1 and ledger.delivered(second)
    assert ledger.acknowledge(first.token) is AckResult.ACKNOWLEDGED
    clock.advance(120)  # past the second step's window: the chain is done, it does not time out
    assert ledger.expire() == 0 and ledger.claim() == []
    assert ledger.acknowledge(second.token) is AckResult.ACKNOWLEDGED
    assert ledger.acknowledge(second.token) is AckResult.ALREADY
    assert ledger.acknowledge(first.token) is AckResult.ALREADY
    assert two_emails.outcomes() == [(0, "delivered", None), (0, "timed_out", None), (1, "delivered", None),
                                     (0, "acknowledged", None), (None, "completed", None),
                                     (1, "acknowledged", None)]


def test_an_unknown_or_unsent_token_acknowledges_nothing(two_emails: World) -> None:
    ledger = two_emails.ledger
    assert ledger.acknowledge("") is AckResult.UNKNOWN
    assert ledger.acknowledge("not-a-token") is AckResult.UNKNOWN
    # The second step's link, computed but never sent: no step holds its hash yet.
    unsent = AckTokens(ACK_SECRET).token(two_emails.report_id, 0, 1)
    assert ledger.acknowledge(unsent) is AckResult.UNKNOWN
    # Another secret's token for the very same step is not this ledger's.
    [first] = ledger.claim()
    forged = AckTokens(b"some-other-ack-secret").token(two_emails.report_id, 0, 0)
    assert forged != first.token and ledger.acknowledge(forged) is AckResult.UNKNOWN
    assert two_emails.lookup().state == "open" and two_emails.outcomes() == []


async def test_the_ack_link_shows_a_button_on_get_and_acknowledges_on_post(two_emails: World) -> None:
    changes = Changes()
    app = build_app(two_emails.ledger, specialist_token=SecretStr(SPECIALIST_TOKEN), on_change=changes)
    [claim] = two_emails.ledger.claim()
    two_emails.ledger.delivered(claim)
    async with client_for(app) as client:
        page = await client.get(f"/ack/{claim.token}")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert f'<form method="post" action="/ack/{claim.token}">' in page.text
        assert "I have received this report</button>" in page.text
        assert claim.reference_number in page.text and "Human Trafficking Hotline" in page.text
        assert "Not meant for you?" in page.text and "1-888-373-7888" in page.text
        assert (await client.get(f"/ack/{claim.token}")).status_code == 200  # a scanner following it twice
        assert [s.state for s in two_emails.steps()] == ["delivered", "pending"]
        assert changes.count == 0 and two_emails.outcomes() == [(0, "delivered", None)]

        done = await client.post(f"/ack/{claim.token}")
        assert done.status_code == 200 and "Thank you: the report is acknowledged." in done.text
        assert changes.count == 1
        again = await client.post(f"/ack/{claim.token}")
        assert again.status_code == 200 and "This report was already acknowledged" in again.text
        revisited = await client.get(f"/ack/{claim.token}")
        assert "This report was already acknowledged" in revisited.text and "<form" not in revisited.text
        unknown = await client.post("/ack/not-a-token")
        assert unknown.status_code == 404 and "This link is not valid" in unknown.text
        assert changes.count == 2  # the second POST told the others; the unknown link did not
    assert [s.state for s in two_emails.steps()] == ["acknowledged", "pending"]
    assert two_emails.outcomes() == [(0, "delivered", None), (0, "acknowledged", None),
                                     (None, "completed", None)]


# ---------------------------------------------------------------- the schema


def test_the_ledger_migrations_build_exactly_the_models_and_go_down_again(tmp_path: Path) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from services.reporting.models import Base

    url = f"sqlite:///{tmp_path / 'schema.sqlite3'}"
    migrate(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            assert set(inspect(connection).get_table_names()) == {*Base.metadata.tables, "alembic_version"}
        command.downgrade(alembic_config(url), "base")
        with engine.connect() as connection:
            assert inspect(connection).get_table_names() == ["alembic_version"]
        migrate(url)
        migrate(url)  # idempotent
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        engine.dispose()
