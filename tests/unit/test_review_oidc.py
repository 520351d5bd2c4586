"""Single sign-on's pure core (``services.review.oidc``): groups to roles, the flow cookie, and the ID
token's checks, with keys made here (a wrong issuer, audience or nonce, an expired token, a key the
provider does not hold, a symmetric or unsigned token)."""

from __future__ import annotations

import base64
import json
from typing import Any, Final

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OctKey, RSAKey

from services.review.oidc import FLOW_TTL_S, Flow, RoleMap, RoleMapError, TokenRejected, verify_id_token

pytestmark = pytest.mark.unit

ISSUER: Final = "https://id.example.org/realms/hotline"
CLIENT: Final = "hotline-review"
NOW: Final = 1_800_000_000
NONCE: Final = "n-0S6_WzA2Mj"
KEY: Final = RSAKey.generate_key(2048, parameters={"kid": "provider-1"})
PUBLIC: Final = KeySet([RSAKey.import_key(KEY.as_dict(private=False))])


def claims(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"iss": ISSUER, "aud": CLIENT, "sub": "f3c1-77", "exp": NOW + 300, "iat": NOW,
                            "nonce": NONCE, "preferred_username": "Sam.Supervisor", "name": "Sam Supervisor",
                            "groups": ["hotline-supervisors", "staff-all"]}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def signed(payload: dict[str, Any], key: Any = KEY, alg: str = "RS256") -> str:
    return jwt.encode({"alg": alg, "kid": "provider-1"}, payload, key, algorithms=[alg])


def verify(token: str, *, nonce: str = NONCE, now: int = NOW, keys: KeySet = PUBLIC) -> Any:
    return verify_id_token(token, keys, issuer=ISSUER, client_id=CLIENT, nonce=nonce, now=now)


# ------------------------------------------------------------------ the ID token

def test_a_good_token_gives_the_person_and_their_groups() -> None:
    identity = verify(signed(claims()))
    assert (identity.issuer, identity.subject, identity.username) == (ISSUER, "f3c1-77", "Sam.Supervisor")
    assert identity.display_name == "Sam Supervisor"
    assert identity.groups == ("hotline-supervisors", "staff-all")


@pytest.mark.parametrize(("changes", "reason"), [
    ({"iss": "https://id.example.org/realms/other"}, "issuer_mismatch"),
    ({"iss": ISSUER + "/"}, "issuer_mismatch"),
    ({"aud": "another-client"}, "audience_mismatch"),
    ({"aud": ["another-client", CLIENT]}, "authorized_party_mismatch"),  # several audiences, no azp
    ({"exp": NOW - 61}, "token_expired"),  # past the minute of clock skew allowed
    ({"exp": None}, "token_expired"),
    ({"iat": NOW + 3600}, "issued_in_future"),
    ({"nonce": "another flow's nonce"}, "nonce_mismatch"),
    ({"nonce": None}, "nonce_mismatch"),
    ({"sub": None}, "subject_missing"),
    ({"groups": {"hotline-supervisors": True}}, "groups_claim_malformed"),
])
def test_a_token_failing_a_check_is_rejected_with_that_check(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(TokenRejected) as rejected:
        verify(signed(claims(**changes)))
    assert rejected.value.reason == reason


def test_several_audiences_pass_when_this_client_is_the_authorized_party() -> None:
    assert verify(signed(claims(aud=["another-client", CLIENT], azp=CLIENT))).subject == "f3c1-77"


def test_expiry_within_the_allowed_clock_skew_passes() -> None:
    assert verify(signed(claims(exp=NOW - 30))).subject == "f3c1-77"


def test_a_token_signed_by_a_key_the_provider_does_not_hold_is_rejected() -> None:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "provider-1"})
    with pytest.raises(TokenRejected) as rejected:
        verify(signed(claims(), key=stranger))
    assert rejected.value.reason == "signature_invalid"
    unknown = RSAKey.generate_key(2048, parameters={"kid": "provider-2"})
    token = jwt.encode({"alg": "RS256", "kid": "provider-2"}, claims(), unknown, algorithms=["RS256"])
    with pytest.raises(TokenRejected) as rejected:
        verify(token)
    assert rejected.value.reason == "unknown_key"


