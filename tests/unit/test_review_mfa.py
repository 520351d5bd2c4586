"""The second factor in the case store (SQLite, time injected): enrolment, replay refusal, recovery
codes, throttling, pending sign-ins, production enforcement and the reset."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.review import totp
from services.review.auth import Auth, SecondFactorNeeded
from services.review.db import SCHEMA, Database
from services.review.mfa import MAX_FAILURES, CodeThrottled, MfaError, WrongCode
from services.review.models import PendingSignIn, RecoveryCode, StaffMfa, UserSession
from tests.databases import copied_sqlite_db
from tests.review_staff import PASSWORD, TTL, Clock, audit_rows, cheap_hasher, with_staff

pytestmark = pytest.mark.unit


migrated_template, db = copied_sqlite_db(SCHEMA)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_auth(db: Database, clock: Clock, *, required: bool) -> Auth:
    return Auth(db, session_ttl=TTL, cookie_secure=True, now=clock, hasher=cheap_hasher(),
                mfa_required=required)


@pytest.fixture
def auth(db: Database, clock: Clock) -> Auth:
    return with_staff(make_auth(db, clock, required=False))


def secret_of(db: Database, user_id: int) -> str:
    with db.read() as session:
        row = session.get(StaffMfa, user_id)
    assert row is not None
    return row.secret


def code_now(db: Database, clock: Clock, user_id: int, offset: int = 0) -> str:
    return totp.code_at(secret_of(db, user_id), totp.step_at(clock()) + offset)


def enrol(auth: Auth, db: Database, clock: Clock, username: str = "sam") -> tuple[int, list[str]]:
    uid = _user_id(db, username)
    auth.mfa.begin_enrolment(uid, username)
    codes = auth.mfa.confirm_enrolment(uid, username, code_now(db, clock, uid), source="198.51.100.7")
    clock.advance(seconds=30)  # the enrolment's code is spent: the next sign-in needs the next one
    return uid, codes


def _user_id(db: Database, username: str) -> int:
    from services.review.models import User

    with db.read() as session:
        found = session.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


def sign_in_pending(auth: Auth, username: str = "sam") -> SecondFactorNeeded:
    with pytest.raises(SecondFactorNeeded) as needed:
        auth.login(username, PASSWORD, source="198.51.100.7")
    return needed.value


# ------------------------------------------------------------------ enrolment

def test_enrolment_needs_a_good_code_before_it_is_switched_on(auth: Auth, db: Database, clock: Clock) -> None:
    uid = _user_id(db, "sam")
    first = auth.mfa.begin_enrolment(uid, "sam")
    assert auth.mfa.begin_enrolment(uid, "sam") == first  # a reload shows the same key
    assert first.secret_groups.replace(" ", "") == secret_of(db, uid) and "otpauth://totp/" in first.uri
    with pytest.raises(WrongCode):
        auth.mfa.confirm_enrolment(uid, "sam", "000000" if code_now(db, clock, uid) != "000000" else "111111",
                                   source=None)
    assert auth.mfa.stage_after_password(uid) is None  # still off: the password alone signs in
    assert auth.login("sam", PASSWORD) is not None
    codes = auth.mfa.confirm_enrolment(uid, "sam", code_now(db, clock, uid), source=None)
    assert len(codes) == 10 and auth.mfa.stage_after_password(uid) == "code"
    with pytest.raises(MfaError, match="already"):
        auth.mfa.begin_enrolment(uid, "sam")  # the key is never shown again
    with db.read() as session:
        stored = list(session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == uid)))
    assert len(stored) == 10 and not {c.replace("-", "") for c in codes} & set(stored)
    assert [r.action for r in audit_rows(db)][-1] == "mfa_enrolled"


def test_a_code_signs_in_once_and_never_again(auth: Auth, db: Database, clock: Clock) -> None:
    uid, _ = enrol(auth, db, clock)
    needed = sign_in_pending(auth)
    assert needed.stage == "code"
    assert auth.principal(needed.token, None) is None  # a pending sign-in is no session
    code = code_now(db, clock, uid)
    result = auth.complete(needed.token, code, source="198.51.100.7")
    assert result is not None and result[1].username == "sam"
    assert auth.complete(needed.token, code) is None  # the pending sign-in is spent
    again = sign_in_pending(auth)
    with pytest.raises(WrongCode):
        auth.complete(again.token, code)  # the same code, within its window: a replay
    with pytest.raises(WrongCode):
        auth.complete(again.token, code_now(db, clock, uid, -1))  # an older one too
    assert auth.complete(again.token, code_now(db, clock, uid, +1)) is not None  # a later one is fine
    failures = [r.detail for r in audit_rows(db) if r.action == "mfa_failed"]
    assert [f["reason"] for f in failures] == ["replayed", "replayed"]
    logins = [r.detail for r in audit_rows(db) if r.action == "login"]
    assert logins[-1] == {"user_id": uid, "second_factor": "totp"}


def test_recovery_codes_work_once_each_and_renewal_ends_the_old_ones(
    auth: Auth, db: Database, clock: Clock
) -> None:
    uid, codes = enrol(auth, db, clock)
    needed = sign_in_pending(auth)
    assert auth.complete(needed.token, codes[0].lower().replace("-", " ")) is not None
    used = [r.detail for r in audit_rows(db) if r.action == "mfa_recovery_code_used"]
    assert used == [{"user_id": uid, "remaining": 9}]
    with pytest.raises(WrongCode):
        auth.complete(sign_in_pending(auth).token, codes[0])
    assert auth.mfa.remaining_recovery_codes(uid) == 9
    with pytest.raises(WrongCode, match="recovery code cannot"):
        auth.mfa.renew_recovery_codes(uid, "sam", codes[1], source=None)
    fresh = auth.mfa.renew_recovery_codes(uid, "sam", code_now(db, clock, uid), source=None)
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    clock.advance(seconds=30)
    with pytest.raises(WrongCode):
        auth.complete(sign_in_pending(auth).token, codes[1])  # renewed: the old set is gone
    assert auth.complete(sign_in_pending(auth).token, fresh[1]) is not None
    assert [r.action for r in audit_rows(db)].count("mfa_recovery_codes_renewed") == 1


def test_wrong_codes_are_throttled_and_a_right_password_does_not_clear_them(
    auth: Auth, db: Database, clock: Clock
) -> None:
    uid, _ = enrol(auth, db, clock)
    wrong = "000000" if code_now(db, clock, uid) != "000000" else "111111"
    for _ in range(3):  # the throttle's free failures, each time after a right password
        with pytest.raises(WrongCode):
            auth.complete(sign_in_pending(auth).token, wrong, source="198.51.100.7")
    with pytest.raises(WrongCode):
        auth.complete(sign_in_pending(auth).token, wrong, source="198.51.100.7")
    with pytest.raises(CodeThrottled) as throttled:
        auth.complete(sign_in_pending(auth).token, code_now(db, clock, uid), source="198.51.100.7")
    assert throttled.value.retry_after > timedelta(0)
    # Elsewhere, the real person is not slowed by those guesses.
    assert auth.complete(sign_in_pending(auth).token, code_now(db, clock, uid), source="203.0.113.9")
    reasons = [r.detail["reason"] for r in audit_rows(db) if r.action == "mfa_failed"]
    assert reasons == ["wrong_code"] * 4 + ["throttled"]


def test_too_many_wrong_codes_end_the_pending_sign_in(auth: Auth, db: Database, clock: Clock) -> None:
    uid, _ = enrol(auth, db, clock)
    needed = sign_in_pending(auth)
    for attempt in range(MAX_FAILURES):  # from different places: no throttle's wait, only the limit
        with pytest.raises(WrongCode):
            auth.complete(needed.token, "12345", source=f"192.0.2.{attempt}")  # five digits: never right
    assert auth.complete(needed.token, code_now(db, clock, uid)) is None
    with db.read() as session:
        assert session.scalar(select(PendingSignIn)) is None


def test_a_pending_sign_in_expires(auth: Auth, db: Database, clock: Clock) -> None:
    uid, _ = enrol(auth, db, clock)
    needed = sign_in_pending(auth)
    clock.advance(minutes=11)
    assert auth.complete(needed.token, code_now(db, clock, uid)) is None
    assert auth.purge_expired() == 1


# ------------------------------------------------------------------ where it is required

def test_required_a_password_leads_only_to_enrolment(auth: Auth, db: Database, clock: Clock) -> None:
    before = auth.login("ana", PASSWORD)  # a session from before the second factor was required
    assert before is not None
    token = auth.create_token("ana", "laptop")
    feed = auth.create_token("feed", "export")
    required = make_auth(db, clock, required=True)
    assert required.principal(before[0], None) is None and required.principal(None, token) is None
    assert required.principal(None, feed) is not None  # service accounts have no password to guard
    needed = sign_in_pending(required, "ana")
    assert needed.stage == "enrol" and required.principal(needed.token, None) is None
    assert required.complete(needed.token, "123456") is None  # not the code page's pending sign-in
    uid = _user_id(db, "ana")
    required.mfa.begin_enrolment(uid, "ana")
    result = required.enrol(needed.token, code_now(db, clock, uid))
    assert result is not None
    session_token, principal, codes = result
    assert required.principal(session_token, None) == principal and len(codes) == 10
    assert required.principal(None, token) is not None  # enrolled: the staff token works again


def test_production_settings_cannot_switch_it_off() -> None:
    from pydantic import ValidationError

    from services.review.config import ReviewSettings

    def production(required: bool | None) -> ReviewSettings:
        return ReviewSettings(environment="production", mfa_required=required,
                              review_database_url="postgresql+psycopg://review@db.example.org/review",
                              kafka_security_protocol="SSL", replication_factor=3,
                              blob_keys='{"k": "' + "a" * 43 + '="}')

    assert production(None).requires_mfa and production(True).requires_mfa
    with pytest.raises(ValidationError, match="two-step"):
        production(False)
    assert not ReviewSettings(environment="dev").requires_mfa
    assert ReviewSettings(environment="dev", mfa_required=True).requires_mfa


# ------------------------------------------------------------------ reset, audit, logs

def test_a_reset_needs_another_supervisor_and_ends_the_sessions(
    auth: Auth, db: Database, clock: Clock
) -> None:
    uid, _ = enrol(auth, db, clock, "ana")
    needed = sign_in_pending(auth, "ana")
    session_token = auth.complete(needed.token, code_now(db, clock, uid))
    assert session_token is not None
    with pytest.raises(MfaError, match="your own"):
        auth.mfa.reset("ana", by="ana", operator="cli:ops")
    with pytest.raises(MfaError, match="not an active supervisor"):
        auth.mfa.reset("sam", by="ana", operator="cli:ops")
    auth.mfa.reset("ana", by="sam", operator="cli:ops")
    assert auth.principal(session_token[0], None) is None
    assert auth.mfa.stage_after_password(uid) is None and auth.mfa.remaining_recovery_codes(uid) == 0
    with db.read() as session:
        assert session.scalar(select(UserSession).where(UserSession.user_id == uid)) is None
    [entry] = [r for r in audit_rows(db) if r.action == "mfa_reset"]
    assert entry.actor == "sam"
    assert entry.detail == {"user_id": uid, "was_enrolled": True, "operator": "cli:ops"}


def test_no_secret_or_code_reaches_the_audit_trail_or_the_logs(
    auth: Auth, db: Database, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    uid, codes = enrol(auth, db, clock)
    secret, code = secret_of(db, uid), code_now(db, clock, uid)
    auth.complete(sign_in_pending(auth).token, code)
    with pytest.raises(WrongCode):
        auth.complete(sign_in_pending(auth).token, code)
    auth.complete(sign_in_pending(auth).token, codes[2])
    trail = json.dumps([[r.actor, r.action, r.detail] for r in audit_rows(db)])
    logged = "\n".join(r.getMessage() + json.dumps(r.__dict__, default=str) for r in caplog.records)
    for text in (trail, logged):
        assert secret not in text and code not in text
        assert not any(c in text or c.replace("-", "") in text for c in codes)
    assert "mfa_recovery_code_used" in trail and "replayed" in trail  # the uses themselves are there


def test_the_cli_lists_who_has_a_second_factor_and_resets_one(
    auth: Auth, db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from services.review import cli

    uid, codes = enrol(auth, db, clock, "ana")
    auth.complete(sign_in_pending(auth, "ana").token, codes[0])
    monkeypatch.setenv("HOTLINE_REVIEW_DATABASE_URL", db.url)
    assert cli.main(["mfa", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [{"username": "ana", "role": "analyst", "second_factor": True, "recovery_codes": 9},
                      {"username": "sam", "role": "supervisor", "second_factor": False, "recovery_codes": 0}]
    assert secret_of(db, uid) not in json.dumps(listed)
    with pytest.raises(SystemExit) as usage:
        cli.main(["mfa", "reset", "ana"])  # who asked must be named
    assert usage.value.code == 2
    assert cli.main(["mfa", "reset", "ana", "--by", "sam"]) == 0
    assert cli.main(["mfa", "list"]) == 0
    assert re.search(r"^ana\s+analyst\s+OFF$", capsys.readouterr().out, re.MULTILINE)
