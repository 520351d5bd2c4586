"""Single sign-on in the review app against a real OpenID provider: Keycloak (``deploy.localkeycloak``)
with the realm in ``tests/fixtures/keycloak/hotline-realm.json``, the case store on real PostgreSQL
with the second factor required, as production runs it.

The browser's part is played with HTTPX: the review app sends it to Keycloak, Keycloak's own login
form is posted, and Keycloak's redirect comes back to the app with the code, which the app redeems
at Keycloak's token endpoint (client secret and PKCE verifier) and checks against Keycloak's keys.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy import select

from services.review.auth import COOKIE, Auth
from services.review.db import Database, migrate
from services.review.decisions import Decisions
from services.review.live import LiveHub
from services.review.models import AuditEntry, StaffIdentity, User
from services.review.oidc import RoleMap
from services.review.oidc_provider import OidcClient, Provider
from services.review.sso_accounts import SsoAccounts
from services.review.sso_web import FLOW_COOKIE, SingleSignOn
from services.review.web import build_app
from services.runtime.blobs import BlobReader
from tests.conftest import unavailable

# Keycloak's start (once per session) counts in the first test's time: two to three minutes on a
# machine shared with other runs, most of it Keycloak's own rebuild the first time.
pytestmark = [pytest.mark.oidc, pytest.mark.postgres, pytest.mark.timeout(600)]

REALM_FILE: Final = Path(__file__).parents[1] / "fixtures" / "keycloak" / "hotline-realm.json"
REALM: Final = "hotline"
CLIENT_ID: Final = "hotline-review"
CLIENT_SECRET: Final = "test-only-review-client-secret"
REVIEW: Final = "http://review.test"  # as registered in the realm file's redirect URIs
SUPERVISOR: Final = ("sam.supervisor", "correct horse supervisor staple")
VOLUNTEER: Final = ("vic.volunteer", "correct horse volunteer staple")
HTML: Final = {"Accept": "text/html"}
SLOW: Final = 60.0


def loopback_browser() -> httpx.AsyncClient:
    """The browser at Keycloak. Browsers count http://127.0.0.1 as a secure context and send
    Keycloak's Secure cookies there; HTTPX would not, so they are kept as plain ones."""
    browser = httpx.AsyncClient(headers=HTML, timeout=SLOW)

    async def keep_secure_cookies(_: httpx.Response) -> None:
        for cookie in browser.cookies.jar:
            cookie.secure = False

    browser.event_hooks["response"].append(keep_secure_cookies)
    return browser