def test_a_token_whose_claims_were_edited_after_signing_is_rejected() -> None:
    header, payload, signature = signed(claims()).split(".")
    edited = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    edited["groups"] = ["hotline-admins"]
    forged = base64.urlsafe_b64encode(json.dumps(edited).encode()).rstrip(b"=").decode()
    with pytest.raises(TokenRejected) as rejected:
        verify(f"{header}.{forged}.{signature}")
    assert rejected.value.reason == "signature_invalid"


def test_an_hmac_token_is_rejected_even_with_a_matching_secret() -> None:
    # Were HS256 allowed, the client secret (which the provider knows too) could sign tokens.
    secret = OctKey.generate_key(256)
    with pytest.raises(TokenRejected):
        verify(signed(claims(), key=secret, alg="HS256"), keys=KeySet([secret]))


def test_an_unsigned_token_is_rejected() -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=").decode()
    with pytest.raises(TokenRejected):
        verify(f"{header}.{payload}.")


def test_an_ec_signed_token_from_the_provider_passes() -> None:
    ec = ECKey.generate_key("P-256", parameters={"kid": "provider-ec"})
    token = jwt.encode({"alg": "ES256", "kid": "provider-ec"}, claims(), ec, algorithms=["ES256"])
    keys = KeySet([ECKey.import_key(ec.as_dict(private=False))])
    assert verify(token, keys=keys).subject == "f3c1-77"


@pytest.mark.parametrize("garbage", ["", "not a token", "a.b.c", "x" * 5000])
def test_garbage_is_rejected_not_raised_as_something_else(garbage: str) -> None:
    with pytest.raises(TokenRejected):
        verify(garbage)


# ------------------------------------------------------------------ groups to roles

def test_the_role_map_gives_the_most_privileged_role_of_the_mapped_groups() -> None:
    roles = RoleMap.parse(" hotline-supervisors=supervisor , hotline-analysts=analyst,hotline-admins=admin ")
    assert roles.role_for(["hotline-analysts"]) == "analyst"
    assert roles.role_for(["hotline-analysts", "hotline-supervisors", "other"]) == "supervisor"
    assert roles.role_for(["hotline-admins", "hotline-analysts"]) == "admin"


@pytest.mark.parametrize("groups", [[], ["volunteers"], ["Hotline-Supervisors"], ["/hotline-supervisors"]])
def test_no_mapped_group_means_no_role(groups: list[str]) -> None:
    assert RoleMap.parse("hotline-supervisors=supervisor").role_for(groups) is None


@pytest.mark.parametrize(("text", "words"), [
    ("", "no group is mapped"),
    ("hotline-supervisors", "is not GROUP=ROLE"),
    ("feed=service", "the role must be one of analyst, supervisor, admin"),
    ("a=superuser", "the role must be one of"),
    ("a=analyst,a=admin", "mapped twice"),
    ("=analyst", "is not GROUP=ROLE"),
])
def test_a_role_map_that_cannot_be_read_is_refused_naming_the_part(text: str, words: str) -> None:
    with pytest.raises(RoleMapError, match=words):
        RoleMap.parse(text)


# ------------------------------------------------------------------ the flow cookie

def test_a_flows_secrets_are_its_own_and_come_back_from_its_cookie() -> None:
    flow, other = Flow.start("/cases/1?tab=notes", NOW), Flow.start("/", NOW)
    assert len({flow.state, flow.nonce, flow.code_verifier}) == 3
    assert flow.state != other.state and flow.nonce != other.nonce
    assert len(flow.code_verifier) == 43
    again = Flow.from_cookie(flow.cookie(), NOW + 5)
    assert again == flow
    assert again is not None and again.state_matches(flow.state) and not again.state_matches(other.state)


@pytest.mark.parametrize("value", [None, "", "garbage", "a.b.c", "x" * 5000])
def test_a_missing_or_malformed_flow_cookie_is_no_flow(value: str | None) -> None:
    assert Flow.from_cookie(value, NOW) is None


def test_a_flow_older_than_its_time_is_no_flow() -> None:
    flow = Flow.start("/", NOW)
    assert Flow.from_cookie(flow.cookie(), NOW + FLOW_TTL_S) is not None
    assert Flow.from_cookie(flow.cookie(), NOW + FLOW_TTL_S + 1) is None
