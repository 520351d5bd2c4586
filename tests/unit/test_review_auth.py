"""Staff sign-in and access control: passwords, sessions, tokens, throttling, roles and CSRF (SQLite)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.review import auth as auth_module
from services.review.auth import (
    COOKIE,
    AccessDenied,
    Auth,
    AuthError,
    Principal,
    Role,
    Throttled,
    WeakPassword,
    install_handlers,
    login_router,
    safe_next,
)
from services.review.db import SCHEMA, Database
from services.review.models import ApiToken, UserSession
from tests.databases import copied_sqlite_db
from tests.review_staff import PASSWORD, START, TTL, Clock, audit_rows, cheap_hasher, stored_user, with_staff

pytestmark = pytest.mark.unit

TEMPLATES = Path(auth_module.__file__).parent / "templates"


migrated_template, db = copied_sqlite_db(SCHEMA)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def auth(db: Database, clock: Clock) -> Auth:
    return with_staff(Auth(db, session_ttl=TTL, cookie_secure=True, now=clock, hasher=cheap_hasher()))


# ------------------------------------------------------------------ passwords and accounts

def test_passwords_are_stored_as_argon2id_hashes(auth: Auth, db: Database) -> None:
    stored = stored_user(db, "sam").password_hash
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
    assert stored_user(db, "feed").password_hash is None


@pytest.mark.parametrize("weak", ["short1!", "aaaaaaaaaaaaaaaa", "abcabcabcabcabc", "Password2024!",
                                  "hotline123456", "xx-sam-is-me-xx"])
def test_weak_passwords_are_refused(auth: Auth, weak: str) -> None:
    with pytest.raises(WeakPassword):
        auth.create_user("sam2" if "sam" not in weak else "sam-is-me", "Sam Two", Role.ANALYST, weak)


def test_only_service_accounts_have_no_password(auth: Auth) -> None:
    with pytest.raises(AuthError, match="service accounts"):
        auth.create_user("nopass", "No Pass", Role.ANALYST, None)
    with pytest.raises(AuthError, match="service accounts"):
        auth.create_user("svc2", "Service", Role.SERVICE, PASSWORD)
    with pytest.raises(AuthError, match="already exists"):
        auth.create_user("SAM", "Sam again", Role.ANALYST, PASSWORD)
    with pytest.raises(AuthError, match="role"):
        auth.create_user("who", "Who", "janitor", PASSWORD)


def test_login_succeeds_and_keeps_only_the_session_hash(auth: Auth, db: Database) -> None:
    result = auth.login(" Sam ", PASSWORD)
    assert result is not None
    token, principal = result
    assert (principal.username, principal.role, principal.via) == ("sam", Role.SUPERVISOR, "session")
    assert principal.csrf_token and principal.csrf_token != token
    with db.read() as session:
        [stored] = session.scalars(select(UserSession))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert auth.principal(token, None) == principal
    assert [(e.actor, e.action) for e in audit_rows(db)][-1] == ("sam", "login")


def test_failed_logins_are_audited_without_the_password(auth: Auth, db: Database) -> None:
    assert auth.login("sam", "not the right password") is None
    assert auth.login("nobody", PASSWORD) is None
    assert auth.login(PASSWORD, PASSWORD) is None  # a password typed into the username box
    assert auth.login("feed", PASSWORD) is None  # service accounts never sign in with a password
    failures = [(e.actor, e.detail) for e in audit_rows(db) if e.action == "login_failed"]
    assert failures == [("sam", {"reason": "wrong_password"}), ("(unknown user)", {"reason": "unknown_user"}),
                        ("(unknown user)", {"reason": "unknown_user"}), ("feed", {"reason": "no_password"})]
    everything = json.dumps([[e.actor, e.detail] for e in audit_rows(db)])
    assert PASSWORD not in everything and "not the right password" not in everything


def test_an_unknown_user_costs_a_password_check_too(auth: Auth, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real = auth._verify

    def counting(stored: str, given: str) -> bool:
        checked.append(stored)
        return real(stored, given)

    monkeypatch.setattr(auth, "_verify", counting)
    assert auth.login("nobody", PASSWORD) is None
    assert len(checked) == 1 and checked[0].startswith("$argon2id$")


def test_login_rehashes_when_the_parameters_change(auth: Auth, db: Database, clock: Clock) -> None:
    before = stored_user(db, "sam").password_hash
    assert before is not None and ",t=1," in before
    stronger = Auth(db, session_ttl=TTL, cookie_secure=True, now=clock, hasher=cheap_hasher(time_cost=2))
    assert stronger.login("sam", PASSWORD) is not None
    after = stored_user(db, "sam").password_hash
    assert after is not None and ",t=2," in after
    assert stronger.login("sam", PASSWORD) is not None


def test_guesses_from_elsewhere_never_keep_the_real_person_out(
    auth: Auth, db: Database, clock: Clock
) -> None:
    # Five wrong guesses used to lock "sam" for 15 minutes, the right password included: anyone
    # who knew a supervisor's name could keep them out of urgent cases.
    for _ in range(40):
        try:
            assert auth.login("sam", "wrong wrong wrong", source="203.0.113.9") is None
        except Throttled as throttled:
            clock.advance(seconds=throttled.retry_after.total_seconds())
    assert auth.login("sam", PASSWORD, source="198.51.100.20") is not None  # at once, from sam's desk
    reasons = [e.detail["reason"] for e in audit_rows(db) if e.action == "login_failed"]
    assert set(reasons) <= {"wrong_password", "throttled"} and "throttled" in reasons


def test_guesses_from_one_source_wait_twice_as_long_each_time(auth: Auth, clock: Clock) -> None:
    for _ in range(3):  # a few typos cost nothing
        assert auth.login("sam", "wrong wrong wrong", source="203.0.113.9") is None
    waits = []
    for _ in range(5):
        assert auth.login("sam", "wrong wrong wrong", source="203.0.113.9") is None
        with pytest.raises(Throttled) as throttled:
            auth.login("sam", PASSWORD, source="203.0.113.9")  # the right password waits too
        waits.append(throttled.value.retry_after)
        clock.advance(seconds=throttled.value.retry_after.total_seconds())
    assert waits == [timedelta(seconds=s) for s in (1, 2, 4, 8, 16)]
    assert auth.login("ana", PASSWORD, source="203.0.113.9") is not None  # other accounts are not slowed
    assert auth.login("sam", PASSWORD, source="203.0.113.9") is not None
    assert auth.login("sam", "wrong wrong wrong", source="203.0.113.9") is None  # a fresh start


def test_waits_are_capped_and_forgotten(auth: Auth, clock: Clock) -> None:
    waits = []
    for _ in range(30):
        try:
            auth.login("sam", "wrong wrong wrong", source="203.0.113.9")
        except Throttled as throttled:
            waits.append(throttled.retry_after)
            clock.advance(seconds=throttled.retry_after.total_seconds())
    assert max(waits) == timedelta(minutes=5)
    clock.advance(hours=1)
    assert auth.login("sam", PASSWORD, source="203.0.113.9") is not None


def test_a_source_trying_many_usernames_is_slowed_as_a_whole(auth: Auth, clock: Clock) -> None:
    for n in range(20):
        assert auth.login(f"user{n}", "wrong wrong wrong", source="203.0.113.9") is None
    assert auth.login("user20", "wrong wrong wrong", source="203.0.113.9") is None
    with pytest.raises(Throttled):
        auth.login("sam", PASSWORD, source="203.0.113.9")
    assert auth.login("sam", PASSWORD, source="198.51.100.20") is not None


# ------------------------------------------------------------------ sessions

def session_expiry(db: Database) -> datetime:
    with db.read() as session:
        return session.scalars(select(UserSession.expires_at)).one()


def test_sessions_expire_and_slide_at_most_once_a_minute(auth: Auth, db: Database, clock: Clock) -> None:
    result = auth.login("sam", PASSWORD)
    assert result is not None
    token = result[0]
    assert session_expiry(db) == START + TTL
    clock.advance(seconds=30)
    assert auth.principal(token, None) is not None
    assert session_expiry(db) == START + TTL  # used within a minute: not extended
    clock.advance(minutes=50)
    assert auth.principal(token, None) is not None
    assert session_expiry(db) == clock.now + TTL  # extended from now
    clock.advance(minutes=61)
    assert auth.principal(token, None) is None  # idle past the TTL
    assert auth.principal(token, None) is None
    with db.read() as session:
        assert session.scalars(select(UserSession)).all() == []  # the expired row is gone


def test_sliding_never_passes_the_absolute_limit(db: Database, clock: Clock) -> None:
    staff = Auth(db, session_ttl=TTL, session_max_age=timedelta(hours=2), cookie_secure=True, now=clock,
                 hasher=cheap_hasher())
    staff.create_user("sam", "Sam", Role.SUPERVISOR, PASSWORD)
    result = staff.login("sam", PASSWORD)
    assert result is not None
    for _ in range(3):  # busy all the time
        clock.advance(minutes=30)
        assert staff.principal(result[0], None) is not None
    assert session_expiry(db) == START + timedelta(hours=2)
    clock.advance(minutes=30)
    assert staff.principal(result[0], None) is None


def test_logout_and_deactivation_end_sessions(auth: Auth, db: Database) -> None:
    first, second = auth.login("sam", PASSWORD), auth.login("ana", PASSWORD)
    assert first is not None and second is not None
    auth.logout(first[0])
    assert auth.principal(first[0], None) is None
    token = auth.create_token("ana", "laptop")
    auth.deactivate("ana")
    assert auth.principal(second[0], None) is None
    assert auth.principal(None, token) is None
    assert auth.login("ana", PASSWORD) is None
    actions = [e.action for e in audit_rows(db)]
    assert {"logout", "user_deactivated", "token_created"} <= set(actions)


# ------------------------------------------------------------------ tokens

def test_tokens_are_kept_as_hashes_and_can_be_revoked(auth: Auth, db: Database) -> None:
    token = auth.create_token("feed", "ops-export")
    principal = auth.principal(None, token)
    assert principal is not None
    assert (principal.username, principal.role, principal.via, principal.csrf_token) == (
        "feed", Role.SERVICE, "token", None)
    with db.read() as session:
        [stored] = session.scalars(select(ApiToken))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash
    assert auth.principal(None, token + "x") is None
    assert auth.revoke_token("feed", "ops-export") == 1
    assert auth.principal(None, token) is None
    assert auth.revoke_token("feed", "ops-export") == 0


def test_a_wrong_bearer_is_not_rescued_by_a_cookie(auth: Auth) -> None:
    result = auth.login("sam", PASSWORD)
    assert result is not None
    assert auth.principal(result[0], "not-a-token") is None


# ------------------------------------------------------------------ over HTTP

def build_app(auth: Auth) -> FastAPI:
    """A tiny app using the guard as the review app does."""
    app = FastAPI()
    templates = Jinja2Templates(directory=str(TEMPLATES))
    install_handlers(app, templates)
    app.include_router(login_router(auth, templates))
    supervisors = auth.require(Role.SUPERVISOR, Role.ADMIN)
    readers = auth.require(Role.SUPERVISOR, Role.ADMIN, Role.SERVICE)

    @app.get("/cases", response_class=HTMLResponse)
    async def cases(principal: Principal = Depends(supervisors)) -> str:
        return f"<p>cases for {principal.username}</p>"

    @app.post("/cases/note")
    async def note(request: Request, principal: Principal = Depends(supervisors)) -> dict[str, Any]:
        form = await request.form()  # the guard read it first; the route still gets it
        return {"note": form.get("note"), "by": principal.username}

    @app.get("/api/v1/cases")
    async def api_cases(principal: Principal = Depends(readers)) -> dict[str, Any]:
        return {"by": principal.username}

    @app.post("/api/v1/cases/note")
    async def api_note(request: Request, principal: Principal = Depends(readers)) -> dict[str, Any]:
        return {"body": await request.json(), "by": principal.username}

    return app


HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def client(auth: Auth) -> Iterator[TestClient]:
    with TestClient(build_app(auth), base_url="https://review.example.org") as http:
        yield http


def sign_in(client: TestClient, auth: Auth, username: str = "sam") -> str:
    """Sign in through the form; the session's CSRF token (what the pages put in their forms)."""
    response = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/cases"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    principal = auth.principal(client.cookies.get(COOKIE), None)
    assert principal is not None and principal.csrf_token is not None
    return principal.csrf_token


