"""Single sign-on's pages (``services.review.sso_web``) over a provider faked with HTTPX's mock
transport (the real one is Keycloak, in ``tests/integration/test_review_sso_keycloak.py``): what
the authorization request carries, the PKCE verifier checked by the token endpoint, a rotated key,
and every refusal a page with its reason audited, never an error."""

from __future__ import annotations

import base64
import hashlib
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from services.review.auth import COOKIE, Auth
from services.review.db import Database, migrate
from services.review.decisions import Decisions
from services.review.live import LiveHub
from services.review.models import AuditEntry
from services.review.oidc import RoleMap
from services.review.oidc_provider import OidcClient, Provider
from services.review.sso_accounts import SsoAccounts
from services.review.sso_web import SingleSignOn
from services.review.web import build_app
from services.runtime.blobs import BlobReader

pytestmark = pytest.mark.unit

ISSUER: Final = "https://id.example.org/realms/hotline"
CLIENT: Final = "hotline-review"
REVIEW: Final = "https://review.example.org"


@dataclass
class FakeProvider:
    """An OpenID provider's three endpoints, answering what a real one would (or failing)."""

    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    challenge: str = ""
    nonce: str = ""
    down: bool = False
    claims: dict[str, Any] = field(default_factory=dict)
    token_requests: int = 0
    clock_offset: float = 0.0  # how far review's clock is ahead of the tokens' times

    def clock(self) -> float:
        return time.time() + self.clock_offset

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        path = request.url.path
        if path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json={
                "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/auth",
                "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/certs"})
        if path.endswith("/certs"):
            return httpx.Response(200, json={"keys": [self.key.as_dict(private=False)]})
        if path.endswith("/token"):
            self.token_requests += 1
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            secret = request.headers.get("authorization", "")
            good = challenge == self.challenge and form.get("code") == "the-code"
            if not good or not secret.startswith("Basic "):
                return httpx.Response(400, json={"error": "invalid_grant"})
            now = int(datetime.now(UTC).timestamp())
            claims = {"iss": ISSUER, "aud": CLIENT, "sub": "subject-1", "exp": now + 300, "iat": now,
                      "nonce": self.nonce, "preferred_username": "dana", "name": "Dana",
                      "groups": ["hotline-supervisors"], **self.claims}
            token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key, algorithms=["RS256"])
            return httpx.Response(200, json={"access_token": "a", "token_type": "Bearer", "id_token": token})
        return httpx.Response(404)


@dataclass
class Site:
    browser: httpx.AsyncClient
    provider: FakeProvider
    db: Database

    async def to_provider(self) -> dict[str, str]:
        """Start a sign-in; the authorization request's parameters (the fake notes its challenge)."""
        start = await self.browser.get("/login/sso", params={"next": "/queue"})
        assert start.status_code == 303
        location = urlsplit(start.headers["location"])
        params = {k: v[0] for k, v in parse_qs(location.query).items()}
        self.provider.challenge, self.provider.nonce = params["code_challenge"], params["nonce"]
        return params

    async def come_back(self, params: dict[str, str], code: str = "the-code") -> httpx.Response:
        """The provider's redirect back, with this flow's state and a code."""
        return await self.browser.get("/login/sso/callback", params={"state": params["state"], "code": code})

    def refusals(self) -> list[Any]:
        with self.db.read() as session:
            return [e.detail["reason"] for e in session.scalars(
                select(AuditEntry).where(AuditEntry.action == "login_failed").order_by(AuditEntry.seq))]


