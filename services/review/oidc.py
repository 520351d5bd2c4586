"""Single sign-on's pure core: the provider's groups to roles, the login flow's secrets, the ID token checks.

No network and no database here (``oidc_provider`` talks to the provider, ``sso_accounts`` keeps the
accounts), so every check can be tried with keys made in a test.

The flow's secrets are derived from one random seed kept in the browser's flow cookie: the
``state`` sent to the provider, the ``nonce`` it must put in the ID token and the PKCE code verifier
are each an HMAC of the seed under their own label. Nothing is stored on the server between the
redirect and the callback, so any replica can finish a sign-in another one started, and a
callback whose ``state`` is not the one this browser's seed gives is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from joserfc import jwt
from joserfc.errors import BadSignatureError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

__all__ = [
    "ALGORITHMS",
    "FLOW_TTL_S",
    "Flow",
    "Identity",
    "RoleMap",
    "RoleMapError",
    "TokenRejected",
    "verify_id_token",
]

# Signature algorithms an ID token may use: asymmetric only, so the client secret can never
# become a verification key, and never "none".
ALGORITHMS: Final = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
FLOW_TTL_S: Final = 600  # from the redirect to the provider until the callback
LEEWAY_S: Final = 60  # clock skew tolerated between the provider and this service
# Review's roles a provider's group may grant, least to most privileged; never "service" (a
# system's API token) and nothing unknown.
_GRANTABLE: Final = ("analyst", "supervisor", "admin")
_GROUP: Final = re.compile(r"[^\s=,]{1,200}")


class RoleMapError(ValueError):
    """The role map setting cannot be read; the message names the part."""


class TokenRejected(Exception):
    """The ID token or the callback is not accepted; ``reason`` is a short code for the audit
    (never the token or a claim's value)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RoleMap:
    """Provider group name -> review role. A person in several mapped groups gets the most
    privileged of their roles; in none, no role (and no sign-in)."""

    groups: Mapping[str, str]

    @classmethod
    def parse(cls, text: str) -> RoleMap:
        """``hotline-supervisors=supervisor,hotline-analysts=analyst`` (spaces around items allowed)."""
        groups: dict[str, str] = {}
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            group, sep, role = (side.strip() for side in item.partition("="))
            if not sep or not _GROUP.fullmatch(group):
                raise RoleMapError(f"{item!r} is not GROUP=ROLE")
            if role not in _GRANTABLE:
                raise RoleMapError(f"{group}: the role must be one of {', '.join(_GRANTABLE)}, not {role!r}")
            if group in groups and groups[group] != role:
                raise RoleMapError(f"{group} is mapped twice")
            groups[group] = role
        if not groups:
            raise RoleMapError("no group is mapped to a role")
        return cls(groups)

    def role_for(self, groups: Iterable[str]) -> str | None:
        roles = {self.groups[g] for g in groups if g in self.groups}
        for role in reversed(_GRANTABLE):
            if role in roles:
                return role
        return None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Flow:
    """One sign-in on its way through the provider: the secrets its cookie's seed gives."""

    seed: str
    started_at: int  # seconds since the epoch
    next_path: str

    @classmethod
    def start(cls, next_path: str, now: int) -> Flow:
        return cls(secrets.token_urlsafe(32), now, next_path)

    def _derive(self, label: str) -> str:
        return _b64(hmac.new(self.seed.encode("ascii"), label.encode("ascii"), hashlib.sha256).digest())

    @property
    def state(self) -> str:
        return self._derive("state")

    @property
    def nonce(self) -> str:
        return self._derive("nonce")

    @property
    def code_verifier(self) -> str:
        return self._derive("pkce")  # 43 characters of base64url: RFC 7636's minimum, 256 bits

    def cookie(self) -> str:
        return f"{self.seed}.{self.started_at}.{_b64(self.next_path.encode('utf-8'))}"

    @classmethod
    def from_cookie(cls, value: str | None, now: int) -> Flow | None:
        """The flow in this cookie, or None when there is none, it is malformed or too old."""
        if not value or len(value) > 4000:
            return None
        seed, _, rest = value.partition(".")
        started, _, encoded = rest.partition(".")
        if not re.fullmatch(r"[A-Za-z0-9_-]{43}", seed) or not started.isdigit():
            return None
        try:
            next_path = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
        except ValueError:
            return None
        if not 0 <= now - int(started) <= FLOW_TTL_S:
            return None
        return cls(seed, int(started), next_path)

    def state_matches(self, returned: object) -> bool:
        return isinstance(returned, str) and hmac.compare_digest(returned.encode(), self.state.encode())


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in: the pair (issuer, subject) is the person, for good."""

    issuer: str
    subject: str
    username: str | None
    display_name: str | None
    groups: tuple[str, ...]


def _groups(claims: Mapping[str, Any], claim: str) -> tuple[str, ...]:
    value = claims.get(claim, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise TokenRejected("groups_claim_malformed")
    # Some providers give full paths ("/hotline-supervisors"); the map names groups as configured.
    return tuple(g for g in value if isinstance(g, str))


def _display_name(claims: Mapping[str, Any]) -> str | None:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p for p in parts if isinstance(p, str) and p.strip())
    return name.strip()[:128] or None


def verify_id_token(token: str, keys: KeySet, *, issuer: str, client_id: str, nonce: str, now: int,
                    groups_claim: str = "groups", leeway: int = LEEWAY_S) -> Identity:
    """The identity in a signed ID token (OpenID Connect Core 3.1.3.7): signature by one of the
    provider's keys with an asymmetric algorithm; ``iss`` the configured issuer exactly; ``aud``
    naming this client (and ``azp`` this client when there are several audiences); ``exp`` not
    passed and ``iat`` not in the future, within ``leeway``; ``nonce`` this flow's; a ``sub``.
    Raises ``TokenRejected`` with the first check that failed."""
    try:
        decoded = jwt.decode(token, keys, algorithms=list(ALGORITHMS))
    except InvalidKeyIdError:
        raise TokenRejected("unknown_key") from None  # not in the set we hold: rotated, or forged
    except BadSignatureError:
        raise TokenRejected("signature_invalid") from None
    except (JoseError, ValueError):
        raise TokenRejected("token_malformed") from None
    claims = decoded.claims
    if claims.get("iss") != issuer:
        raise TokenRejected("issuer_mismatch")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
    if client_id not in audiences:
        raise TokenRejected("audience_mismatch")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise TokenRejected("authorized_party_mismatch")
    expires, issued = claims.get("exp"), claims.get("iat")
    if not isinstance(expires, int | float) or isinstance(expires, bool) or expires <= now - leeway:
        raise TokenRejected("token_expired")
    if not isinstance(issued, int | float) or isinstance(issued, bool) or issued > now + leeway:
        raise TokenRejected("issued_in_future")
    returned = claims.get("nonce")
    if not isinstance(returned, str) or not hmac.compare_digest(returned.encode(), nonce.encode()):
        raise TokenRejected("nonce_mismatch")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise TokenRejected("subject_missing")
    username = claims.get("preferred_username")
    return Identity(issuer=issuer, subject=subject,
                    username=username if isinstance(username, str) else None,
                    display_name=_display_name(claims), groups=_groups(claims, groups_claim))
