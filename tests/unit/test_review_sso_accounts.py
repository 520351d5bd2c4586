"""Single sign-on's accounts (``services.review.sso_accounts``) and its settings: an account made on the
first sign-in, its role kept to the provider's groups, refusals audited, no linking by name, the
second factor left to the provider, and settings that cannot leave nobody able to sign in."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from services.review.auth import Auth, Role
from services.review.config import ReviewSettings
from services.review.db import SCHEMA, Database
from services.review.models import StaffIdentity, User, UserSession
from services.review.oidc import Identity, RoleMap
from services.review.sso_accounts import SsoAccounts, SsoRefused
from tests.databases import copied_sqlite_db
from tests.review_staff import PASSWORD, TTL, Clock, audit_rows, cheap_hasher, stored_user

pytestmark = pytest.mark.unit

ISSUER = "https://id.example.org/realms/hotline"
ROLES = RoleMap.parse("hotline-supervisors=supervisor,hotline-analysts=analyst")


def person(*groups: str, subject: str = "f3c1-77", username: str | None = "Dana.Lopez",
           name: str | None = "Dana Lopez") -> Identity:
    return Identity(issuer=ISSUER, subject=subject, username=username, display_name=name, groups=groups)


migrated_template, db = copied_sqlite_db(SCHEMA)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def staff(db: Database, clock: Clock) -> Auth:
    # Production's setting: a second factor required of everyone who signs in with a password.
    return Auth(db, session_ttl=TTL, cookie_secure=True, now=clock, hasher=cheap_hasher(), mfa_required=True)


@pytest.fixture
def accounts(db: Database, clock: Clock) -> SsoAccounts:
    return SsoAccounts(db, role_map=ROLES, now=clock)


def sessions_of(db: Database, user_id: int) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(UserSession)
                                  .where(UserSession.user_id == user_id)) or 0)


def test_the_first_sign_in_makes_an_account_with_the_mapped_role_and_audits_it(
        accounts: SsoAccounts, db: Database) -> None:
    user_id = accounts.account_for(person("hotline-analysts", "everyone"))
    user = stored_user(db, "dana.lopez")
    assert (user.id, user.role, user.display_name) == (user_id, "analyst", "Dana Lopez")
    assert user.password_hash is None
    with db.read() as session:
        assert session.get(StaffIdentity, (ISSUER, "f3c1-77")) is not None
    created = [row for row in audit_rows(db) if row.action == "user_created"]
    assert [(r.actor, r.detail) for r in created] == [
        ("dana.lopez", {"user_id": user_id, "username": "dana.lopez", "role": "analyst", "via": "oidc"})]


def test_later_sign_ins_follow_the_groups_and_audit_the_change(accounts: SsoAccounts, db: Database) -> None:
    first = accounts.account_for(person("hotline-analysts"))
    again = accounts.account_for(person("hotline-analysts", "hotline-supervisors", name="Dana López"))
    assert again == first
    user = stored_user(db, "dana.lopez")
    assert (user.role, user.display_name) == ("supervisor", "Dana López")
    updated = [row.detail for row in audit_rows(db) if row.action == "user_updated"]
    assert updated == [{"user_id": first, "via": "oidc", "role": "supervisor", "previous_role": "analyst",
                        "display_name": "changed"}]


def test_the_person_is_the_subject_not_the_name(accounts: SsoAccounts, db: Database) -> None:
    first = accounts.account_for(person("hotline-analysts"))
    renamed = accounts.account_for(person("hotline-analysts", username="dana.l"))
    assert renamed == first  # renamed at the provider: the same account


def test_someone_taken_out_of_every_mapped_group_is_refused_and_their_sessions_end(
        accounts: SsoAccounts, staff: Auth, db: Database) -> None:
    user_id = accounts.account_for(person("hotline-supervisors"))
    assert staff.sign_in_external(user_id, "oidc") is not None
    assert sessions_of(db, user_id) == 1
    with pytest.raises(SsoRefused) as refused:
        accounts.account_for(person("volunteers"))
    assert refused.value.reason == "no_mapped_group"
    assert "does not put you in a group" in str(refused.value)
    assert sessions_of(db, user_id) == 0
    last = audit_rows(db)[-1]
    assert (last.actor, last.action, last.detail) == ("dana.lopez", "login_failed",
                                                      {"reason": "no_mapped_group", "via": "oidc"})


def test_a_local_account_of_the_same_name_is_never_taken_over(
        accounts: SsoAccounts, staff: Auth, db: Database) -> None:
    staff.create_user("dana.lopez", "Dana (local)", Role.ANALYST, PASSWORD)
    with pytest.raises(SsoRefused) as refused:
        accounts.account_for(person("hotline-supervisors"))
    assert refused.value.reason == "username_taken"
    local = stored_user(db, "dana.lopez")
    assert (local.role, local.display_name) == ("analyst", "Dana (local)")
    with db.read() as session:
        assert session.scalars(select(StaffIdentity)).first() is None


def test_a_deactivated_account_stays_out_whatever_the_provider_says(
        accounts: SsoAccounts, staff: Auth) -> None:
    accounts.account_for(person("hotline-supervisors"))
    staff.deactivate("dana.lopez")
    with pytest.raises(SsoRefused) as refused:
        accounts.account_for(person("hotline-supervisors"))
    assert refused.value.reason == "inactive"


def test_a_provider_without_a_usable_username_still_gives_a_stable_account(
        accounts: SsoAccounts, db: Database) -> None:
    first = accounts.account_for(person("hotline-analysts", username="Dana López!"))
    assert accounts.account_for(person("hotline-analysts", username=None)) == first
    with db.read() as session:
        name = session.scalar(select(User.username).where(User.id == first))
    assert name is not None and name.startswith("sso-")


def test_a_single_sign_on_session_needs_no_local_second_factor_where_passwords_do(
        accounts: SsoAccounts, staff: Auth) -> None:
    user_id = accounts.account_for(person("hotline-supervisors"))
    signed_in = staff.sign_in_external(user_id, "oidc")
    assert signed_in is not None
    token, principal = signed_in
    assert (principal.username, principal.role, principal.via) == ("dana.lopez", Role.SUPERVISOR, "session")
    assert staff.principal(token, None) == principal
    # The same account given a local password is held to the second factor like any other.
    staff.set_password("dana.lopez", PASSWORD)
    assert staff.principal(token, None) is None  # set_password ended the session anyway
    again = staff.sign_in_external(user_id, "oidc")
    assert again is not None and staff.principal(again[0], None) is None


# ------------------------------------------------------------------ settings

SSO = {"review_oidc_issuer": ISSUER, "review_oidc_client_id": "hotline-review",
       "review_oidc_client_secret": "s3cret-from-the-provider",
       "review_oidc_redirect_url": "https://review.example.org/login/sso/callback",
       "review_oidc_role_map": "hotline-supervisors=supervisor"}


def test_single_sign_on_settings_are_read_and_checked(tmp_path: Path) -> None:
    settings = ReviewSettings(**SSO)  # type: ignore[arg-type]
    assert settings.sso_enabled and settings.oidc_role_map().role_for(["hotline-supervisors"]) == "supervisor"
    assert settings.oidc_client_secret() == "s3cret-from-the-provider"
    secret = tmp_path / "client-secret"
    secret.write_text("from-a-file\n")
    from_file = ReviewSettings(**{**SSO, "review_oidc_client_secret": None,  # type: ignore[arg-type]
                                  "review_oidc_client_secret_file": secret})
    assert from_file.oidc_client_secret() == "from-a-file"
    assert not ReviewSettings().sso_enabled


@pytest.mark.parametrize(("changes", "words"), [
    ({"review_oidc_client_id": None}, "HOTLINE_REVIEW_OIDC_CLIENT_ID"),
    ({"review_oidc_client_secret": None}, "HOTLINE_REVIEW_OIDC_CLIENT_SECRET"),
    ({"review_oidc_redirect_url": None}, "HOTLINE_REVIEW_OIDC_REDIRECT_URL"),
    ({"review_oidc_role_map": ""}, "HOTLINE_REVIEW_OIDC_ROLE_MAP"),
    ({"review_oidc_role_map": "admins=root"}, "the role must be one of"),
    ({"review_oidc_issuer": "id.example.org"}, "must be an http"),
])
def test_incomplete_single_sign_on_settings_are_refused(changes: dict[str, object], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        ReviewSettings(**{**SSO, **changes})  # type: ignore[arg-type]


def test_password_sign_in_can_be_switched_off_only_with_single_sign_on_on() -> None:
    assert not ReviewSettings(**SSO, review_password_login=False).review_password_login  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="no way to sign in"):
        ReviewSettings(review_password_login=False)


def test_production_needs_the_provider_over_https() -> None:
    production = {"environment": "production", "review_database_url": "postgresql+psycopg://r@db.example.org/r",
                  "kafka_security_protocol": "SSL", "replication_factor": 3,
                  "blob_keys": '{"k": "' + "a" * 43 + '="}'}
    assert ReviewSettings(**production, **SSO).sso_enabled  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="over https"):
        ReviewSettings(**production, **{**SSO, "review_oidc_issuer": "http://id.example.org/realms/h"})  # type: ignore[arg-type]


async def test_the_composition_root_wires_single_sign_on_as_configured(tmp_path: Path, db: Database) -> None:
    import httpx

    from services.review.main import single_sign_on

    secret = tmp_path / "client-secret"
    secret.write_text("from-the-secret-store\n")
    async with httpx.AsyncClient() as http:
        assert single_sign_on(ReviewSettings(), db, http) is None
        settings = ReviewSettings(**{**SSO, "review_oidc_client_secret": None,  # type: ignore[arg-type]
                                     "review_oidc_client_secret_file": secret,
                                     "review_oidc_provider_name": "Example ID",
                                     "review_password_login": False})
        sso = single_sign_on(settings, db, http)
    assert sso is not None
    assert (sso.name, sso.password_login) == ("Example ID", False)
    client = sso.provider.client
    assert (client.issuer, client.client_secret) == (ISSUER, "from-the-secret-store")
    assert sso.accounts.role_map.role_for(["hotline-supervisors"]) == "supervisor"
