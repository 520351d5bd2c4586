"""Two-step sign-in in the review app on real PostgreSQL, as production runs it (second factor
required): enrolment, the code after the password, a wrong code, a replayed code, a recovery code
used once, a password alone reaching no case page, and the reset from ``hotline-review``."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.review import totp
from services.review.auth import COOKIE, PENDING_COOKIE, Auth, Role
from services.review.cases import CaseStore
from services.review.db import Database, migrate
from services.review.decisions import Decisions
from services.review.live import LiveHub
from services.review.models import AuditEntry, StaffMfa, User
from services.review.web import build_app
from services.runtime.blobs import BlobReader
from tests.review_staff import Clock, cheap_hasher
from tests.unit.test_review_web import NARRATIVE, App

pytestmark = pytest.mark.postgres

PASSWORD = "correct horse battery staple"
HTML = {"Accept": "text/html"}
SOURCE = "https://review.example.org"


class ProductionApp(App):
    """The review app on PostgreSQL with the second factor required, on an injected clock."""

    def __init__(self, url: str, clock: Clock, *, required: bool = True) -> None:
        self.db = Database(url)
        self.clock = clock
        self.auth = Auth(self.db, session_ttl=timedelta(hours=1), cookie_secure=True, now=clock,
                         hasher=cheap_hasher(), mfa_required=required)
        self.store = CaseStore(self.db, urgent_ack=timedelta(minutes=5), now=clock)
        self.decisions = Decisions(self.db, now=clock, claim_ttl=timedelta(minutes=30))
        self.app = build_app(auth=self.auth, decisions=self.decisions, live=LiveHub(), blobs=BlobReader([]),
                             now=clock)

    def client(self) -> TestClient:
        return TestClient(self.app, base_url=SOURCE, headers=HTML)

    def code(self, username: str, offset: int = 0) -> str:
        with self.db.read() as session:
            secret = session.scalar(select(StaffMfa.secret).join(User, User.id == StaffMfa.user_id)
                                    .where(User.username == username))
        assert secret is not None
        return totp.code_at(secret, totp.step_at(self.clock()) + offset)

    def actions(self) -> list[tuple[str, str, dict[str, object]]]:
        with self.db.read() as session:
            rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq))
            return [(r.actor, r.action, r.detail) for r in rows]


@pytest.fixture
def site(postgres_url: str) -> Iterator[ProductionApp]:
    migrate(postgres_url)
    built = ProductionApp(postgres_url, Clock())
    for name, role in (("sam", Role.SUPERVISOR), ("ana", Role.ANALYST)):
        built.auth.create_user(name, name.title(), role, PASSWORD)
    yield built
    built.db.dispose()


def password(client: TestClient, username: str, next_path: str = "/queue") -> str:
    response = client.post("/login", data={"username": username, "password": PASSWORD, "next": next_path},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    assert COOKIE not in client.cookies  # no session yet, whatever comes next
    return str(response.headers["location"])


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match is not None
    return match[1]


def enrol(site: ProductionApp, client: TestClient, username: str, next_path: str = "/queue") -> list[str]:
    assert password(client, username, next_path).startswith("/login/enrol")
    page = client.get(f"/login/enrol?next={next_path}")
    assert page.status_code == 200 and "<svg" in page.text and "otpauth://totp/" in page.text
    secret = re.search(r'<code id="secret" class="secret">([A-Z2-7 ]+)</code>', page.text)
    assert secret is not None
    code = totp.code_at(secret[1].replace(" ", ""), totp.step_at(site.clock()))
    done = client.post("/login/enrol", data={"csrf_token": csrf(page.text), "code": code, "next": next_path})
    assert done.status_code == 200 and COOKIE in client.cookies, done.text
    codes = re.findall(r"<li><code>([0-9A-Z-]{19})</code></li>", done.text)
    assert len(codes) == 10
    site.clock.advance(seconds=30)
    return codes


def code_step(client: TestClient, code: str, next_path: str = "/queue") -> tuple[int, str]:
    page = client.get(f"/login/code?next={next_path}")
    assert page.status_code == 200, page.text
    fields = {"csrf_token": csrf(page.text), "code": code, "next": next_path}
    response = client.post("/login/code", data=fields, follow_redirects=False)
    return response.status_code, response.headers.get("location", response.text)


def sign_out(client: TestClient) -> None:
    page = client.get("/queue")
    response = client.post("/logout", data={"csrf_token": csrf(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    client.cookies.clear()


# ------------------------------------------------------------------ tests

def test_a_password_alone_reaches_no_case_page_and_leads_only_to_enrolment(site: ProductionApp) -> None:
    case_id, _ = site.urgent_case()
    with site.client() as client:
        assert password(client, "ana", f"/cases/{case_id}").startswith("/login/enrol")
        assert PENDING_COOKIE in client.cookies
        pending = client.cookies[PENDING_COOKIE]
        for path in ("/queue", f"/cases/{case_id}", "/find?reference=HT-0000-00000", "/account/security"):
            # The pending secret is no session, whether the browser sends it or something puts it
            # where the session cookie goes.
            for cookies in ({}, {COOKIE: pending}):
                client.cookies.clear()
                client.cookies.update(cookies)
                response = client.get(path, follow_redirects=False)
                assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
                assert NARRATIVE not in response.text
        # (the loop left the pending secret in the session cookie's place)
        api = client.get(f"/api/v1/cases/{case_id}", headers={"Accept": "application/json"})
        assert api.status_code == 401
    with site.client() as client:
        enrol(site, client, "ana", f"/cases/{case_id}")
        page = client.get(f"/cases/{case_id}")
        assert page.status_code == 200 and "locked in" in page.text
    assert ("ana", "mfa_enrolled", {"user_id": 2, "recovery_codes": 10}) in site.actions()


def test_enrolment_needs_a_right_code_and_shows_the_key_only_until_then(site: ProductionApp) -> None:
    with site.client() as client:
        password(client, "sam")
        page = client.get("/login/enrol?next=/queue")
        fields = {"csrf_token": csrf(page.text), "code": "12345", "next": "/queue"}
        wrong = client.post("/login/enrol", data=fields)
        assert wrong.status_code == 401 and "That code is not right" in wrong.text
        assert COOKIE not in client.cookies
        forged = client.post("/login/enrol", data={**fields, "csrf_token": "x" * 43})
        assert forged.status_code == 403
    with site.client() as client:
        enrol(site, client, "sam")
        assert "secret" not in client.get("/account/security/enrol", follow_redirects=False).text
        assert client.get("/account/security").status_code == 200


def test_a_code_signs_in_a_wrong_one_does_not_and_a_used_one_never_again(site: ProductionApp) -> None:
    case_id, _ = site.urgent_case()
    with site.client() as client:
        enrol(site, client, "sam")
        sign_out(client)
        assert password(client, "sam", f"/cases/{case_id}").startswith("/login/code")
        status, text = code_step(client, "000000" if site.code("sam") != "000000" else "111111",
                                 f"/cases/{case_id}")
        assert status == 401 and "That code is not right" in text and COOKIE not in client.cookies
        code = site.code("sam")
        assert code_step(client, code, f"/cases/{case_id}") == (303, f"/cases/{case_id}")
        assert client.get(f"/cases/{case_id}").status_code == 200
        sign_out(client)
        password(client, "sam")
        status, _ = code_step(client, code)  # the same code, still inside its window
        assert status == 401 and COOKIE not in client.cookies
        site.clock.advance(seconds=30)
        assert code_step(client, site.code("sam")) == (303, "/queue")
    reasons = [detail.get("reason") for _, action, detail in site.actions() if action == "mfa_failed"]
    assert reasons == ["wrong_code", "replayed"]


def test_a_recovery_code_works_once(site: ProductionApp) -> None:
    with site.client() as client:
        codes = enrol(site, client, "ana")
        sign_out(client)
        password(client, "ana")
        assert code_step(client, codes[4].lower()) == (303, "/queue")
        sign_out(client)
        password(client, "ana")
        status, _ = code_step(client, codes[4])
        assert status == 401
    used = [(actor, detail) for actor, action, detail in site.actions() if action == "mfa_recovery_code_used"]
    assert used == [("ana", {"user_id": 2, "remaining": 9})]


def test_a_session_from_before_the_second_factor_was_required_reaches_nothing(
    site: ProductionApp, postgres_url: str
) -> None:
    case_id, _ = site.urgent_case()
    optional = ProductionApp(postgres_url, site.clock, required=False)
    try:
        with optional.client() as before:
            assert password_then_session(before, "ana") == "/queue"
            session = before.cookies[COOKIE]
            assert before.get(f"/cases/{case_id}").status_code == 200
    finally:
        optional.db.dispose()
    with site.client() as client:
        client.cookies.set(COOKIE, session)
        response = client.get(f"/cases/{case_id}", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


def password_then_session(client: TestClient, username: str) -> str:
    response = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/queue"},
                           follow_redirects=False)
    assert response.status_code == 303 and COOKIE in client.cookies
    return str(response.headers["location"])


def test_the_cli_resets_a_lost_phone_on_another_supervisors_word(
    site: ProductionApp, postgres_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from services.review import cli

    with site.client() as client:
        enrol(site, client, "ana")
        assert client.get("/queue").status_code == 200
        monkeypatch.setenv("HOTLINE_REVIEW_DATABASE_URL", postgres_url)
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        with pytest.raises(SystemExit) as refused:
            cli.main(["mfa", "reset", "ana", "--by", "ana"])
        assert refused.value.code == 1 and "another supervisor" in capsys.readouterr().err
        assert cli.main(["mfa", "reset", "ana", "--by", "sam"]) == 0
        response = client.get("/queue", follow_redirects=False)  # the session ended with the reset
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
        client.cookies.clear()
        assert password(client, "ana").startswith("/login/enrol")
    [(actor, detail)] = [(a, d) for a, action, d in site.actions() if action == "mfa_reset"]
    assert actor == "sam" and detail["user_id"] == 2 and detail["was_enrolled"] is True
    assert str(detail["operator"]).startswith("cli")


def test_a_later_sign_in_ends_the_earlier_and_an_enrolled_account_never_sees_a_key_again(
    site: ProductionApp,
) -> None:
    with site.client() as first, site.client() as second:
        password(first, "sam")
        password(second, "sam")  # the later pending sign-in; the first one's ends with it
        page = second.get("/login/enrol?next=/queue")
        key = re.search(r'<code id="secret" class="secret">([A-Z2-7 ]+)</code>', page.text)
        assert key is not None
        code = totp.code_at(key[1].replace(" ", ""), totp.step_at(site.clock()))
        fields = {"csrf_token": csrf(page.text), "code": code, "next": "/queue"}
        assert second.post("/login/enrol", data=fields).status_code == 200
        assert first.get("/login/enrol", follow_redirects=False).headers["location"].startswith("/login")
        third_tab = site.client()
        password(third_tab, "sam")  # the password now leads to the code, not to a second enrolment
        response = third_tab.get("/login/enrol?next=/queue", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
        assert "secret" not in response.text
        third_tab.close()
