"""The review app over HTTP (in-process, SQLite): pages, the API, and who may do what."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from contracts.events import (
    AgeRange,
    Answer,
    AttachmentRef,
    CallType,
    DeclaredFacts,
    DeclaredTraffickingType,
    Gender,
    Location,
    Nationality,
    OutcomeKind,
    ReportNeed,
    ReportOutcome,
    Route,
    RoutingTarget,
    Urgency,
    Victim,
)
from contracts.reference_numbers import reference_for
from services.review.auth import Auth, Role
from services.review.cases import CaseStore
from services.review.db import Database, migrate
from services.review.decisions import Actor, Decisions
from services.review.facts import declared
from services.review.live import LiveHub
from services.review.models import AuditEntry, Signal
from services.review.web import ACTIONS, build_app
from services.runtime.blobs import BlobReader, BlobStore
from tests.builders import received, reference_with_lookalikes, triaged, written_forms

PASSWORD = "correct horse battery staple"
NARRATIVE = "My niece, 15, is locked in the back room of the spa tonight."


class App:
    def __init__(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
        migrate(url)
        self.db = Database(url)
        now = lambda: datetime.now(UTC)  # noqa: E731
        self.auth = Auth(self.db, session_ttl=timedelta(hours=1), cookie_secure=False, now=now)
        self.store = CaseStore(self.db, urgent_ack=timedelta(minutes=5), now=now)
        self.decisions = Decisions(self.db, now=now, claim_ttl=timedelta(minutes=30))
        # Each intake keeps its own blob folder; review is given all of them.
        self.web_blobs, self.email_blobs = tmp_path / "webform-blobs", tmp_path / "email-blobs"
        self.app = build_app(
            auth=self.auth, decisions=self.decisions, live=LiveHub(),
            blobs=BlobReader([self.web_blobs, self.email_blobs]), now=now
        )
        self.tokens: dict[str, str] = {}
        for name, role in (
            ("alice", Role.SUPERVISOR),
            ("bob", Role.SUPERVISOR),
            ("ana", Role.ANALYST),
            ("adm", Role.ADMIN),
        ):
            self.auth.create_user(name, name.title(), role, PASSWORD)
            self.tokens[name] = self.auth.create_token(name, "tests")
        self.auth.create_user("feed", "Feed", Role.SERVICE, None)
        self.tokens["feed"] = self.auth.create_token("feed", "tests")

    def urgent_case(self) -> tuple[uuid.UUID, str]:
        signal = received(narrative=NARRATIVE)
        signal = signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"t")})
        self.store.apply_received(f"r{signal.signal_id}", signal)
        start = NARRATIVE.index("locked in")
        change = self.store.apply_triaged(
            f"t{signal.signal_id}",
            triaged(
                signal_id=signal.signal_id,
                reference_number=signal.reference_number,
                urgency=Urgency.P2_SAME_DAY,
                flags=[
                    {
                        "name": "imminent_danger",
                        "raised": True,
                        "evidence": [
                            {
                                "rule_id": "danger.confined",
                                "origin": "text",
                                "field": "narrative",
                                "start": start,
                                "end": start + 9,
                                "matched_text": "locked in",
                            }
                        ],
                    }
                ],
            ),
        )
        assert change is not None
        return change.case_id, signal.reference_number


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    built = App(tmp_path)
    yield built
    built.db.dispose()


def login(client: TestClient, username: str) -> str:
    """Sign in through the form; returns the CSRF token the pages carry."""
    page = client.get("/login")
    assert page.status_code == 200
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "next": "/queue"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    queue = client.get("/queue")
    match = re.search(r'name="csrf_token" value="([^"]+)"', queue.text) or re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/queue").text
    )
    assert match, "the pages carry a CSRF token for their forms"
    return match[1]


def test_the_queue_and_case_page_show_the_work_and_the_evidence(app: App) -> None:
    case_id, reference = app.urgent_case()
    with TestClient(app.app, base_url="http://review.test") as client:
        login(client, "ana")
        queue = client.get("/queue")
        assert reference in queue.text and "P2 same day" in queue.text
        page = client.get(f"/cases/{case_id}")
        assert page.status_code == 200
        assert re.search(r'<mark class="ev ev-imminent_danger[^"]*"[^>]*>locked in</mark>', page.text)
        assert page.headers["cache-control"] == "no-store"
        assert "default-src 'none'" in page.headers["content-security-policy"]


def test_the_case_page_shows_the_models_reasons_and_why_a_person_must_read_it(app: App) -> None:
    text = "Une fille de 15 ans est enfermée ce soir."
    signal = received(narrative=text)
    signal = signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"t")})
    app.store.apply_received(f"r{signal.signal_id}", signal)
    change = app.store.apply_triaged(f"t{signal.signal_id}", triaged(
        signal_id=signal.signal_id, reference_number=signal.reference_number, urgency=Urgency.P2_SAME_DAY,
        rules_version="2026.12.1+mabc123",
        flags=[{"name": "minor", "raised": True, "evidence": [
            {"rule_id": "multilingual.age", "origin": "text", "field": "narrative", "start": 14, "end": 20,
             "matched_text": "15 ans"},
            {"rule_id": "model.minor", "origin": "text", "field": "narrative", "start": 4, "end": 9,
             "matched_text": "fille"},
            {"rule_id": "model.minor", "origin": "metadata", "field": "model",
             "matched_text": "probability 0.91"}]}],
        needs_human_triage={"reason": "unassessed_language", "language": "fr"}))
    assert change is not None
    with TestClient(app.app, base_url="http://review.test") as client:
        login(client, "ana")
        page = client.get(f"/cases/{change.case_id}").text
    assert "2026.12.1+mabc123" in page
    assert "written in a language triage does not read" in page and "(language: fr)" in page
    assert "with an interpreter" in page
    reasons = re.search(r'<span class="evidence model">(.*?)</span>', page, re.S)
    assert reasons and "&ldquo;fille&rdquo;" in reasons[1] and "probability 0.91" in reasons[1]
    assert "multilingual.age: &ldquo;15 ans&rdquo;" in page


def test_the_case_page_says_when_triage_could_not_tell_the_language(app: App) -> None:
    signal = received(narrative="Kuv tus tij laug ua hauj lwm hauv ib lub khw, tus tswv tsis them nyiaj.")
    signal = signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"u")})
    app.store.apply_received(f"r{signal.signal_id}", signal)
    change = app.store.apply_triaged(f"t{signal.signal_id}", triaged(
        signal_id=signal.signal_id, reference_number=signal.reference_number, urgency=Urgency.P2_SAME_DAY,
        needs_human_triage={"reason": "unassessed_language", "language": "und"}))
    assert change is not None
    with TestClient(app.app, base_url="http://review.test") as client:
        login(client, "ana")
        page = client.get(f"/cases/{change.case_id}").text
    assert "written in a language triage does not read" in page and "a language it could not tell" in page
    assert "language: und" not in page


def test_two_people_a_claim_a_request_and_an_approval_through_the_forms(app: App) -> None:
    case_id, _ = app.urgent_case()
    with (
        TestClient(app.app, base_url="http://review.test") as alice,
        TestClient(app.app, base_url="http://review.test") as bob,
    ):
        csrf_a, csrf_b = login(alice, "alice"), login(bob, "bob")
        assert (
            alice.post(
                f"/cases/{case_id}/actions/claim", data={"csrf_token": csrf_a}, follow_redirects=False
            ).status_code
            == 303
        )
        taken = bob.post(f"/cases/{case_id}/actions/claim", data={"csrf_token": csrf_b})
        assert taken.status_code == 409 and "being worked by alice" in taken.text
        assert (
            alice.post(
                f"/cases/{case_id}/actions/le_report",
                data={"csrf_token": csrf_a, "need": "tip_reporting", "reason": "minor at the spa"},
                follow_redirects=False,
            ).status_code
            == 303
        )
        page = bob.get(f"/cases/{case_id}")
        decision_id = re.search(r'name="decision_id" value="([^"]+)"', page.text)[1]  # type: ignore[index]
        own = alice.post(
            f"/cases/{case_id}/actions/approve", data={"csrf_token": csrf_a, "decision_id": decision_id}
        )
        assert own.status_code == 403 and "second person" in own.text
        approved = bob.post(
            f"/cases/{case_id}/actions/approve",
            data={"csrf_token": csrf_b, "decision_id": decision_id},
            follow_redirects=False,
        )
        assert approved.status_code == 303
        api = bob.get(f"/api/v1/cases/{case_id}").json()
        assert [d["status"] for d in api["decisions"] if d["kind"] == "le_report"] == ["effective"]


def test_reporter_details_are_revealed_only_to_a_supervisor_with_a_reason(app: App) -> None:
    case_id, _ = app.urgent_case()
    with (
        TestClient(app.app, base_url="http://review.test") as analyst,
        TestClient(app.app, base_url="http://review.test") as supervisor,
    ):
        csrf_an, csrf_su = login(analyst, "ana"), login(supervisor, "alice")
        assert (
            analyst.post(
                f"/cases/{case_id}/actions/reveal",
                data={"csrf_token": csrf_an, "reason": "I would like to call them"},
            ).status_code
            == 403
        )
        short = supervisor.post(
            f"/cases/{case_id}/actions/reveal", data={"csrf_token": csrf_su, "reason": "x"}
        )
        assert short.status_code == 409
        shown = supervisor.post(
            f"/cases/{case_id}/actions/reveal",
            data={"csrf_token": csrf_su, "reason": "Reporter asked to be called back today"},
        )
        assert shown.status_code == 200 and "Who reported" in shown.text
        history = supervisor.get(f"/cases/{case_id}").text
        assert "reveal reporter (Reporter asked to be called back today)" in history


# ------------------------------------------------------------------ who may do what


def _routes(app: App) -> list[tuple[str, str]]:
    """Every route the app serves, including those of included routers."""
    found = []

    def walk(routes: list[object], prefix: str) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                walk(included.routes, prefix + getattr(getattr(route, "include_context", None), "prefix", ""))
            elif isinstance(route, APIRoute):
                found.extend((method, prefix + route.path) for method in route.methods)

    walk(list(app.app.routes), "")
    # The sign-in's own steps answer everyone without a pending sign-in by sending them back to the
    # password (the route inventory checks that); every other route refuses outright.
    return sorted((m, p) for m, p in set(found) if p not in ("/login", "/login/code", "/login/enrol", "/"))


def _fill(path: str, case_id: uuid.UUID) -> list[str]:
    if "{action}" in path:
        return [path.replace("{case_id}", str(case_id)).replace("{action}", a) for a in ACTIONS]
    return [path.replace("{case_id}", str(case_id)).replace("{sha256}", "0" * 64)]


def test_every_endpoint_refuses_the_unauthenticated(app: App) -> None:
    case_id, _ = app.urgent_case()
    with TestClient(app.app, base_url="http://review.test") as client:
        routes = _routes(app)
        assert len(routes) >= 8
        for method, path in routes:
            for url in _fill(path, case_id):
                api = client.request(
                    method, url, headers={"Accept": "application/json"}, follow_redirects=False
                )
                assert api.status_code == 401 or (
                    method == "POST" and path == "/logout" and api.status_code in (303, 401, 403)
                ), (method, url, api.status_code)
                page = client.request(method, url, headers={"Accept": "text/html"}, follow_redirects=False)
                if not url.startswith("/api/"):
                    assert page.status_code in (303, 401, 403), (method, url, page.status_code)
                    if page.status_code == 303:
                        assert page.headers["location"].startswith("/login")


def test_every_action_refuses_the_wrong_role_and_service_accounts_only_read(app: App) -> None:
    case_id, _ = app.urgent_case()
    with TestClient(app.app, base_url="http://review.test") as client:
        for action, roles in ACTIONS.items():
            for user, role in (("ana", Role.ANALYST), ("feed", Role.SERVICE)):
                if role in roles:
                    continue
                response = client.post(
                    f"/api/v1/cases/{case_id}/actions/{action}",
                    json={},
                    headers={"Authorization": f"Bearer {app.tokens[user]}"},
                )
                assert response.status_code == 403, (action, user, response.text)
        feed = {"Authorization": f"Bearer {app.tokens['feed']}"}
        assert client.get("/api/v1/cases", headers=feed).status_code == 200
        assert client.get("/queue", headers={**feed, "Accept": "text/html"}).status_code == 403
        assert client.get("/events", headers=feed).status_code == 403


def test_a_form_post_without_the_csrf_token_is_refused(app: App) -> None:
    case_id, _ = app.urgent_case()
    with TestClient(app.app, base_url="http://review.test") as client:
        csrf = login(client, "alice")
        for data in ({}, {"csrf_token": "not-the-token"}):
            refused = client.post(f"/cases/{case_id}/actions/claim", data=data, follow_redirects=False)
            assert refused.status_code == 403 and "CSRF" in refused.text
        assert (
            client.post(
                f"/cases/{case_id}/actions/claim", data={"csrf_token": csrf}, follow_redirects=False
            ).status_code
            == 303
        )


def test_bad_filters_and_unknown_things_get_clear_answers(app: App) -> None:
    with TestClient(app.app, base_url="http://review.test") as client:
        headers = {"Authorization": f"Bearer {app.tokens['ana']}"}
        assert client.get("/api/v1/cases?state=Texas", headers=headers).status_code == 422
        assert client.get("/api/v1/cases?call_type=nope", headers=headers).status_code == 422
        assert client.get(f"/api/v1/cases/{uuid.uuid4()}", headers=headers).status_code == 404
        assert (
            client.post(f"/api/v1/cases/{uuid.uuid4()}/actions/claim", json={}, headers=headers).status_code
            == 404
        )
        assert (
            client.post(f"/api/v1/cases/{uuid.uuid4()}/actions/fly", json={}, headers=headers).status_code
            == 404
        )
        assert client.get("/attachments/../../etc/passwd", headers=headers).status_code == 404


def test_every_answer_carries_the_security_headers(app: App) -> None:
    case_id, _ = app.urgent_case()
    with TestClient(app.app, base_url="http://review.test") as client:
        bearer = {"Authorization": f"Bearer {app.tokens['ana']}"}
        answers = {
            "login page": client.get("/login"),
            "to login": client.get("/queue", headers={"Accept": "text/html"}, follow_redirects=False),
            "API 401": client.get("/api/v1/cases"),
            "API JSON": client.get(f"/api/v1/cases/{case_id}", headers=bearer),
            "API 404": client.get(f"/api/v1/cases/{uuid.uuid4()}", headers=bearer),
            "no route": client.get("/nowhere"),
            "cross-site post": client.post("/login", data={}, headers={"Sec-Fetch-Site": "cross-site"}),
        }
        style = client.get("/static/review.css")
    assert [a.status_code for a in answers.values()] == [200, 303, 401, 200, 404, 404, 403]
    for name, answer in answers.items():
        assert "default-src 'none'" in answer.headers["content-security-policy"], name
        assert answer.headers["x-content-type-options"] == "nosniff", name
        assert answer.headers["x-frame-options"] == "DENY", name
        assert answer.headers["referrer-policy"] == "no-referrer", name
        assert answer.headers["cache-control"] == "no-store", name
    assert style.status_code == 200 and style.headers["x-content-type-options"] == "nosniff"
    assert style.headers["cache-control"].startswith("public")


def test_the_case_page_shows_only_known_error_codes_with_fixed_words(app: App) -> None:
    case_id, _ = app.urgent_case()
    with TestClient(app.app, base_url="http://review.test") as client:
        login(client, "alice")
        # A link from outside could put any words in a system alert on a supervisor's page.
        forged = client.get(f"/cases/{case_id}", params={
            "error": "Session expired: re-enter your password at https://review.evil.example"})
        assert forged.status_code == 200
        assert "evil.example" not in forged.text and 'class="error" role="alert"' not in forged.text
        known = client.get(f"/cases/{case_id}", params={"error": "claim_lapsed"})
        assert 'class="error" role="alert">Your claim lapsed' in known.text


def test_a_decision_is_approved_only_through_its_own_case(app: App) -> None:
    case_a, _ = app.urgent_case()
    case_b, _ = app.urgent_case()
    with (
        TestClient(app.app, base_url="http://review.test") as alice,
        TestClient(app.app, base_url="http://review.test") as bob,
    ):
        csrf_a, csrf_b = login(alice, "alice"), login(bob, "bob")
        alice.post(f"/cases/{case_b}/actions/claim", data={"csrf_token": csrf_a})
        alice.post(f"/cases/{case_b}/actions/le_report",
                   data={"csrf_token": csrf_a, "need": "tip_reporting", "reason": "minor at the spa"})
        page = bob.get(f"/cases/{case_b}")
        decision_id = re.search(r'name="decision_id" value="([^"]+)"', page.text)[1]  # type: ignore[index]
        elsewhere = bob.post(f"/cases/{case_a}/actions/approve",
                             data={"csrf_token": csrf_b, "decision_id": decision_id}, follow_redirects=False)
        assert elsewhere.status_code == 404
        api = bob.post(f"/api/v1/cases/{case_a}/actions/reject", json={"decision_id": decision_id,
                                                                        "reason": "not this one"},
                       headers={"Authorization": f"Bearer {app.tokens['bob']}"})
        assert api.status_code == 404
        statuses = [d["status"] for d in bob.get(f"/api/v1/cases/{case_b}").json()["decisions"]
                    if d["kind"] == "le_report"]
        assert statuses == ["awaiting_approval"]
        own = bob.post(f"/cases/{case_b}/actions/approve",
                       data={"csrf_token": csrf_b, "decision_id": decision_id}, follow_redirects=False)
        assert own.status_code == 303


def test_the_queue_finds_a_case_by_a_reference_number_however_it_is_written(app: App) -> None:
    number = reference_with_lookalikes(b"another intake")
    first = received(reference_number=number)
    app.store.apply_received("r-first", first)
    follow_up = received(reference_number=reference_for("a follow-up", b"t"),
                         related={"relation": "follow_up", "reference_number": number})
    change = app.store.apply_received("r-follow-up", follow_up)
    assert change is not None
    with TestClient(app.app, base_url="http://review.test") as client:
        login(client, "ana")
        queue = client.get("/queue")
        assert re.search(r'<form[^>]+action="/find"', queue.text) and 'name="reference"' in queue.text
        forms = [*written_forms(number).items(), ("the follow-up's own", follow_up.reference_number)]
        for form, written in forms:
            found = client.get("/find", params={"reference": written}, follow_redirects=False)
            assert found.status_code == 303, (form, found.text)
            assert found.headers["location"] == f"/cases/{change.case_id}", form
        wrong = number[:-1] + ("A" if number[-1] != "A" else "B")
        refused = client.get("/find", params={"reference": wrong}, headers={"accept": "text/html"})
        assert refused.status_code == 422 and "check" in refused.text
        missing = client.get("/find", params={"reference": reference_for("nobody", b"t")},
                             headers={"accept": "text/html"})
        assert missing.status_code == 404 and "No case" in missing.text
        api = client.get("/api/v1/find", params={"reference": written_forms(number)["spoken, with spaces"]},
                         headers={"Authorization": f"Bearer {app.tokens['feed']}"})
        assert api.status_code == 200 and api.json()["case"]["case_id"] == str(change.case_id)


def test_staff_download_web_and_email_attachments_and_only_what_was_served_is_audited(app: App) -> None:
    web_bytes, mail_bytes = b"%PDF-1.4 a scrubbed flyer\n", b"GIF89a a photo from an email"
    web_sha = BlobStore(app.web_blobs).put(web_bytes)
    mail_sha = BlobStore(app.email_blobs).put(mail_bytes)
    lost_sha = hashlib.sha256(b"never stored").hexdigest()
    refs = [AttachmentRef(sha256=web_sha, media_type="application/pdf", size_bytes=len(web_bytes)),
            AttachmentRef(sha256=lost_sha, media_type="image/png", size_bytes=12)]
    web = received(attachments=refs)
    photo = AttachmentRef(sha256=mail_sha, media_type="image/gif", size_bytes=len(mail_bytes),
                          filename="van.gif")
    mail = received(reference_number=reference_for("mail", b"t"), attachments=[photo],
                    related={"relation": "reply", "reference_number": web.reference_number})
    change = app.store.apply_received("r-web", web)
    app.store.apply_received("r-mail", mail)
    assert change is not None
    with TestClient(app.app, base_url="http://review.test") as client:
        login(client, "ana")
        page = client.get(f"/cases/{change.case_id}")
        assert f"/attachments/{web_sha}" in page.text and f"/attachments/{mail_sha}" in page.text
        for sha, data in ((web_sha, web_bytes), (mail_sha, mail_bytes)):
            download = client.get(f"/attachments/{sha}")
            assert download.status_code == 200, download.text
            assert download.content == data
            assert download.headers["content-disposition"].startswith("attachment;")
            assert download.headers["content-type"] == "application/octet-stream"
            assert "sandbox" in download.headers["content-security-policy"]
        assert client.get(f"/attachments/{lost_sha}").status_code == 404
    with app.db.read() as session:
        viewed = [e.detail["sha256"] for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))
                  if e.action == "view_attachment"]
    assert viewed == [web_sha, mail_sha]  # the failed download is not in the trail


def test_the_case_page_shows_every_fact_the_reporter_declared_in_words(app: App) -> None:
    facts = DeclaredFacts(
        victims=[Victim(count=3, age_range=AgeRange(low=15, high=17), gender=Gender.FEMALE,
                        nationality=Nationality.FOREIGN_NATIONAL),
                 Victim(age=34, gender=Gender.NON_BINARY, nationality=Nationality.US_CITIZEN)],
        location=Location(state="TX", city="Dallas", zip_code="75201",
                          description="Blue house behind the car wash on Elm Street"),
        danger_now=Answer.UNSURE, trafficking_type=DeclaredTraffickingType.BOTH, call_type=CallType.AT_RISK,
        urgency=Urgency.P2_SAME_DAY)
    change = app.store.apply_received("r-facts", received(facts=facts))
    assert change is not None
    with TestClient(app.app, base_url="http://review.test") as client:
        login(client, "ana")
        page = client.get(f"/cases/{change.case_id}").text
    declared = page[page.index("What the reporter declared"):]
    declared = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", declared[:declared.index("</section>")]))
    for label, value in [
        ("More about the place", "Blue house behind the car wash on Elm Street"), ("ZIP code", "75201"),
        ("City", "Dallas"), ("State", "TX"), ("How many people", "3"), ("Age range", "15 to 17"),
        ("Gender", "female"), ("Citizenship", "foreign national"), ("Age", "34"), ("Gender", "non-binary"),
        ("Citizenship", "US citizen"), ("Type of trafficking", "sex and labor"), ("Danger now", "not sure"),
        ("Call type", "at risk"), ("Urgency as judged by the call specialist", "P2 same day"),
    ]:
        assert f"{label} {value}" in declared, (label, value, declared)
    for raw in ("foreign_national", "non_binary", "us_citizen", "at_risk", "p2_same_day", "unsure"):
        assert raw not in declared


def test_declared_ages_read_as_said_and_what_was_not_declared_is_left_out() -> None:
    groups = declared({"victims": [{"count": 1, "age_range": {"low": 15, "high": 120}, "gender": "unknown",
                                    "nationality": "unknown"},
                                   {"count": 2, "age_range": {"low": 0, "high": 17}}],
                       "danger_now": "not_asked", "trafficking_type": "not_stated", "location": None})
    assert [(g.title, g.rows) for g in groups] == [
        ("The people involved, group 1", (("How many people", "1"), ("Age range", "15 or older"))),
        ("The people involved, group 2", (("How many people", "2"), ("Age range", "up to 17"))),
    ]
    assert declared(None) == [] and declared({}) == []


def _case(app: App, urgency: Urgency, *, break_glass: bool = False,
          sla: timedelta = timedelta(hours=4)) -> tuple[uuid.UUID, str]:
    signal = received(narrative=NARRATIVE)
    signal = signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"t")})
    app.store.apply_received(f"r{signal.signal_id}", signal)
    routes = [Route(target=RoutingTarget.SUPERVISOR_QUEUE, reason="substantive")]
    if break_glass:
        routes.append(Route(target=RoutingTarget.LAW_ENFORCEMENT_BREAK_GLASS, reason="imminent_danger"))
    change = app.store.apply_triaged(f"t{signal.signal_id}", triaged(
        signal_id=signal.signal_id, reference_number=signal.reference_number, urgency=urgency,
        sla_due_at=datetime.now(UTC) + sla, routes=routes))
    assert change is not None
    return change.case_id, signal.reference_number


def test_take_the_next_urgent_case_claims_the_most_urgent_one_nobody_works_and_opens_it(app: App) -> None:
    later, _ = _case(app, Urgency.P3_BUSINESS_DAYS)
    urgent_but_taken, _ = _case(app, Urgency.P1_ACT_NOW)
    most_urgent_free, reference = _case(app, Urgency.P2_SAME_DAY, sla=timedelta(minutes=30))
    _case(app, Urgency.P2_SAME_DAY, sla=timedelta(hours=3))
    app.decisions.claim(urgent_but_taken, Actor("bob", "supervisor"))
    with TestClient(app.app, base_url="http://review.test") as client:
        csrf = login(client, "ana")
        assert 'action="/queue/next"' in client.get("/queue").text
        assert client.post("/queue/next", data={}, follow_redirects=False).status_code == 403  # no CSRF
        taken = client.post("/queue/next", data={"csrf_token": csrf}, follow_redirects=False)
        assert taken.status_code == 303 and taken.headers["location"] == f"/cases/{most_urgent_free}"
        page = client.get(taken.headers["location"]).text
        assert reference in page and "Worked by <strong>ana</strong> (you)" in page
        client.post("/queue/next", data={"csrf_token": csrf})  # the other P2
        last = client.post("/queue/next", data={"csrf_token": csrf}, follow_redirects=False)
        assert last.headers["location"] == f"/cases/{later}"
        none = client.post("/queue/next", data={"csrf_token": csrf})
        assert none.status_code == 200 and "nothing was claimed" in none.text


def test_times_are_on_the_hotlines_clock_with_the_zone_named(app: App) -> None:
    case_id, _ = _case(app, Urgency.P3_BUSINESS_DAYS, sla=timedelta(minutes=90))
    with TestClient(app.app, base_url="http://review.test") as client:
        login(client, "ana")
        queue, page = client.get("/queue").text, client.get(f"/cases/{case_id}").text
    local = r"\w{3} \w{3} \d+, \d+:\d\d [AP]M E[SD]T"
    assert re.search(local, queue) and re.search(r"\b1 h( 29 min| 30 min)? left\b", queue), queue
    assert re.search(rf"Deadline <time datetime=\S+>{local}</time>", page)
    assert "UTC" not in queue and "UTC" not in page


def test_the_break_glass_notice_says_who_reviewed_it_once_it_was(app: App) -> None:
    case_id, _ = _case(app, Urgency.P1_ACT_NOW, break_glass=True)
    with TestClient(app.app, base_url="http://review.test") as client:
        csrf = login(client, "alice")
        assert "It is awaiting your review." in client.get(f"/cases/{case_id}").text
        client.post(f"/cases/{case_id}/actions/claim", data={"csrf_token": csrf})
        client.post(f"/cases/{case_id}/actions/le_report", data={
            "csrf_token": csrf, "need": "victim_extraction_le_intervention", "reason": "police on scene"})
        page = client.get(f"/cases/{case_id}").text
    assert "awaiting your review" not in page
    reviewed = r"Reviewed by <strong>alice</strong> on <time[^>]*>[^<]+E[SD]T</time>: police on scene"
    assert re.search(reviewed, page)
    assert "Review the break-glass report" not in page  # nothing left to review
    assert "law-enforcement intervention (victim extraction)" in page  # the history, in words
    assert "victim extraction le intervention" not in page


def test_reports_sent_read_per_chain_and_a_call_is_a_task_until_its_outcome(app: App) -> None:
    case_id, reference = _case(app, Urgency.P2_SAME_DAY)
    with app.db.read() as session:
        signal_id = session.scalars(select(Signal.signal_id).where(Signal.case_id == case_id)).one()
    report_id, at = uuid.uuid4(), datetime.now(UTC)

    def outcome(kind: str, victim: int, step: int | None, channel: str | None = None,
                contact: str | None = None, obligation: str | None = None) -> None:
        event = ReportOutcome(report_id=report_id, signal_id=signal_id, reference_number=reference,
                              need=ReportNeed.VICTIM_EXTRACTION, victim=victim, step=step, contact_id=contact,
                              channel=channel, obligation=obligation, kind=OutcomeKind(kind), occurred_at=at)
        app.store.apply_outcome(f"o-{kind}-{victim}-{step}", event)

    outcome("delivered", 0, 0, "phone", "hou-det-smith")
    outcome("delivered", 2, 0, "email", "fbi-tips", obligation="fbi-minor")
    with TestClient(app.app, base_url="http://review.test") as client:
        login(client, "ana")
        page = client.get(f"/cases/{case_id}").text
        assert "Law-enforcement intervention (victim extraction)" in page
        assert "call task opened" in page and ">delivered<" not in page
        assert "<caption>Contacts</caption>" in page and "Mandatory report: fbi minor" in page
        assert "Victim, step" not in page and "victim extraction le intervention" not in page
        outcome("no_answer", 0, 0, "phone", "hou-det-smith")
        page = client.get(f"/cases/{case_id}").text
    assert re.search(r'<td><span class="cell-label">Now: </span>called: no answer</td>', page)
