"""Erasure: a reporter's request to erase their contact details, and staff's two-person content erasure.

Nothing is erased on a request alone. A reporter's request (the intake checked their receipt)
waits for a supervisor to confirm it; staff's request to erase a case's content waits for a
second supervisor, never the one who asked. Confirming erases in the case store, writes the audit
entry and the order to reporting (``erasures.ordered``, through the outbox) in one transaction,
so reporting removes the same data from its ledger and from every report not yet sent.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from contracts import Topic
from contracts.events import ErasureOrdered, ErasureRequested, ErasureScope
from contracts.ids import derive_id
from services.review import audit, outbox
from services.review.db import Database
from services.review.decision_store import Actor, DecisionError, Forbidden, NotFound
from services.review.models import (
    AppliedEvent,
    Attachment,
    Case,
    ErasureRequest,
    Signal,
    TextReply,
)
from services.review.queries import NotAReference, case_by_reference
from services.runtime import InvalidMessage, Message, RetriableError

# Who the audit trail names for what a reporter asked from the public form.
REPORTER: Final = "reporter"
ERASED: Final = "[erased]"


@dataclass(frozen=True)
class PendingErasure:
    """A request waiting for a supervisor, with the case it would apply to (None: not arrived yet)."""

    request: ErasureRequest
    case_id: uuid.UUID | None
    signals: int  # how many signals it would erase from


class Erasures:
    def __init__(self, db: Database, *, now: Callable[[], datetime],
                 on_commit: Callable[[], None] = lambda: None) -> None:
        self.db = db
        self._now = now
        self._on_commit = on_commit  # wakes the outbox relay

    # ------------------------------------------------------------ requests

    def record_request(self, event_id: str, request: ErasureRequested) -> bool:
        """Keep a reporter's request for a supervisor (once per event id); False if already kept."""
        with self.db.transaction() as session:
            if session.get(AppliedEvent, event_id) is not None \
                    or session.get(ErasureRequest, request.request_id) is not None:
                return False
            session.add(AppliedEvent(event_id=event_id, topic=Topic.ERASURES_REQUESTED.value,
                                     applied_at=self._now()))
            session.add(ErasureRequest(
                id=request.request_id, reference_number=request.reference_number, scope=ErasureScope.CONTACT,
                basis="reporter_request", status="pending", requested_at=request.requested_at,
                requested_by=None, reason=None, case_id=None, decided_by=None, decided_at=None,
                signal_ids=None))
            case = _case_of(session, request.reference_number)
            audit.append(session, actor=REPORTER, action="erasure_requested",
                         case_id=case.id if case else None,
                         detail={"request_id": str(request.request_id), "scope": ErasureScope.CONTACT.value,
                                 "reference_number": request.reference_number}, at=self._now())
        return True

    def request_content_erasure(self, case_id: uuid.UUID, actor: Actor, reason: str) -> ErasureRequest:
        """Staff's request to erase a case's content on instruction; a second supervisor approves."""
        _supervisor(actor, "request an erasure")
        if len(reason.strip()) < 10:
            raise DecisionError("say on whose instruction (at least 10 characters)")
        with self.db.transaction() as session:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFound("no such case")
            row = ErasureRequest(
                id=uuid.uuid4(), reference_number=case.reference_number, scope=ErasureScope.CONTENT,
                basis="staff_instruction", status="pending", requested_at=self._now(),
                requested_by=actor.username, reason=reason.strip()[:500], case_id=case.id, decided_by=None,
                decided_at=None, signal_ids=None)
            session.add(row)
            audit.append(session, actor=actor.username, action="erasure_requested", case_id=case.id,
                         detail={"request_id": str(row.id), "scope": ErasureScope.CONTENT.value,
                                 "reason": row.reason}, at=self._now())
        return row

    def pending(self) -> list[PendingErasure]:
        with self.db.read() as session:
            rows = list(session.scalars(select(ErasureRequest).where(ErasureRequest.status == "pending")
                                        .order_by(ErasureRequest.requested_at)))
            found = []
            for row in rows:
                case = _case_of(session, row.reference_number)
                signals = _targets(session, case, row) if case is not None else []
                found.append(PendingErasure(row, case.id if case else None, len(signals)))
            return found

    def of_case(self, case_id: uuid.UUID) -> list[ErasureRequest]:
        with self.db.read() as session:
            case = session.get(Case, case_id)
            if case is None:
                return []
            return list(session.scalars(select(ErasureRequest).where(
                (ErasureRequest.case_id == case_id)
                | (ErasureRequest.reference_number == case.reference_number))
                .order_by(ErasureRequest.requested_at)))

    # ------------------------------------------------------------ deciding

    def confirm(self, request_id: uuid.UUID, actor: Actor) -> ErasureRequest:
        """Erase what the request names, audit it and order reporting to do the same."""
        _supervisor(actor, "confirm an erasure")
        with self.db.transaction() as session:
            row = self._pending(session, request_id)
            if row.basis == "staff_instruction" and row.requested_by == actor.username:
                raise Forbidden("erasing a case's content needs a second supervisor: you requested this one")
            case = _case_of(session, row.reference_number)
            if case is None:
                raise DecisionError("the report has not reached review yet; confirm when its case is here")
            signals = _targets(session, case, row)
            if not signals:
                raise DecisionError("the case has no signals of this report to erase from")
            if any(s.narrative is None and s.reporter is None for s in signals):
                # Triage can be applied before the signal itself: the details would arrive after
                # the erasure and stay. The page says to wait; it comes within seconds.
                raise DecisionError("the report has not fully reached review yet; confirm in a minute")
            scope = ErasureScope(row.scope)
            for signal in signals:
                erase_signal(signal, scope)
            if scope is ErasureScope.CONTENT:
                _erase_content_around(session, case, signals)
            now = self._now()
            row.status, row.decided_by, row.decided_at = "confirmed", actor.username, now
            row.case_id, row.signal_ids = case.id, [str(s.signal_id) for s in signals]
            outbox.enqueue(session, Topic.ERASURES_ORDERED, ErasureOrdered(
                erasure_id=derive_id("erasure.ordered", str(row.id)), case_id=case.id,
                reference_number=row.reference_number, signal_ids=[s.signal_id for s in signals][:500],
                scope=scope,
                basis="reporter_request" if row.basis == "reporter_request" else "staff_instruction",
                ordered_at=now, approved_by_role="admin" if actor.role == "admin" else "supervisor"),
                now=self._now())
            case.updated_at, case.version = now, case.version + 1
            audit.append(session, actor=actor.username, action="erasure_confirmed", case_id=case.id, at=now,
                         detail={"request_id": str(row.id), "scope": scope.value, "basis": row.basis,
                                 "requested_by": row.requested_by or REPORTER,
                                 "signals": [str(s.signal_id) for s in signals][:100]})
        self._on_commit()
        return row

    def reject(self, request_id: uuid.UUID, actor: Actor, reason: str) -> ErasureRequest:
        """Turn a request down (a duplicate, a case under legal hold), with the reason audited."""
        _supervisor(actor, "reject an erasure")
        if not reason.strip():
            raise DecisionError("say why")
        with self.db.transaction() as session:
            row = self._pending(session, request_id)
            if row.basis == "staff_instruction" and row.requested_by == actor.username:
                raise Forbidden("a second supervisor decides on this request; you made it")
            now = self._now()
            row.status, row.decided_by, row.decided_at = "rejected", actor.username, now
            case = _case_of(session, row.reference_number)
            audit.append(session, actor=actor.username, action="erasure_rejected",
                         case_id=case.id if case else None, at=now,
                         detail={"request_id": str(row.id), "reason": reason.strip()[:500]})
        return row

    # ------------------------------------------------------------ parts

    def _pending(self, session: Session, request_id: uuid.UUID) -> ErasureRequest:
        query = select(ErasureRequest).where(ErasureRequest.id == request_id)
        if self.db.is_postgres:
            query = query.with_for_update()
        row = session.scalar(query)
        if row is None:
            raise NotFound("no such erasure request")
        if row.status != "pending":
            raise DecisionError(f"this request is already {row.status}")
        return row


