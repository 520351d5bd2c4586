"""Correcting triage on a case: overruling a flag, linking cases that belong together, merging a case
into another."""

from __future__ import annotations

import uuid
from typing import Final

from sqlalchemy import update
from sqlalchemy.orm import Session

from contracts.events import DecisionKind, FlagName
from services.review import obligations
from services.review.decision_store import Actor, DecisionError, DecisionStore, NotFound
from services.review.models import Attachment, Case, CaseKey, CaseLink, Decision, Signal
from services.review.queries import NotAReference, case_by_reference

__all__ = ["OVERRIDABLE", "Corrections"]

OVERRIDABLE: Final = (FlagName.MINOR, FlagName.IMMINENT_DANGER)


class Corrections(DecisionStore):
    """Flags, links and merges: what triage got wrong or could not know."""

    def override_flag(self, case_id: uuid.UUID, actor: Actor, flag: FlagName, value: bool,
                      reason: str) -> Decision:
        """Overrule triage on a flag; recorded as a label the rules are evaluated against."""
        if flag not in OVERRIDABLE:
            raise DecisionError(f"{flag.value} cannot be overridden here")
        with self.db.transaction() as session:
            case = self._working(session, case_id, actor)
            decision = self._record(session, case, actor, DecisionKind.FLAG_OVERRIDDEN, "flag_override",
                                    {"flag": flag.value, "value": value, "reason": reason},
                                    flag=flag, flag_value=value)
            if flag is FlagName.MINOR:
                case.minor = value
                obligations.sync(session, case, owed=value, now=self._now(), within=self._mandatory_within,
                                 basis="override", actor=actor.username)
            else:
                case.imminent_danger = value
            self._touch(case)
        self._on_commit()
        return decision

    def link(self, case_id: uuid.UUID, actor: Actor, other_reference: str) -> Decision:
        with self.db.transaction() as session:
            case = self._working(session, case_id, actor)
            other = self._by_reference(session, other_reference)
            if other.id == case.id:
                raise DecisionError("a case cannot be linked to itself")
            for a, b in ((case.id, other.id), (other.id, case.id)):
                if session.get(CaseLink, (a, b)) is None:
                    session.add(CaseLink(case_id=a, other_case_id=b, reason="linked_by_staff"))
            decision = self._record(session, case, actor, DecisionKind.LINKED, "link",
                                    {"other_case_id": str(other.id)}, other_case_id=other.id)
            self._touch(case)
        self._on_commit()
        return decision

    def merge(self, case_id: uuid.UUID, actor: Actor, into_reference: str) -> Decision:
        """Move every signal of this case into another; this case then points there."""
        with self.db.transaction() as session:
            case = self._working(session, case_id, actor)
            into = self._by_reference(session, into_reference)
            if into.id == case.id:
                raise DecisionError("a case cannot be merged into itself")
            # Recorded before the signals move: the decision's event names the signals merged, and
            # a case without signals has none to name (the merge then failed with "no signals").
            decision = self._record(session, case, actor, DecisionKind.MERGED, "merge",
                                    {"into_case_id": str(into.id)}, other_case_id=into.id)
            session.execute(update(Signal).where(Signal.case_id == case.id).values(case_id=into.id))
            session.execute(update(CaseKey).where(CaseKey.case_id == case.id).values(case_id=into.id))
            session.execute(update(Attachment).where(Attachment.case_id == case.id).values(case_id=into.id))
            case.status, case.merged_into = "merged", into.id
            case.claimed_by, case.claim_expires_at = None, None
            into.urgency_rank = min(into.urgency_rank, case.urgency_rank)
            into.urgency = case.urgency if case.urgency_rank <= into.urgency_rank else into.urgency
            into.minor = into.minor or case.minor
            into.imminent_danger = into.imminent_danger or case.imminent_danger
            into.sla_due_at = min(into.sla_due_at, case.sla_due_at)
            obligations.move(session, case.id, into, self._now())
            self._touch(case)
            self._touch(into)
        self._on_commit()
        return decision

    def _by_reference(self, session: Session, reference: str) -> Case:
        try:
            case = case_by_reference(session, reference)
        except NotAReference:
            raise DecisionError(f"{reference.strip()[:40]} is not a valid reference number") from None
        if case is None:
            raise NotFound(f"no case with reference number {reference.strip()[:40]}")
        return case
