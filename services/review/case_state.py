"""Working on a case: claiming and releasing it, asking for more information, closing it."""

from __future__ import annotations

import uuid
from typing import Final

from contracts.events import DecisionKind, Urgency
from services.review import audit, obligations
from services.review.decision_store import Actor, DecisionError, DecisionStore, Forbidden
from services.review.models import Case, Decision

__all__ = ["CLOSE_REASONS", "CaseState"]

CLOSE_REASONS: Final = ("unrelated", "general_information", "duplicate", "no_action_needed", "referred",
                        "reported", "insufficient_information")


class CaseState(DecisionStore):
    """Who works a case, and whether it is open."""

    def claim(self, case_id: uuid.UUID, actor: Actor) -> Case:
        """Take a case to work on; others see who has it. Taking an urgent case acknowledges it."""
        with self.db.transaction() as session:
            case = self._case(session, case_id, for_update=True)
            now = self._now()
            holder = case.claimed_by if case.claim_expires_at and case.claim_expires_at > now else None
            if holder is not None and holder != actor.username:
                raise DecisionError(f"{case.reference_number} is being worked by {holder}")
            case.claimed_by, case.claim_expires_at = actor.username, now + self._claim_ttl
            audit.append(session, actor=actor.username, action="claim", case_id=case.id, detail={}, at=now)
            if Urgency.of_rank(case.urgency_rank).is_urgent and case.acknowledged_at is None:
                case.acknowledged_at, case.acknowledged_by = now, actor.username
                self._record(session, case, actor, DecisionKind.ACKNOWLEDGED, "acknowledge", {})
            self._touch(case)
        self._on_commit()
        return case

    def release(self, case_id: uuid.UUID, actor: Actor) -> None:
        with self.db.transaction() as session:
            case = self._case(session, case_id, for_update=True)
            if case.claimed_by != actor.username and actor.role not in ("supervisor", "admin"):
                raise Forbidden("only the person holding a case (or a supervisor) can release it")
            case.claimed_by, case.claim_expires_at = None, None
            audit.append(session, actor=actor.username, action="release", case_id=case.id, detail={},
                         at=self._now())
            self._touch(case)

    def more_info(self, case_id: uuid.UUID, actor: Actor, reason: str) -> Decision:
        with self.db.transaction() as session:
            case = self._working(session, case_id, actor)
            decision = self._record(session, case, actor, DecisionKind.MORE_INFO, "more_info",
                                    {"reason": reason})
            self._touch(case)
        self._on_commit()
        return decision

    def close(self, case_id: uuid.UUID, actor: Actor, reason: str) -> Decision:
        if reason not in CLOSE_REASONS:
            raise DecisionError(f"close reason must be one of: {', '.join(CLOSE_REASONS)}")
        with self.db.transaction() as session:
            case = self._working(session, case_id, actor)
            if self._still_pending(session, case.id):
                raise DecisionError("a law-enforcement report is awaiting approval: "
                                    "approve or reject it first")
            if obligations.blocks_closing(session, case.id):
                raise DecisionError("the mandatory reports for a minor are still owed: request a "
                                    "law-enforcement report (a second person approves it), or clear "
                                    "the minor flag with a reason")
            decision = self._record(session, case, actor, DecisionKind.CLOSED, "close", {"reason": reason})
            case.status, case.closed_reason = "closed", reason
            case.claimed_by, case.claim_expires_at = None, None
            self._touch(case)
        self._on_commit()
        return decision