class ErasureRequestWriter:
    """Applies ``erasures.requested`` records: each request is kept once, for a supervisor."""

    def __init__(self, erasures: Erasures) -> None:
        self._erasures = erasures

    async def received(self, message: Message) -> None:
        event = message.event
        if not isinstance(event, ErasureRequested):
            raise InvalidMessage(f"review reads ErasureRequested here, got {message.envelope.type}")
        try:
            await asyncio.to_thread(self._erasures.record_request, message.envelope.id, event)
        except (IntegrityError, OperationalError) as error:
            raise RetriableError(f"case store: {type(error).__name__}") from error


def erase_signal(signal: Signal, scope: ErasureScope) -> None:
    """Remove from one stored signal what ``scope`` names. The reporter keeps the shape the
    contract gives it (role, language, consent), so every page that reads it still can."""
    if signal.reporter is not None:
        signal.reporter = erased_reporter(signal.reporter)
    if scope is ErasureScope.CONTENT:
        signal.narrative = ERASED
        signal.subject = None
        signal.attachments = []
        signal.triage = _without_matched_text(signal.triage)


def erased_reporter(reporter: dict[str, Any]) -> dict[str, Any]:
    # Without contact details nobody may be contacted: the consent to it goes with them.
    return {**reporter, "contact": None, "safe_contact": None, "consent_to_contact": False}


def _erase_content_around(session: Session, case: Case, signals: Iterable[Signal]) -> None:
    """A content erasure also forgets the case's attachments (the blobs stay for the retention
    purge) and the words of staff's replies to the texter."""
    ids = [s.signal_id for s in signals]
    for attachment in session.scalars(select(Attachment).where(Attachment.signal_id.in_(ids))):
        session.delete(attachment)
    for reply in session.scalars(select(TextReply).where(TextReply.case_id == case.id)):
        reply.body = ERASED


def _without_matched_text(value: Any) -> Any:
    """Triage's evidence quotes the narrative (``matched_text``): the quotes go with it."""
    if isinstance(value, dict):
        return {k: (None if k == "matched_text" else _without_matched_text(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_matched_text(v) for v in value]
    return value


def _case_of(session: Session, reference: str) -> Case | None:
    try:
        return case_by_reference(session, reference)
    except NotAReference:
        return None


def _targets(session: Session, case: Case, row: ErasureRequest) -> list[Signal]:
    """A reporter's own submissions (the report and its follow-ups); for content, every signal of
    the case (merged cases' signals moved into it are its signals)."""
    signals = list(session.scalars(select(Signal).where(Signal.case_id == case.id)
                                   .order_by(Signal.received_at, Signal.signal_id)))
    if row.scope == ErasureScope.CONTENT:
        return signals
    return [s for s in signals if s.reference_number == row.reference_number
            or (s.related or {}).get("reference_number") == row.reference_number]


def _supervisor(actor: Actor, what: str) -> None:
    if actor.role not in ("supervisor", "admin"):
        raise Forbidden(f"only a supervisor can {what}")
