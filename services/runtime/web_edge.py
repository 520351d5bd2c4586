"""The one web edge every HTTP app is served through: what all of them promise at the boundary.

- Security headers on every answer, whoever wrote it: routes, exception handlers, the framework's
  404/405/422, a crash (500) and the edge's own refusals. A route may set a
  ``Content-Security-Policy`` of its own (a page's inline styles, an attachment's sandbox);
  everything else is the edge's.
- ``Cache-Control: no-store`` on everything but the app's static files: a report, a case or a
  reference number must not stay in a shared or back-button cache.
- State-changing requests (POST, PUT, PATCH, DELETE) sent by a browser from another site are
  refused before the app sees them. ``Sec-Fetch-Site`` decides when the browser sent it (pages
  cannot forge it); otherwise a real ``Origin`` must be this host or one the app trusts. Clients
  that are not browsers send neither and are judged by their credentials as before.
- A request body larger than the app's limit is refused with 413, before it is read when the
  length is declared, as soon as the stream passes the limit when it is chunked.
- HTTP Basic for the specialists' pages: ``basic_user`` (a name whose token matches, compared in
  constant time) and ``basic_challenge`` (the 401 that makes a browser ask for them).
- ``FormCheck``: the check value carried by forms on pages signed in with HTTP Basic (a browser
  sends Basic credentials with any cross-site post, so the credentials alone prove nothing).
- ``/favicon.ico``, which every browser asks every app for, is answered here with 204 No Content
  (cacheable for a day), so no app logs a 404 for it and no page needs an icon of its own.

``protect(app, policy)`` installs it; ``HttpServer`` refuses to serve an app without it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "SPECIALISTS_REALM",
    "STRICT_CSP",
    "EdgePolicy",
    "FormCheck",
    "WebEdge",
    "basic_challenge",
    "basic_credentials",
    "basic_user",
    "is_protected",
    "origin_of",
    "protect",
    "security_headers",
]

MIB: Final = 1024 * 1024
# Nothing at all: for JSON, plain text and pages without styles.
STRICT_CSP: Final = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
_UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_OWN_SITE: Final = frozenset({b"same-origin", b"none"})  # "none": typed, bookmarked, opened by the user
_TEXT: Final = b"text/plain; charset=utf-8"
_FAVICON: Final = "/favicon.ico"
_READS: Final = frozenset({"GET", "HEAD"})
# One realm for every specialists' page, so a browser signed in on one app offers the same credentials.
SPECIALISTS_REALM: Final = "hotline specialists"

# (content type, body) of an answer in the request's language; the edge picks the status.
Renderer = Callable[[Scope], tuple[bytes, bytes]]


@dataclass(frozen=True)
class EdgePolicy:
    """What one app needs from the edge; the defaults are the strictest."""

    content_security_policy: str = STRICT_CSP
    # Path prefixes whose answers may be cached (the app's static files); everything else is no-store.
    cacheable_prefixes: tuple[str, ...] = ()
    max_request_bytes: int = MIB
    # Origins other than the request's own host allowed to post (an app's configured public URL).
    trusted_origins: frozenset[str] = frozenset()
    too_large: Renderer | None = None
    cross_site: Renderer | None = None


def security_headers(policy: EdgePolicy = EdgePolicy()) -> list[tuple[str, str]]:
    """The headers every answer carries (for servers that are not ASGI apps, as well)."""
    return [
        ("content-security-policy", policy.content_security_policy),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ]


class _Refused(Exception):
    """The edge answered already; whatever the app does after this is discarded."""


class WebEdge:
    """The ASGI middleware; install it with ``protect`` so it is the app's outermost own layer."""

    def __init__(self, app: ASGIApp, policy: EdgePolicy) -> None:
        self.app = app
        self.policy = policy
        self._headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in security_headers(policy)]
        self._replaced = frozenset(k for k, _ in self._headers) | {b"cache-control"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        cacheable = any(path.startswith(prefix) for prefix in self.policy.cacheable_prefixes)
        started = refused = False

        async def secured_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the edge answered for the app
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = self._secured(list(message.get("headers", [])), cacheable)
            await send(message)

        async def refuse(status: int, rendered: tuple[bytes, bytes]) -> None:
            nonlocal refused
            await secured_send({"type": "http.response.start", "status": status, "headers": [
                (b"content-type", rendered[0]), (b"content-length", str(len(rendered[1])).encode()),
                (b"connection", b"close")]})
            await secured_send({"type": "http.response.body", "body": rendered[1]})
            refused = True

        if path == _FAVICON and scope["method"] in _READS:
            await send({"type": "http.response.start", "status": 204,
                        "headers": self._secured([], cacheable=True, max_age=86400)})
            await send({"type": "http.response.body", "body": b""})
            return
        if scope["method"] in _UNSAFE_METHODS and self._cross_site(scope):
            await refuse(403, self._render(self.policy.cross_site, scope,
                                           b"Refused: this request was sent from another site."))
            return
        if self._declared_length(scope) > self.policy.max_request_bytes:
            await refuse(413, self._render(self.policy.too_large, scope, b"The request is too large."))
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.policy.max_request_bytes:
                    if started:
                        raise _Refused  # too late for a 413: end the exchange
                    await refuse(413, self._render(self.policy.too_large, scope,
                                                   b"The request is too large."))
                    # The app (or its framework) stops reading as it would for a client gone away.
                    return {"type": "http.disconnect"}
            return message

        try:
            await self.app(scope, counting_receive, secured_send)
        except _Refused:
            return
        except Exception:
            if refused:
                return  # the app failed on the body the edge cut off; the client has its 413
            if not started:
                # A crash still answers with the headers (the framework's own 500 would not pass here).
                await secured_send({"type": "http.response.start", "status": 500,
                                    "headers": [(b"content-type", _TEXT)]})
                await secured_send({"type": "http.response.body", "body": b"Internal Server Error"})
            raise

    def _secured(self, headers: list[tuple[bytes, bytes]], cacheable: bool,
                 max_age: int = 3600) -> list[tuple[bytes, bytes]]:
        own_policy = [(k, v) for k, v in headers if k.lower() == b"content-security-policy"]
        kept = [(k, v) for k, v in headers if k.lower() not in self._replaced]
        for name, value in self._headers:
            if name == b"content-security-policy" and own_policy:
                kept.extend(own_policy)  # a route's own policy (a page's styles, a sandbox) stands
            else:
                kept.append((name, value))
        kept.append((b"cache-control", f"public, max-age={max_age}".encode() if cacheable else b"no-store"))
        return kept

    @staticmethod
    def _declared_length(scope: Scope) -> int:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return 1 << 62  # unreadable: treated as too large
        return 0

    def _cross_site(self, scope: Scope) -> bool:
        headers: dict[bytes, bytes] = dict(scope.get("headers", []))
        site = headers.get(b"sec-fetch-site")
        if site is not None:
            return site.lower() not in _OWN_SITE
        origin = headers.get(b"origin", b"").decode("latin-1").strip()
        if not origin or origin == "null":
            # No browser evidence either way (a script, a server, an old browser under no-referrer):
            # the credentials and form checks decide.
            return False
        if origin.lower() in self.policy.trusted_origins:
            return False
        host = headers.get(b"host", b"").decode("latin-1").strip().lower()
        return urlsplit(origin).netloc.lower() != host

    @staticmethod
    def _render(renderer: Renderer | None, scope: Scope, default: bytes) -> tuple[bytes, bytes]:
        return renderer(scope) if renderer is not None else (_TEXT, default)


def origin_of(url: str) -> str:
    """The origin (scheme://host[:port]) of a configured public URL, for ``trusted_origins``."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def protect(app: Starlette, policy: EdgePolicy = EdgePolicy()) -> None:
    """Install the edge on ``app``; call it after the app's other middleware, so it is outermost."""
    app.add_middleware(WebEdge, policy=policy)


def is_protected(app: object) -> bool:
    """Whether ``app`` has the edge installed (``HttpServer`` serves no other)."""
    installed: list[object] = [m.cls for m in app.user_middleware] if isinstance(app, Starlette) else []
    return WebEdge in installed


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """(user, password) of an ``Authorization: Basic`` header, or None."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, colon, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return (user, password) if colon else None


def basic_user(authorization: str | None, token_of: Callable[[str], str | None]) -> str | None:
    """The user of ``Authorization: Basic`` credentials whose password is that user's token, or None.

    ``token_of`` answers a name with its token, or None for a name that may not sign in; the
    comparison takes the same time however much of a wrong token matches.
    """
    credentials = basic_credentials(authorization)
    if credentials is None:
        return None
    name, given = credentials
    expected = token_of(name)
    return name if expected and hmac.compare_digest(given.encode(), expected.encode()) else None


def basic_challenge(message: str, realm: str = SPECIALISTS_REALM) -> Response:
    """401 with the HTTP Basic challenge a browser answers by asking for a name and a token."""
    return Response(message, status_code=401,
                    headers={"www-authenticate": f'Basic realm="{realm}", charset="UTF-8"'})


class FormCheck:
    """Check values for the forms of pages signed in with HTTP Basic.

    The value is an HMAC, under the signed-in person's own secret, of what the form acts on (the
    person, and the task or report). A page from elsewhere cannot compute it, so a cross-site post
    that rides on the browser's Basic credentials is refused; nothing is stored to verify it.
    """

    def __init__(self, purpose: str) -> None:
        self._purpose = purpose

    def value(self, key: bytes, *parts: str) -> str:
        message = "\x00".join((self._purpose, *parts)).encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def valid(self, key: bytes, given: object, *parts: str) -> bool:
        if not key or not isinstance(given, str):
            return False
        return hmac.compare_digest(given.encode(), self.value(key, *parts).encode())
