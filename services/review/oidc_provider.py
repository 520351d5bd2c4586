"""Single sign-on's edge to the OpenID provider: discovery, its keys, the login URL, the code's redemption.

The requests are authlib's (the authorization URL, the token request, the S256 code challenge),
sent through this service's own HTTPX client. The code is redeemed with the client's secret and
the PKCE code verifier, so a code stolen on its way back through the browser is worth nothing to
anyone without this browser's flow cookie. Discovery and the key set are fetched on the first
sign-in (the service starts while the provider is away) and kept; an ID token signed by a key not
in the set fetches the set again, at most once a minute (the provider rotated its keys).

Library and network errors become ``ProviderUnavailable`` (the provider cannot be reached or
answered nonsense: try again later) or ``oidc.TokenRejected`` (it answered, and the answer is not
accepted), here and nowhere else.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote_plus

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from services.review.oidc import Flow, Identity, TokenRejected, verify_id_token

__all__ = ["OidcClient", "Provider", "ProviderUnavailable"]

_REFETCH_AFTER_S: Final = 60  # at most one unscheduled key set fetch a minute (an unknown key id)


class ProviderUnavailable(Exception):
    """The provider could not be reached, or answered what is not OpenID Connect; ``reason`` is a
    short code for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OidcClient:
    """This service as the provider's client."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_url: str  # this service's public URL of /login/sso/callback, as registered
    groups_claim: str = "groups"
    scope: str = "openid profile"


@dataclass(frozen=True)
class _Endpoints:
    authorization: str
    token: str
    jwks: str


class Provider:
    """One OpenID provider. ``http`` is the client every request goes through (closed by its owner)."""

    def __init__(self, client: OidcClient, http: httpx.AsyncClient, *, timeout_s: float = 10.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self._http = http
        self._timeout = httpx.Timeout(timeout_s)
        self._clock = clock
        self._endpoints: _Endpoints | None = None
        self._keys: KeySet | None = None
        self._keys_at = 0.0
        self._lock = asyncio.Lock()

    async def authorization_url(self, flow: Flow) -> str:
        """Where to send the browser: the provider's login, for this flow (state, nonce, S256 PKCE)."""
        endpoints = await self._discover()
        return str(prepare_grant_uri(endpoints.authorization, self.client.client_id, "code",
                                     redirect_uri=self.client.redirect_url, scope=self.client.scope,
                                     state=flow.state, nonce=flow.nonce,
                                     code_challenge=create_s256_code_challenge(flow.code_verifier),
                                     code_challenge_method="S256"))

    async def redeem(self, code: str, flow: Flow) -> Identity:
        """The identity the code stands for: the code (with the verifier) for tokens, and the ID
        token's checks (``oidc.verify_id_token``)."""
        endpoints = await self._discover()
        try:
            body = prepare_token_request("authorization_code", code=code, code_verifier=flow.code_verifier,
                                         redirect_uri=self.client.redirect_url)
        except AuthlibBaseError:
            raise TokenRejected("code_missing") from None
        try:
            # client_secret_basic (RFC 6749 2.3.1): id and secret form-encoded, then Basic.
            secret = httpx.BasicAuth(quote_plus(self.client.client_id), quote_plus(self.client.client_secret))
            response = await self._http.post(
                endpoints.token, content=body, timeout=self._timeout, auth=secret,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        except httpx.HTTPError:
            raise ProviderUnavailable("token_endpoint_unreachable") from None
        if response.status_code >= 500:
            raise ProviderUnavailable("token_endpoint_failed")
        if response.status_code != 200:
            # The provider refused the code (used, expired, wrong verifier, wrong redirect).
            raise TokenRejected("code_refused")
        try:
            token = response.json()
        except ValueError:
            raise ProviderUnavailable("token_response_malformed") from None
        if not isinstance(token, dict):
            raise ProviderUnavailable("token_response_malformed")
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise TokenRejected("no_id_token")
        keys = await self._key_set(refresh=False)
        try:
            return self._verify_token(id_token, keys, flow)
        except TokenRejected as rejected:
            if rejected.reason != "unknown_key" or self._clock() - self._keys_at < _REFETCH_AFTER_S:
                raise
        # Signed with a key id the set does not have yet: the provider rotated its keys.
        keys = await self._key_set(refresh=True)
        return self._verify_token(id_token, keys, flow)

    def _verify_token(self, id_token: str, keys: KeySet, flow: Flow) -> Identity:
        return verify_id_token(id_token, keys, issuer=self.client.issuer, client_id=self.client.client_id,
                               nonce=flow.nonce, now=int(self._clock()),
                               groups_claim=self.client.groups_claim)

    async def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            response = await self._http.get(url, timeout=self._timeout)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError):
            raise ProviderUnavailable(f"{what}_unreachable") from None
        if not isinstance(body, dict):
            raise ProviderUnavailable(f"{what}_malformed")
        return body

    async def _discover(self) -> _Endpoints:
        async with self._lock:
            if self._endpoints is not None:
                return self._endpoints
            url = self.client.issuer.rstrip("/") + "/.well-known/openid-configuration"
            document = await self._get_json(url, "discovery")
            # OpenID Connect Discovery 4.3: the document must name exactly the issuer asked for.
            if document.get("issuer") != self.client.issuer:
                raise ProviderUnavailable("discovery_issuer_mismatch")
            urls = [document.get(k) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")]
            if not all(isinstance(u, str) and u.startswith(("https://", "http://")) for u in urls):
                raise ProviderUnavailable("discovery_malformed")
            self._endpoints = _Endpoints(*(str(u) for u in urls))
            return self._endpoints

    async def _key_set(self, *, refresh: bool) -> KeySet:
        endpoints = await self._discover()
        async with self._lock:
            if self._keys is not None and not refresh:
                return self._keys
            document = await self._get_json(endpoints.jwks, "jwks")
            try:
                keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError):
                raise ProviderUnavailable("jwks_malformed") from None
            self._keys, self._keys_at = keys, self._clock()
            return keys
