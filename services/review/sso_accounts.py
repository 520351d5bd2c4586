"""Single sign-on's accounts: the account of whom the OpenID provider signed in, kept up to date, audited.

The person is (issuer, subject), linked to one account on their first sign-in. Each sign-in sets the
account's role from the provider's groups as they are now (``oidc.RoleMap``), so a move between
groups in the organisation's directory takes effect at the next sign-in, and someone taken out of
every mapped group is refused and their open sessions end.

An account is never linked by its name: a provider whose person calls themselves ``alice`` does not
sign in to the local account ``alice`` (otherwise whoever runs the directory, or anyone who may
choose a username there, could take over any local account, an administrator's included). A name
already taken here is refused with a page saying so.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from typing import Final

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.review import audit
from services.review.db import Database
from services.review.models import StaffIdentity, User, UserSession
from services.review.oidc import Identity, RoleMap

__all__ = ["SsoAccounts", "SsoRefused"]

_USERNAME: Final = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_UNKNOWN: Final = "(unknown user)"


class SsoRefused(Exception):
    """The provider signed the person in, and review does not: ``reason`` is the audit's code,
    the message is fit to show them."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _fallback_username(identity: Identity) -> str:
    # A provider that sends no usable preferred_username still gets a stable, unique name.
    digest = hashlib.sha256(f"{identity.issuer}\n{identity.subject}".encode()).hexdigest()
    return f"sso-{digest[:12]}"


class SsoAccounts:
    """Blocking (database): the web layer calls it in a thread."""

    def __init__(self, db: Database, *, role_map: RoleMap, now: Callable[[], datetime]) -> None:
        self.db = db
        self.role_map = role_map
        self._now = now

    def account_for(self, identity: Identity) -> int:
        """The id of the active account this person signs in to, with the role their groups map to;
        raises ``SsoRefused``."""
        role = self.role_map.role_for(identity.groups)
        # A refusal is returned, not raised, inside the transaction: its audit entry (and the end
        # of the sessions of someone taken out of the groups) must commit.
        try:
            with self.db.transaction() as session:
                outcome = self._account(session, identity, role)
        except IntegrityError:  # the same person's first sign-in in two tabs at once: the other won
            with self.db.transaction() as session:
                outcome = self._account(session, identity, role)
        if isinstance(outcome, SsoRefused):
            raise outcome
        return outcome

    def record_refusal(self, reason: str) -> None:
        """A sign-in refused before anyone was known (a wrong state, a token that fails its
        checks): in the audit trail with its reason code only."""
        with self.db.transaction() as session:
            audit.append(session, actor=_UNKNOWN, action="login_failed", case_id=None, at=self._now(),
                         detail={"reason": reason[:48], "via": "oidc"})

    def _account(self, session: Session, identity: Identity, role: str | None) -> int | SsoRefused:
        now = self._now()
        link = session.get(StaffIdentity, (identity.issuer, identity.subject))
        user = session.get(User, link.user_id) if link is not None else None
        if role is None:
            if user is not None:
                # Out of every group that gives a role here: nothing they opened stays open.
                session.execute(delete(UserSession).where(UserSession.user_id == user.id))
            return self._refuse(session, user, SsoRefused("no_mapped_group",
                             "Your organisation's directory does not put you in a group that may use "
                             "case review. Ask your supervisor or administrator to add you to one."), now)
        if user is not None and link is not None:
            if not user.active:
                return self._refuse(session, user, SsoRefused(
                    "inactive", "This account has been deactivated here. Ask an administrator."), now)
            link.last_login_at = now
            changes = self._bring_up_to_date(user, identity, role)
            if changes:
                audit.append(session, actor=user.username, action="user_updated", case_id=None, at=now,
                             detail={"user_id": user.id, "via": "oidc", **changes})
            return user.id
        return self._create(session, identity, role, now)

    def _bring_up_to_date(self, user: User, identity: Identity, role: str) -> dict[str, str]:
        changes: dict[str, str] = {}
        if user.role != role:
            changes = {"role": role, "previous_role": user.role}
            user.role = role
        if identity.display_name and identity.display_name != user.display_name:
            user.display_name = identity.display_name
            changes["display_name"] = "changed"  # the name itself stays out of the audit detail
        return changes

    def _create(self, session: Session, identity: Identity, role: str, now: datetime) -> int | SsoRefused:
        wanted = (identity.username or "").strip().lower()
        username = wanted if _USERNAME.fullmatch(wanted) else _fallback_username(identity)
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            return self._refuse(session, None, SsoRefused("username_taken",
                             f"An account named {username} already exists here and is not linked to your "
                             "organisation's sign-in. Ask an administrator: accounts are never joined by "
                             "name alone."), now)
        user = User(username=username, display_name=identity.display_name or username, role=role,
                    password_hash=None, active=True, on_shift=False, shift_order=0, created_at=now)
        session.add(user)
        session.flush()
        session.add(StaffIdentity(issuer=identity.issuer, subject=identity.subject, user_id=user.id,
                                  created_at=now, last_login_at=now))
        session.flush()
        audit.append(session, actor=username, action="user_created", case_id=None, at=now,
                     detail={"user_id": user.id, "username": username, "role": role, "via": "oidc"})
        return user.id

    def _refuse(self, session: Session, user: User | None, refusal: SsoRefused, now: datetime) -> SsoRefused:
        audit.append(session, actor=user.username if user is not None else _UNKNOWN, action="login_failed",
                     case_id=None, at=now, detail={"reason": refusal.reason, "via": "oidc"})
        return refusal