@pytest.fixture
async def site(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    schema = tmp_path_factory.getbasetemp() / "sso-schema.sqlite3"
    if not schema.exists():
        migrate(f"sqlite:///{schema}")
    shutil.copy(schema, tmp_path / "review.sqlite3")
    db = Database(f"sqlite:///{tmp_path / 'review.sqlite3'}")
    now = lambda: datetime.now(UTC)  # noqa: E731
    fake = FakeProvider()
    auth = Auth(db, session_ttl=timedelta(hours=1), cookie_secure=False, now=now)
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handle)) as http:
        sso = SingleSignOn(
            provider=Provider(OidcClient(ISSUER, CLIENT, "secret", f"{REVIEW}/login/sso/callback"), http,
                              clock=fake.clock),
            accounts=SsoAccounts(db, role_map=RoleMap.parse("hotline-supervisors=supervisor"), now=now),
            name="Example ID")
        app = build_app(auth=auth, decisions=Decisions(db, now=now, claim_ttl=timedelta(minutes=30)),
                        live=LiveHub(), blobs=BlobReader([]), now=now, sso=sso)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=REVIEW,
                                     headers={"Accept": "text/html"}) as browser:
            yield Site(browser, fake, db)
    db.dispose()


async def test_the_authorization_request_carries_pkce_state_and_nonce(site: Site) -> None:
    params = await site.to_provider()
    assert params["response_type"] == "code" and params["client_id"] == CLIENT
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["redirect_uri"] == f"{REVIEW}/login/sso/callback"
    assert "openid" in params["scope"].split() and params["state"] and params["nonce"]
    login = await site.browser.get("/login")
    assert "Sign in with Example ID" in login.text and 'name="password"' in login.text


async def test_the_code_and_this_browsers_verifier_open_a_session(site: Site) -> None:
    params = await site.to_provider()
    back = await site.come_back(params)
    assert back.status_code == 200 and COOKIE in back.cookies
    assert 'http-equiv="refresh" content="0; url=/queue"' in back.text
    assert (await site.browser.get("/queue")).status_code == 200


async def test_another_browsers_flow_cannot_finish_this_one(site: Site) -> None:
    params = await site.to_provider()
    site.browser.cookies.clear()  # the callback arrives in a browser that did not start it
    await site.to_provider()  # a flow of its own, with another verifier
    back = await site.come_back(params)
    assert back.status_code == 403 and COOKIE not in back.cookies
    assert site.provider.token_requests == 0  # refused before the code was redeemed
    assert site.refusals() == ["state_mismatch"]


async def test_a_callback_without_its_flow_cookie_is_a_page_not_an_error(site: Site) -> None:
    back = await site.browser.get("/login/sso/callback", params={"state": "x", "code": "the-code"})
    assert back.status_code == 400
    assert "was not started from this browser" in back.text


async def test_an_id_token_with_another_nonce_is_refused_and_audited(site: Site) -> None:
    params = await site.to_provider()
    site.provider.claims = {"nonce": "a nonce from another flow"}
    back = await site.come_back(params)
    assert back.status_code == 403 and "could not be verified" in back.text
    assert site.refusals() == ["nonce_mismatch"]


async def test_the_provider_refusing_the_code_is_refused_here(site: Site) -> None:
    params = await site.to_provider()
    back = await site.come_back(params, "stolen")
    assert back.status_code == 403
    assert site.refusals() == ["code_refused"]


async def test_a_provider_that_cannot_be_reached_gives_a_page_saying_so(site: Site) -> None:
    site.provider.down = True
    start = await site.browser.get("/login/sso")
    assert start.status_code == 503
    assert "cannot be reached just now" in start.text


async def test_a_rotated_signing_key_is_fetched_again_at_most_once_a_minute(site: Site) -> None:
    params = await site.to_provider()
    first = await site.come_back(params)
    assert first.status_code == 200
    site.browser.cookies.clear()
    site.provider.key = RSAKey.generate_key(2048, parameters={"kid": "k2"})  # the provider rotates
    params = await site.to_provider()
    soon = await site.come_back(params)
    assert soon.status_code == 403 and site.refusals()[-1] == "unknown_key"
    site.provider.clock_offset = 61.0  # a minute on: the set is fetched again, once
    params = await site.to_provider()
    later = await site.come_back(params)
    assert later.status_code == 200 and COOKIE in later.cookies


async def test_the_role_follows_the_groups_and_nobody_unmapped_gets_in(site: Site) -> None:
    site.provider.claims = {"groups": ["volunteers"]}
    params = await site.to_provider()
    back = await site.come_back(params)
    assert back.status_code == 403 and "does not put you in a group" in back.text
    assert site.refusals() == ["no_mapped_group"]
