"""The shared ground of every staff decision: its errors, who decides, and the one-transaction parts
the operations are made of (a case loaded and locked, a decision recorded with its audit entry, its
events written to the outbox).

Every decision is written with its audit entry and its outgoing events (the outbox) in the same
transaction, so the database and Kafka never disagree: the relay publishes what was committed,
and nothing that was not. Event ids derive from the decision id, so a re-publish after a crash
is the same record to every consumer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts import Event, Topic
from contracts.events import DecisionKind, FlagName, ReportNeed, ReviewDecision
from services.review import audit, outbox
from services.review.db import Database
from services.review.models import Case, Decision, Signal
from services.review.outbox import SOURCE

__all__ = ["SOURCE", "SYSTEM", "Actor", "DecisionError", "DecisionStore", "Forbidden", "NotFound", "as_code"]


class DecisionError(Exception):
    """A decision that cannot be made as asked; the message says why, in staff's words."""

    status = 409


class NotFound(DecisionError):
    status = 404


class Forbidden(DecisionError):
    status = 403


@dataclass(frozen=True)
class Actor:
    username: str
    role: str  # analyst | supervisor | admin | service | system


SYSTEM: Final = Actor("system", "system")


class DecisionStore:
    """The database, the clock and the parts; each group of operations (``decisions``) builds on it."""

    def __init__(self, db: Database, *, now: Callable[[], datetime], claim_ttl: timedelta,
                 on_commit: Callable[[], None] = lambda: None,
                 mandatory_within: timedelta = timedelta(hours=24)) -> None:
        self.db = db
        self._now = now
        self._claim_ttl = claim_ttl
        self._mandatory_within = mandatory_within
        self._on_commit = on_commit  # wakes the outbox relay

    # ------------------------------------------------------------ parts

    def _case(self, session: Session, case_id: uuid.UUID, *, for_update: bool = False) -> Case:
        query = select(Case).where(Case.id == case_id)
        if for_update and self.db.is_postgres:
            query = query.with_for_update()
        case = session.scalar(query)
        if case is None:
            raise NotFound("no such case")
        return case

    def _working(self, session: Session, case_id: uuid.UUID, actor: Actor) -> Case:
        """A case the actor may decide on: open, and claimed by them (no two people on one case)."""
        case = self._case(session, case_id, for_update=True)
        if case.status in ("closed", "merged"):
            raise DecisionError(f"{case.reference_number} is {case.status}")
        now = self._now()
        holder = case.claimed_by if case.claim_expires_at and case.claim_expires_at > now else None
        if holder != actor.username:
            raise DecisionError(f"claim {case.reference_number} before deciding on it"
                                + (f" (it is being worked by {holder})" if holder else ""))
        case.claim_expires_at = now + self._claim_ttl  # deciding keeps the claim alive
        return case

    def _pending(self, session: Session, decision_id: uuid.UUID, case_id: uuid.UUID) -> Decision:
        query = select(Decision).where(Decision.id == decision_id)
        if self.db.is_postgres:
            query = query.with_for_update()
        decision = session.scalar(query)
        # A request is decided on its own case's page only: approving case B's request from case
        # A's would record and audit it under the wrong case as far as the person could tell.
        if decision is None or decision.case_id != case_id:
            raise NotFound("no such request on this case")
        if decision.status != "awaiting_approval":
            raise DecisionError(f"this request is already {decision.status.replace('_', ' ')}")
        return decision

    def _still_pending(self, session: Session, case_id: uuid.UUID, exclude: uuid.UUID | None = None) -> bool:
        query = select(Decision.id).where(Decision.case_id == case_id, Decision.status == "awaiting_approval")
        if exclude is not None:
            query = query.where(Decision.id != exclude)
        return session.scalar(query.limit(1)) is not None

    def _record(self, session: Session, case: Case, actor: Actor, kind: DecisionKind, action: str,
                detail: dict[str, Any], *, status: str = "effective", need: ReportNeed | None = None,
                flag: FlagName | None = None, flag_value: bool | None = None,
                other_case_id: uuid.UUID | None = None) -> Decision:
        now = self._now()
        decision = Decision(id=uuid.uuid4(), case_id=case.id, kind=action, status=status, detail=detail,
                            decided_by=actor.username, decided_at=now, approved_by=None, approved_at=None)
        session.add(decision)
        audit.append(session, actor=actor.username, action=action, case_id=case.id,
                     detail={"decision_id": str(decision.id), **_audit_safe(detail)}, at=now)
        self._event(session, case, actor, kind, decision.id, need=need or _need(detail),
                    reason=as_code(detail.get("reason")), flag=flag, flag_value=flag_value,
                    other_case_id=other_case_id)
        return decision

    def _event(self, session: Session, case: Case, actor: Actor, kind: DecisionKind, decision_id: uuid.UUID,
               **fields: Any) -> None:
        signal_ids = list(session.scalars(select(Signal.signal_id).where(Signal.case_id == case.id)
                                          .order_by(Signal.received_at, Signal.signal_id)))
        if not signal_ids:
            raise NotFound("the case has no signals")
        self._enqueue(session, Topic.REVIEW_DECISIONS, ReviewDecision(
            decision_id=decision_id, case_id=case.id, signal_id=signal_ids[0], signal_ids=signal_ids[:500],
            reference_number=case.reference_number, kind=kind, decided_at=self._now(),
            decided_by_role=actor.role, **{k: v for k, v in fields.items() if v is not None}))

    def _enqueue(self, session: Session, topic: Topic, event: Event) -> None:
        # The referral, escalation and reporter-access parts of the store write their events here too.
        outbox.enqueue(session, topic, event, now=self._now())

    def _touch(self, case: Case) -> None:
        case.updated_at = self._now()
        case.version += 1


def _need(detail: dict[str, Any]) -> ReportNeed | None:
    return ReportNeed(detail["need"]) if "need" in detail else None


def as_code(text: Any) -> str | None:
    """A free-text reason as a code for the event (the words stay in the audit trail)."""
    if not isinstance(text, str) or not text.strip():
        return None
    code = "".join(c if c.isascii() and c.isalnum() else "_" for c in text.strip().lower())[:64].strip("_")
    while "__" in code:
        code = code.replace("__", "_")
    return code if code[:1].isalpha() and len(code) >= 2 else "staff_note"


def _audit_safe(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: (v[:500] if isinstance(v, str) else v) for k, v in detail.items()}