@pytest.fixture
def signed_in(client: TestClient, auth: Auth) -> tuple[TestClient, str]:
    return client, sign_in(client, auth)


def test_the_login_page_is_a_plain_form(client: TestClient) -> None:
    page = client.get("/login?next=/cases/1", headers=HTML)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for fragment in ('<label for="username">', '<label for="password">', 'autocomplete="current-password"',
                     'name="next" value="/cases/1"', '<html lang="en">', 'href="/static/review.css"'):
        assert fragment in page.text
    assert "<script" not in page.text and "https://" not in page.text


def test_signing_in_sets_a_strict_cookie_and_redirects(client: TestClient) -> None:
    response = client.post("/login", data={"username": "sam", "password": PASSWORD, "next": "/cases?page=2"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/cases?page=2"
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith(f"{COOKIE}=")
    for attribute in ("httponly", "samesite=strict", "path=/", "secure"):
        assert attribute in cookie
    assert client.get("/cases", headers=HTML).text == "<p>cases for sam</p>"


def test_a_failed_sign_in_says_so_generically(client: TestClient) -> None:
    for username in ("sam", "nobody"):
        response = client.post("/login", data={"username": username, "password": "wrong wrong wrong"})
        assert response.status_code == 401
        assert "Wrong username or password." in response.text and 'aria-invalid="true"' in response.text
    empty = client.post("/login", data={"username": "", "password": ""})
    assert empty.status_code == 400
    assert 'id="username-error"' in empty.text and 'aria-describedby="password-error"' in empty.text


def test_a_throttled_source_is_told_to_wait_and_others_are_not(client: TestClient, auth: Auth) -> None:
    for _ in range(4):
        client.post("/login", data={"username": "sam", "password": "wrong wrong wrong"})
    waiting = client.post("/login", data={"username": "sam", "password": PASSWORD}, follow_redirects=False)
    assert waiting.status_code == 429 and "Try again in 1 second" in waiting.text
    assert int(waiting.headers["retry-after"]) >= 1
    with TestClient(client.app, base_url="https://review.example.org",  # type: ignore[arg-type]
                    client=("198.51.100.20", 50000)) as elsewhere:
        assert elsewhere.post("/login", data={"username": "sam", "password": PASSWORD},
                              follow_redirects=False).status_code == 303


def test_a_login_form_posted_from_another_site_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"username": "sam", "password": PASSWORD},
                           headers={"Sec-Fetch-Site": "cross-site"}, follow_redirects=False)
    assert response.status_code == 403 and COOKIE not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "http:/evil.example", "javascript:alert(1)", "/\t/evil.example", "cases"])
