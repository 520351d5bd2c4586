"""What reaches the person who reported: revealing who they are (audited, with a reason) and a
supervisor's reply to a texter."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import select

from contracts import Topic
from contracts.events import ReplyRequested
from contracts.events.reply import MAX_REPLY_CHARS
from services.review import audit, texting
from services.review.decision_store import Actor, DecisionError, DecisionStore, Forbidden
from services.review.models import Signal, TextReply

__all__ = ["ReporterAccess"]


class ReporterAccess(DecisionStore):
    """The reporter's identity and replies to them: supervisors only."""

    def reveal_reporter(self, case_id: uuid.UUID, actor: Actor, reason: str) -> list[dict[str, Any]]:
        """The reporter's identity and contact details, for one case, with a reason; audited."""
        if actor.role not in ("supervisor", "admin"):
            raise Forbidden("only a supervisor can reveal who reported")
        if len(reason.strip()) < 10:
            raise DecisionError("say why you need the reporter's details (at least 10 characters)")
        with self.db.transaction() as session:
            case = self._case(session, case_id)
            revealed = [
                {"signal_id": str(s.signal_id), "reference_number": s.reference_number,
                 "reporter": s.reporter or {}}
                for s in session.scalars(select(Signal).where(Signal.case_id == case.id)
                                         .order_by(Signal.received_at))]
            audit.append(session, actor=actor.username, action="reveal_reporter", case_id=case.id,
                         detail={"reason": reason.strip()[:500],
                                 "signals": [r["signal_id"] for r in revealed]}, at=self._now())
        return revealed

    def reply_by_text(self, case_id: uuid.UUID, actor: Actor, body: str) -> TextReply:
        """A supervisor's reply to the case's texter, only where texts are safe for them. Kept with
        its audit entry (the words' digest) and its request to the SMS intake in one transaction;
        the intake sends or refuses it, and its outcome comes back on ``replies.outcomes``."""
        if actor.role not in ("supervisor", "admin"):
            raise Forbidden("only a supervisor can reply to a texter")
        words = body.strip()
        if not words:
            raise DecisionError("write the reply")
        if len(words) > MAX_REPLY_CHARS:
            raise DecisionError(f"a reply is at most {MAX_REPLY_CHARS} characters")
        with self.db.transaction() as session:
            case = self._working(session, case_id, actor)
            found = texting.standing(session.scalars(select(Signal).where(Signal.case_id == case.id)))
            if found is None:
                raise DecisionError("this case has no texts to reply to")
            if found.why_not is not None or found.recipient_key is None:
                raise Forbidden(found.why_not or "no reply can reach this texter")
            now = self._now()
            reply = TextReply(id=uuid.uuid4(), case_id=case.id, signal_id=found.signal_id, body=words,
                              requested_by=actor.username, requested_at=now, status="requested", reason=None,
                              updated_at=now)
            session.add(reply)
            audit.append(session, actor=actor.username, action="text_reply", case_id=case.id, at=now, detail={
                "reply_id": str(reply.id), "signal_id": str(found.signal_id), "chars": len(words),
                "sha256": hashlib.sha256(words.encode()).hexdigest()})
            self._enqueue(session, Topic.REPLIES_REQUESTED, ReplyRequested(
                reply_id=reply.id, case_id=case.id, signal_id=found.signal_id,
                reference_number=case.reference_number, recipient_key=found.recipient_key, body=words,
                requested_by_role="admin" if actor.role == "admin" else "supervisor", requested_at=now))
            self._touch(case)
        self._on_commit()
        return reply
