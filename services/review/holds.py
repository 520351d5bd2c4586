"""Legal holds: a supervisor keeps a case whole (no retention purge) for a court, an investigation or
a complaint, with a reason; placing and releasing are audited."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.review import audit
from services.review.db import Database
from services.review.models import Case, LegalHold

__all__ = ["HOLD_ROLES", "Hold", "HoldError", "Holds"]

CaseRef = uuid.UUID | str  # a case's id, or its reference number
HOLD_ROLES: Final = frozenset({"supervisor", "admin"})
_MAX_REASON: Final = 500


class HoldError(Exception):
    """A hold that cannot be placed or released as asked; the message says why."""


@dataclass(frozen=True)
class Hold:
    case_id: uuid.UUID
    reference_number: str
    reason: str
    placed_by: str
    placed_at: datetime


class Holds:
    def __init__(self, db: Database, *, now: Callable[[], datetime]) -> None:
        self.db = db
        self._now = now

    def place(self, which: CaseRef, *, by: str, role: str, reason: str) -> Hold:
        """Hold the case (by id, or by reference number); placing it again replaces the reason
        (both are in the trail)."""
        reason = _reason(reason)
        _may(role)
        with self.db.transaction() as session:
            case = _case(session, which)
            at = self._now()
            hold = session.get(LegalHold, case.id)
            if hold is None:
                hold = LegalHold(case_id=case.id, reason=reason, placed_by=by, placed_at=at)
                session.add(hold)
            else:
                hold.reason, hold.placed_by, hold.placed_at = reason, by, at
            audit.append(session, actor=by, action="legal_hold_placed", case_id=case.id,
                         detail={"reason": reason}, at=at)
            return Hold(case.id, case.reference_number, reason, by, at)

    def release(self, which: CaseRef, *, by: str, role: str, reason: str) -> None:
        reason = _reason(reason)
        _may(role)
        with self.db.transaction() as session:
            case = _case(session, which)
            hold = session.get(LegalHold, case.id)
            if hold is None:
                raise HoldError(f"{case.reference_number} is not on legal hold")
            session.delete(hold)
            audit.append(session, actor=by, action="legal_hold_released", case_id=case.id,
                         detail={"reason": reason}, at=self._now())

    def of(self, case_id: uuid.UUID) -> Hold | None:
        with self.db.read() as session:
            row = session.execute(select(LegalHold, Case.reference_number).join(
                Case, Case.id == LegalHold.case_id).where(LegalHold.case_id == case_id)).first()
        return None if row is None else _hold(row[0], row[1])

    def all(self) -> list[Hold]:
        with self.db.read() as session:
            rows = session.execute(select(LegalHold, Case.reference_number)
                                   .join(Case, Case.id == LegalHold.case_id)
                                   .order_by(LegalHold.placed_at)).all()
        return [_hold(hold, reference) for hold, reference in rows]


def _hold(row: LegalHold, reference_number: str) -> Hold:
    return Hold(row.case_id, reference_number, row.reason, row.placed_by, row.placed_at)


def _reason(reason: str) -> str:
    # The reason is kept in the audit trail for good: a court's case number or an order's
    # reference, not the story of the case.
    reason = " ".join(reason.split())
    if not reason:
        raise HoldError("a legal hold needs a reason (an order's or a request's reference)")
    if len(reason) > _MAX_REASON:
        raise HoldError(f"the reason is longer than {_MAX_REASON} characters: give a reference, "
                        "not the story")
    return reason


def _may(role: str) -> None:
    if role not in HOLD_ROLES:
        raise HoldError("only a supervisor (or an admin) places or releases a legal hold")


def _case(session: Session, ref: CaseRef) -> Case:
    if isinstance(ref, uuid.UUID):
        case = session.get(Case, ref)
        if case is None:
            raise HoldError("no such case")
    else:
        case = session.scalar(select(Case).where(Case.reference_number == ref.strip().upper()))
        if case is None:
            raise HoldError(f"no case has the reference number {ref}")
    if case.status == "merged":
        raise HoldError(f"{case.reference_number} was merged into another case: hold that one")
    return case