def test_next_only_goes_to_this_site(client: TestClient, target: str) -> None:
    assert safe_next(target) == "/"
    response = client.post("/login", data={"username": "sam", "password": PASSWORD, "next": target},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_unauthenticated_browsers_are_sent_to_the_login_page(client: TestClient) -> None:
    response = client.get("/cases?state=TX", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fcases%3Fstate%3DTX"


def test_unauthenticated_api_calls_get_401(client: TestClient) -> None:
    for path in ("/api/v1/cases", "/cases"):  # not a browser: JSON even outside /api/
        response = client.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
        assert "message" in response.json()
    assert client.get("/api/v1/cases", headers=HTML).status_code == 401  # /api/ is never redirected


def test_the_wrong_role_gets_403(client: TestClient, auth: Auth) -> None:
    sign_in(client, auth, "ana")
    page = client.get("/cases", headers=HTML)
    assert page.status_code == 403 and "text/html" in page.headers["content-type"]
    assert "supervisor or admin" in page.text and "Ana Analyst" in page.text
    api = client.get("/api/v1/cases")
    assert api.status_code == 403 and "supervisor" in api.json()["message"]


def test_unsafe_session_requests_need_the_csrf_token(signed_in: tuple[TestClient, str]) -> None:
    client, csrf = signed_in
    for data in ({"note": "n1"}, {"note": "n1", "csrf_token": "wrong"}):
        refused = client.post("/cases/note", data=data)
        assert refused.status_code == 403 and refused.json() == {"message": "CSRF token missing or invalid"}
    assert client.post("/api/v1/cases/note", json={"a": 1}).status_code == 403
    wrong = {"X-CSRF-Token": "x" * 43}
    assert client.post("/api/v1/cases/note", json={"a": 1}, headers=wrong).status_code == 403
    by_form = client.post("/cases/note", data={"note": "n1", "csrf_token": csrf})
    assert by_form.status_code == 200 and by_form.json() == {"note": "n1", "by": "sam"}
    by_header = client.post("/api/v1/cases/note", json={"a": 1}, headers={"X-CSRF-Token": csrf})
    assert by_header.status_code == 200 and by_header.json() == {"body": {"a": 1}, "by": "sam"}
    multipart = client.post("/cases/note", data={"note": "n2", "csrf_token": csrf}, files={"f": b"x"})
    assert multipart.status_code == 200 and multipart.json()["note"] == "n2"
    page = client.post("/cases/note", data={"note": "n1"}, headers=HTML)
    assert page.status_code == 403 and "CSRF token missing or invalid" in page.text


def test_bearer_requests_need_no_csrf_token(client: TestClient, auth: Auth) -> None:
    token = auth.create_token("feed", "tests")
    response = client.post("/api/v1/cases/note", json={"a": 2}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json() == {"body": {"a": 2}, "by": "feed"}
    assert client.get("/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    auth.revoke_token("feed", "tests")
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_logout_needs_the_token_and_ends_the_session(signed_in: tuple[TestClient, str]) -> None:
    client, csrf = signed_in
    assert client.post("/logout").status_code == 403
    assert client.get("/cases", headers=HTML).status_code == 200
    cookie = client.cookies.get(COOKIE)
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert f'{COOKIE}=""' in response.headers["set-cookie"] or "max-age=0" in response.headers["set-cookie"]
    old = {**HTML, "Cookie": f"{COOKIE}={cookie}"}  # a copy of the old cookie is worth nothing now
    assert client.get("/cases", headers=old, follow_redirects=False).status_code == 303


def test_a_signed_in_visit_to_the_login_page_moves_on(signed_in: tuple[TestClient, str]) -> None:
    client, _ = signed_in
    response = client.get("/login?next=/cases", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/cases"


def test_access_denied_is_an_http_exception() -> None:
    # Apps with their own HTTPException handler render it without install_handlers.
    from fastapi import HTTPException

    assert issubclass(AccessDenied, HTTPException)


# ------------------------------------------------------------------ the command line

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: Database) -> Cli:
    """Run ``hotline-review`` in-process on the test's database: (exit code, stdout, stderr)."""
    from services.review import cli as command_line

    monkeypatch.setenv("HOTLINE_REVIEW_DATABASE_URL", db.url)

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        try:
            code = command_line.main(list(argv))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_the_cli_manages_accounts_and_tokens(cli: Cli, db: Database, clock: Clock) -> None:
    add = ("user", "add", "--username", "dana", "--name", "Dana Ortiz", "--role", "supervisor",
           "--password-stdin")
    assert cli(*add, stdin="hotline2024!\n")[0] == 2  # weak
    code, _, err = cli(*add[:-1])  # no terminal to ask on
    assert code == 2 and "--password-stdin" in err
    assert cli(*add, stdin=PASSWORD + "\n")[0] == 0
    code, _, err = cli(*add, stdin=PASSWORD + "\n")
    assert code == 1 and err.strip() == "hotline-review: user dana already exists"
    staff = Auth(db, session_ttl=TTL, cookie_secure=True, now=clock, hasher=cheap_hasher())
    assert staff.login("dana", PASSWORD) is not None

    code, out, _ = cli("token", "add", "--username", "dana", "--name", "laptop")
    assert code == 0 and staff.principal(None, out.strip()) is not None
    assert cli("user", "deactivate", "nobody")[0] == 1
    assert cli("user", "deactivate", "dana")[0] == 0
    assert staff.principal(None, out.strip()) is None
    assert cli("user", "add", "--username", "x")[0] == 2  # argparse


def test_the_cli_verifies_the_audit_trail(cli: Cli, auth: Auth) -> None:
    code, out, _ = cli("audit", "head")
    seq, digest = out.strip().split(":")
    assert code == 0 and int(seq) == 3 and len(digest) == 64  # the three accounts made by the fixture
    code, out, _ = cli("audit", "verify", "--expect-head", out.strip())
    assert code == 0 and out.startswith("audit trail intact: 3 rows")
    code, out, _ = cli("audit", "verify", "--json", "--expect-head", f"9:{digest}")
    assert code == 1 and json.loads(out)["first_bad_seq"] == 9
    assert cli("audit", "verify", "--expect-head", "9")[0] == 2
