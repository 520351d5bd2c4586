"""The "contact the reporter" task: who asked to be contacted, when it is safe, and each attempt.

A signal whose reporter left contact details and asked (or agreed) to be contacted gives its case
one task. Its summary (safe now or not, the next safe time) is on the case page; the contact
details, the reporter's words and the attempts are on the task's own page, for supervisors (as the
reveal and text replies are), and every opening of that page is an audit entry. Each logged
attempt, and each attempt refused because it broke the reporter's preferences, is one too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.review import audit
from services.review.contact_rules import Outcome, Preferences, judge
from services.review.db import Database
from services.review.decision_store import Actor, DecisionError, Forbidden, NotFound
from services.review.models import Case, ContactAttempt, Signal
from services.runtime.local_time import LocalClock

__all__ = ["ContactTask", "ContactTasks"]

_SUPERVISORS = ("supervisor", "admin")
_CONTACT_FIELDS = ("name", "email", "phone", "other")


@dataclass(frozen=True)
class ContactTask:
    """One reporter to contact. ``contact`` is filled only on the audited view."""

    signal_id: uuid.UUID
    reference_number: str
    prefs: Preferences
    safe_now: bool
    next_safe: datetime | None  # None: never by phone
    reached: bool  # someone spoke with them
    attempts: list[ContactAttempt] = field(default_factory=list)
    contact: dict[str, Any] | None = None


class ContactTasks:
    def __init__(self, db: Database, *, now: Callable[[], datetime], clock: LocalClock) -> None:
        self.db = db
        self._now = now
        self._clock = clock

    def summary(self, case_id: uuid.UUID) -> list[ContactTask]:
        """The case's tasks without contact details (the case page's view; not audited)."""
        with self.db.read() as session:
            return self._tasks(session, case_id, with_contact=False)

    def open(self, case_id: uuid.UUID, actor: Actor) -> list[ContactTask]:
        """The tasks with the reporters' contact details and words; recorded in the audit trail."""
        _supervisor(actor, "see a reporter's contact details")
        with self.db.transaction() as session:
            if session.get(Case, case_id) is None:
                raise NotFound("no such case")
            tasks = self._tasks(session, case_id, with_contact=True)
            if tasks:
                audit.append(session, actor=actor.username, action="view_contact", case_id=case_id,
                             detail={"signals": [str(t.signal_id) for t in tasks]}, at=self._now())
        return tasks

    def log_attempt(self, case_id: uuid.UUID, actor: Actor, signal_id: uuid.UUID, outcome: str,
                    override_reason: str = "") -> ContactAttempt:
        """Keep one attempt, or refuse it (and record the refusal) when it breaks what the
        reporter asked. The case must be claimed by the one logging: no two people call at once."""
        _supervisor(actor, "log contact with a reporter")
        try:
            kind = Outcome(outcome)
        except ValueError:
            raise DecisionError("choose what happened: "
                                + ", ".join(o.value.replace("_", " ") for o in Outcome)) from None
        reason = override_reason.strip()[:500]
        refusal: str | None = None
        with self.db.transaction() as session:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFound("no such case")
            if case.status in ("closed", "merged"):
                raise DecisionError(f"{case.reference_number} is {case.status}: reopen work on the case "
                                    "it lives in before logging contact")
            now = self._now()
            holder = case.claimed_by if case.claim_expires_at and case.claim_expires_at > now else None
            if holder != actor.username:
                raise DecisionError(f"claim {case.reference_number} before logging contact with its reporter"
                                    + (f" (it is being worked by {holder})" if holder else ""))
            signal = session.get(Signal, signal_id)
            if signal is None or signal.case_id != case_id or not _wants_contact(signal.reporter):
                raise NotFound("no reporter on this case asked to be contacted through that signal")
            prefs = Preferences.of(signal.reporter, self._clock.zone)
            verdict = judge(prefs, kind, now, reason, self._clock)
            if verdict.refusal is not None:
                refusal = verdict.refusal
                audit.append(session, actor=actor.username, action="contact_refused", case_id=case_id, at=now,
                             detail={"signal_id": str(signal_id), "outcome": kind.value})
                attempt = None
            else:
                attempt = ContactAttempt(
                    id=uuid.uuid4(), case_id=case_id, signal_id=signal_id, outcome=kind.value,
                    attempted_at=now, logged_by=actor.username, outside_safe_times=verdict.outside,
                    override_reason=reason if verdict.outside else None)
                session.add(attempt)
                case.updated_at = now
                case.version += 1
                audit.append(session, actor=actor.username, action="contact_attempt", case_id=case_id, at=now,
                             detail={"attempt_id": str(attempt.id), "signal_id": str(signal_id),
                                     "outcome": kind.value, "outside_safe_times": verdict.outside,
                                     **({"reason": reason} if verdict.outside else {})})
        if refusal is not None or attempt is None:
            raise DecisionError(refusal or "not logged")
        return attempt

    def _tasks(self, session: Session, case_id: uuid.UUID, *, with_contact: bool) -> list[ContactTask]:
        now = self._now()
        signals = [s for s in session.scalars(select(Signal).where(Signal.case_id == case_id)
                                              .order_by(Signal.received_at, Signal.signal_id))
                   if _wants_contact(s.reporter)]
        attempts = list(session.scalars(select(ContactAttempt).where(ContactAttempt.case_id == case_id)
                                        .order_by(ContactAttempt.attempted_at)))
        tasks = []
        for signal in signals:
            prefs = Preferences.of(signal.reporter, self._clock.zone)
            mine = [a for a in attempts if a.signal_id == signal.signal_id]
            contact = (signal.reporter or {}).get("contact") if with_contact else None
            tasks.append(ContactTask(
                signal_id=signal.signal_id, reference_number=signal.reference_number, prefs=prefs,
                safe_now=prefs.times.allows(now), next_safe=prefs.times.next_safe(now),
                reached=any(a.outcome == Outcome.SPOKE.value for a in mine), attempts=mine,
                contact={k: v for k, v in (contact or {}).items() if v} if with_contact else None))
        return tasks


def _wants_contact(reporter: dict[str, Any] | None) -> bool:
    """Left contact details and asked or agreed to be contacted."""
    if not reporter or reporter.get("consent_to_contact") is not True:
        return False
    contact = reporter.get("contact") or {}
    return any(contact.get(k) for k in _CONTACT_FIELDS)


def _supervisor(actor: Actor, what: str) -> None:
    if actor.role not in _SUPERVISORS:
        raise Forbidden(f"only a supervisor can {what}")