@pytest.fixture(scope="session")
def keycloak_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Keycloak for the session (it takes tens of seconds to start); its realm's issuer.
    ``HOTLINE_TEST_OIDC_ISSUER`` names one already running with the realm file imported."""
    given = os.environ.get("HOTLINE_TEST_OIDC_ISSUER")
    if given:
        yield given
        return
    from deploy.localkeycloak import LocalKeycloak, LocalKeycloakError

    keycloak = LocalKeycloak(REALM_FILE, tmp_path_factory.mktemp("keycloak"))
    try:
        issuer = keycloak.start(REALM)
    except LocalKeycloakError as error:
        unavailable(f"cannot start Keycloak: {error}", "Keycloak (the OpenID provider)")
        raise
    print(f"keycloak started in {keycloak.start_seconds:.1f}s")
    try:
        yield issuer
    finally:
        keycloak.stop()


@dataclass
class Review:
    app: httpx.AsyncClient  # the browser, as seen by the review app
    provider: httpx.AsyncClient  # the same browser, as seen by Keycloak
    db: Database


@pytest.fixture
async def review(keycloak_issuer: str, postgres_url: str) -> AsyncIterator[Review]:
    migrate(postgres_url)
    db = Database(postgres_url)
    now = lambda: datetime.now(UTC)  # noqa: E731
    auth = Auth(db, session_ttl=timedelta(hours=1), cookie_secure=False, now=now, mfa_required=True)
    client = OidcClient(issuer=keycloak_issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                        redirect_url=f"{REVIEW}/login/sso/callback")
    # Keycloak's first answers (a cold JVM, on a machine shared with other runs) can be slow.
    async with httpx.AsyncClient(timeout=SLOW) as http:
        sso = SingleSignOn(provider=Provider(client, http, timeout_s=SLOW),
                           accounts=SsoAccounts(db, role_map=RoleMap.parse(
                               "hotline-supervisors=supervisor,hotline-analysts=analyst"), now=now),
                           name="Example Hotline ID", password_login=False)
        app = build_app(auth=auth, decisions=Decisions(db, now=now, claim_ttl=timedelta(minutes=30)),
                        live=LiveHub(), blobs=BlobReader([]), now=now, sso=sso)
        async with (httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=REVIEW,
                                      headers=HTML) as browser,
                    loopback_browser() as at_provider):
            yield Review(browser, at_provider, db)
    db.dispose()


async def sign_in_at_provider(review: Review, who: tuple[str, str]) -> str:
    """From the review app's sign-in button to Keycloak's redirect back: the callback URL."""
    start = await review.app.get("/login/sso", params={"next": "/queue"})
    assert start.status_code == 303, start.text
    assert FLOW_COOKIE in start.cookies
    login_page = await review.provider.get(start.headers["location"])
    assert login_page.status_code == 200, login_page.text[:500]
    action = re.search(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', login_page.text)
    assert action is not None, "Keycloak's login form"
    posted = await review.provider.post(html.unescape(action.group(1)),
                                        data={"username": who[0], "password": who[1], "credentialId": ""})
    assert posted.status_code in (302, 303), posted.text[:500]
    back = posted.headers["location"]
    assert back.startswith(f"{REVIEW}/login/sso/callback?"), back
    return back


def audit_actions(db: Database) -> list[tuple[str, str, dict[str, object]]]:
    with db.read() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq))
        return [(e.actor, e.action, e.detail) for e in entries]


async def test_a_supervisors_group_member_lands_in_the_queue_as_supervisor(review: Review) -> None:
    back = await sign_in_at_provider(review, SUPERVISOR)
    callback = await review.app.get(back)
    assert callback.status_code == 200, callback.text
    assert COOKIE in callback.cookies
    queue = await review.app.get("/queue")
    assert queue.status_code == 200
    assert "Signed in as <strong>Sam Supervisor</strong>" in queue.text
    assert "(supervisor)" in queue.text
    with review.db.read() as session:
        user = session.scalars(select(User).where(User.username == "sam.supervisor")).one()
        link = session.scalars(select(StaffIdentity).where(StaffIdentity.user_id == user.id)).one()
        assert (user.role, user.password_hash, link.issuer) == ("supervisor", None, review_issuer(back))
    actions = audit_actions(review.db)
    assert ("sam.supervisor", "user_created") in [(a, b) for a, b, _ in actions]
    assert ("sam.supervisor", "login", {"user_id": user.id, "via": "oidc"}) in actions
    # The sign-in page offers single sign-on only: a posted password is refused.
    refused = await review.app.post("/login", data={"username": "sam.supervisor", "password": "whatever"})
    assert refused.status_code == 403
    # Signing out is review's as ever: with the session's CSRF token, and the session ends.
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', queue.text)
    assert csrf is not None
    assert (await review.app.post("/logout", data={"csrf_token": "forged"})).status_code == 403
    assert (await review.app.post("/logout", data={"csrf_token": csrf.group(1)})).status_code == 303
    assert (await review.app.get("/queue")).status_code == 303


def review_issuer(callback_url: str) -> str:
    return dict(parse_qsl(urlsplit(callback_url).query))["iss"]


async def test_someone_in_no_mapped_group_is_refused_with_a_page_saying_why(review: Review) -> None:
    back = await sign_in_at_provider(review, VOLUNTEER)
    callback = await review.app.get(back)
    assert callback.status_code == 403
    assert "does not put you in a group that may use case review" in callback.text
    assert COOKIE not in callback.cookies
    assert (await review.app.get("/queue", follow_redirects=False)).status_code == 303  # to /login
    with review.db.read() as session:
        assert session.scalars(select(User).where(User.username == "vic.volunteer")).first() is None
    assert ("(unknown user)", "login_failed", {"reason": "no_mapped_group", "via": "oidc"}) \
        in audit_actions(review.db)


async def test_a_tampered_state_is_refused_and_its_code_never_redeemed(review: Review) -> None:
    back = await sign_in_at_provider(review, SUPERVISOR)
    parts = urlsplit(back)
    query = dict(parse_qsl(parts.query))
    query["state"] = query["state"][:-2] + ("AA" if not query["state"].endswith("AA") else "BB")
    callback = await review.app.get(urlunsplit(parts._replace(query=urlencode(query))))
    assert callback.status_code == 403
    assert "does not belong to the one this browser started" in callback.text
    assert COOKIE not in callback.cookies
    with review.db.read() as session:
        assert session.scalars(select(User)).first() is None
    assert ("(unknown user)", "login_failed", {"reason": "state_mismatch", "via": "oidc"}) \
        in audit_actions(review.db)
