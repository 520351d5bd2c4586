"""Every route of every app, with who may call it.

A route that is not listed here fails the first test, so a new route (an unauthenticated one above
all) is added on purpose, with its requirement; the second test asks every route that needs
credentials without them, and expects a refusal; the third checks that every app is behind the
runtime's web edge. The local recipients (``deploy.localreceivers``) are a test and demo server
outside this inventory: loopback only, no credentials, the edge's headers (see its own test).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from intake_phone.source import build_app as phone_app
from services.reporting.db import Database as LedgerDatabase
from services.reporting.db import migrate as migrate_ledger
from services.reporting.ledger import Ledger
from services.reporting.tokens import AckTokens
from services.reporting.web import build_app as reporting_app
from services.review.live import LiveHub
from services.review.oidc import RoleMap
from services.review.oidc_provider import OidcClient, Provider
from services.review.sso_accounts import SsoAccounts
from services.review.sso_web import SingleSignOn
from services.review.web import build_app as build_review
from services.runtime import Health, InMemoryPublisher, RuntimeMetrics, ops_app
from services.runtime.blobs import BlobReader
from services.runtime.web_edge import is_protected
from tests.sms_support import build_sms
from tests.unit.test_review_web import App as ReviewApp
from tests.webform_support import build_webform

pytestmark = pytest.mark.unit

# Who may call a route:
PUBLIC: Final = "public"  # anyone: tipsters, the form, its static files, the API's description
LINK: Final = "link token"  # whoever holds a one-time link (the token in the path is the credential)
TWILIO: Final = "twilio signature"  # X-Twilio-Signature under the account's auth token
SPECIALIST_BASIC: Final = "specialist basic"  # HTTP Basic: a specialist's name and token (+ form check)
SPECIALIST_BEARER: Final = "specialist bearer"  # Authorization: Bearer <specialist token>
STAFF: Final = "staff session"  # review: signed in (session + CSRF on unsafe methods)
# review: a right password waiting for its second factor (the pending cookie + its CSRF token)
PENDING: Final = "pending sign-in"
STAFF_OR_SERVICE: Final = "staff or service token"  # review: a session, or an API token
OPS: Final = "ops port"  # liveness and metrics, on the ops port (loopback by default), no content

INVENTORY: Final[dict[str, dict[tuple[str, str], str]]] = {
    "webform": {
        ("GET", "/api/v1/openapi.json"): PUBLIC,
        ("POST", "/api/v1/tips"): PUBLIC,
        ("POST", "/api/v1/follow-ups"): PUBLIC,  # the receipt proves the reporter holds the reference
        ("GET", "/"): PUBLIC,
        ("GET", "/{language}/"): PUBLIC,
        ("GET", "/{language}/follow-up"): PUBLIC,
        ("POST", "/{language}/tip"): PUBLIC,
        ("POST", "/{language}/follow-up"): PUBLIC,
        # A reporter's erasure request: the receipt proves they hold the reference; the same answer
        # whether or not it matches.
        ("POST", "/api/v1/erasure-requests"): PUBLIC,
        ("GET", "/{language}/erase"): PUBLIC,
        ("POST", "/{language}/erase"): PUBLIC,
        ("GET", "/static/{path}"): PUBLIC,
    },
    "phone": {
        ("GET", "/api/v1/openapi.json"): PUBLIC,
        ("POST", "/twilio/voice/status"): TWILIO,
        ("POST", "/twilio/voice/recording"): TWILIO,
        ("POST", "/twilio/voice/transcription"): TWILIO,
        ("POST", "/api/v1/calls/reports"): SPECIALIST_BEARER,
        ("GET", "/specialist/report"): SPECIALIST_BASIC,
        ("POST", "/specialist/report"): SPECIALIST_BASIC,
        ("GET", "/static/{path}"): PUBLIC,  # the staff pages' stylesheet
    },
    "sms": {
        ("POST", "/twilio/messaging"): TWILIO,
    },
    "reporting": {
        ("GET", "/openapi.json"): PUBLIC,  # the API's shape only
        ("GET", "/ack/{token}"): LINK,  # shows the delivery and a button (mail scanners follow links)
        ("POST", "/ack/{token}"): LINK,
        ("GET", "/specialist/tasks"): SPECIALIST_BASIC,
        ("POST", "/specialist/tasks/{task_id}"): SPECIALIST_BASIC,
        ("GET", "/api/v1/phone-tasks"): SPECIALIST_BEARER,
        ("POST", "/api/v1/phone-tasks/{task_id}/outcomes"): SPECIALIST_BEARER,
        ("GET", "/static/{path}"): PUBLIC,  # the staff pages' stylesheet
    },
    "review": {
        ("GET", "/api/v1/openapi.json"): PUBLIC,
        ("GET", "/static/{path}"): PUBLIC,
        ("GET", "/login"): PUBLIC,
        ("POST", "/login"): PUBLIC,  # throttled per source and account
        ("POST", "/logout"): STAFF,
        ("GET", "/login/code"): PENDING,  # the code after the password
        ("POST", "/login/code"): PENDING,  # throttled like the password
        ("GET", "/login/enrol"): PENDING,  # shows a new TOTP secret to the account signing in only
        ("POST", "/login/enrol"): PENDING,
        ("GET", "/account/security"): STAFF,
        # Supervisors only (the role is checked behind the session): legal holds, erasure requests
        # and content erasure (a second supervisor approves), lawful-request exports (likewise).
        ("POST", "/cases/{case_id}/hold"): STAFF,
        ("POST", "/cases/{case_id}/hold/release"): STAFF,
        ("GET", "/erasures"): STAFF,
        ("POST", "/erasures/content"): STAFF,
        ("POST", "/erasures/{request_id}/{verdict}"): STAFF,
        ("GET", "/exports"): STAFF,
        ("POST", "/exports"): STAFF,
        ("POST", "/exports/{export_id}/approve"): STAFF,
        ("POST", "/exports/{export_id}/reject"): STAFF,
        ("GET", "/account/security/enrol"): STAFF,
        ("POST", "/account/security/enrol"): STAFF,
        ("POST", "/account/security/recovery-codes"): STAFF,  # needs a current code as well
        ("GET", "/"): PUBLIC,  # a redirect to /queue
        ("GET", "/queue"): STAFF,
        ("POST", "/queue/next"): STAFF,  # claims the most urgent unclaimed case
        ("GET", "/cases/{case_id}"): STAFF,
        ("POST", "/cases/{case_id}/actions/{action}"): STAFF,
        ("GET", "/cases/{case_id}/contact"): STAFF,  # supervisors only; audited (reporter's details)
        ("POST", "/cases/{case_id}/contact/attempts"): STAFF,
        ("GET", "/events"): STAFF,
        ("GET", "/attachments/{sha256}"): STAFF,
        ("GET", "/find"): STAFF,  # a case by its reference number
        ("GET", "/api/v1/find"): STAFF_OR_SERVICE,
        ("GET", "/api/v1/cases"): STAFF_OR_SERVICE,
        ("GET", "/api/v1/cases/{case_id}"): STAFF_OR_SERVICE,
        ("POST", "/api/v1/cases/{case_id}/actions/{action}"): STAFF_OR_SERVICE,
    },
    "ops": {
        ("GET", "/livez"): OPS,
        ("GET", "/readyz"): OPS,
        ("GET", "/metrics"): OPS,
    },
}
# Review with single sign-on on: its routes and the provider's way in and back (the state, the
# nonce and the PKCE verifier, from this browser's flow cookie, are the callback's credential).
INVENTORY["review-sso"] = {**INVENTORY["review"], ("GET", "/login/sso"): PUBLIC,
                           ("GET", "/login/sso/callback"): PUBLIC}
SAMPLE: Final = {"language": "en", "token": "A" * 43, "task_id": "1", "case_id": str(uuid.uuid4()),
                 "action": "claim", "sha256": "0" * 64, "path": "form.css", "request_id": str(uuid.uuid4()),
                 "verdict": "confirm", "export_id": str(uuid.uuid4())}


@dataclass
class Apps:
    apps: dict[str, Starlette]


def review_with_sso(review: ReviewApp) -> Starlette:
    """The review app with single sign-on on (the provider is never reached here)."""
    client = OidcClient("https://id.example.org/realms/h", "review", "inventory-secret",
                        "https://review.example.org/login/sso/callback")
    sso = SingleSignOn(provider=Provider(client, httpx.AsyncClient()), name="Example ID",
                       accounts=SsoAccounts(review.db, role_map=RoleMap.parse("staff=analyst"),
                                            now=lambda: datetime.now(UTC)))
    return build_review(auth=review.auth, decisions=review.decisions, live=LiveHub(), blobs=BlobReader([]),
                        sso=sso)


@pytest.fixture
def apps(tmp_path: Path) -> Iterator[Apps]:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    migrate_ledger(url)
    ledger_db = LedgerDatabase(url)
    review = ReviewApp(tmp_path)
    sms = build_sms(tmp_path / "sms", InMemoryPublisher())
    built: dict[str, Starlette] = {
        "webform": build_webform(tmp_path, InMemoryPublisher()).app,
        "phone": phone_app(publisher=InMemoryPublisher(), twilio_auth_token="inventory-twilio-token",
                           public_url="https://hotline.example.org",
                           specialist_tokens={"maria": "inventory-specialist-token"}, secret=b"inventory",
                           now=lambda: datetime.now(UTC)),
        "reporting": reporting_app(Ledger(ledger_db, now=lambda: datetime.now(UTC),
                                          tokens=AckTokens(b"inventory-ack-secret")),
                                   specialist_token=SecretStr("inventory-specialist-token")),
        "sms": sms.app,
        "review": review.app,
        "review-sso": review_with_sso(review),
        "ops": ops_app(Health(), RuntimeMetrics("inventory")),
    }
    yield Apps(built)
    sms.close()
    review.db.dispose()
    ledger_db.dispose()


def routes_of(app: Starlette) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def walk(routes: list[object], prefix: str) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                context = getattr(route, "include_context", None)
                walk(list(included.routes), prefix + getattr(context, "prefix", ""))
            elif isinstance(route, Mount):
                found.add(("GET", prefix + route.path + "/{path}"))
            elif isinstance(route, APIRoute | Route):
                found.update((m, prefix + route.path) for m in (route.methods or ()) if m != "HEAD")

    walk(list(app.routes), "")
    return found


def test_every_route_of_every_app_is_listed_with_its_requirement(apps: Apps) -> None:
    assert set(apps.apps) == set(INVENTORY)
    for name, app in apps.apps.items():
        served, listed = routes_of(app), set(INVENTORY[name])
        assert served - listed == set(), f"{name}: routes not in the inventory (add them with who may call)"
        assert listed - served == set(), f"{name}: listed routes the app no longer serves"


@pytest.mark.parametrize("name", sorted(INVENTORY))
async def test_every_route_that_needs_credentials_refuses_a_request_without_them(
    apps: Apps, name: str
) -> None:
    app = apps.apps[name]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://inventory.test") as client:
        for (method, path), requirement in sorted(INVENTORY[name].items()):
            if requirement in (PUBLIC, OPS):
                continue
            url = path.format(**SAMPLE)
            for accept in ("application/json", "text/html"):
                response = await client.request(method, url, headers={"Accept": accept},
                                                follow_redirects=False)
                if requirement == LINK:
                    # The token is the credential: an unknown one shows nothing and acknowledges
                    # nothing (a known one's GET shows a button that does nothing by itself).
                    expected = {404}
                else:
                    # Without a pending sign-in the code pages send everyone back to the password.
                    to_login = (accept == "text/html" and requirement == STAFF) or requirement == PENDING
                    refused = {303} if requirement == PENDING else {401, 403}
                    expected = refused | ({303} if to_login else set())
                assert response.status_code in expected, (name, method, url, accept, response.status_code)
                if response.status_code == 303:
                    assert response.headers["location"].startswith("/login")


def test_every_app_is_behind_the_web_edge(apps: Apps) -> None:
    for name, app in apps.apps.items():
        assert is_protected(app), name
        assert isinstance(app, FastAPI | Starlette)
