"""Lawful-request export of one case: asked by one supervisor, approved by another, signed, audited.

The archive (``archive``) holds the case as the store has it: its signals (narrative and reporter
included, as a court order asks for them; whatever was erased stays erased), the decisions, the
audit entries about the case, and what reporting said of every report sent. It is made at the
moment of approval and handed to the approver only; the store keeps its SHA-256, not a copy, so a
lost download needs a new request (and a second approval).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.review import archive, audit
from services.review.db import Database
from services.review.decision_store import Actor, DecisionError, Forbidden, NotFound
from services.review.models import (
    AuditEntry,
    Case,
    Decision,
    ErasureRequest,
    ExportRequest,
    ReportOutcomeRow,
    Signal,
)

_SIGNAL_FIELDS = ("signal_id", "reference_number", "channel", "received_at", "subject", "narrative",
                  "reporter", "facts", "source", "attachments", "related", "triage", "urgency", "call_type",
                  "rules_version", "alerted_at")


@dataclass(frozen=True)
class Export:
    request: ExportRequest
    reference_number: str
    data: bytes  # the signed zip

    @property
    def filename(self) -> str:
        return f"{self.reference_number}-export-{str(self.request.id)[:8]}.zip"


class Exports:
    def __init__(self, db: Database, *, now: Callable[[], datetime], key: Ed25519PrivateKey | None) -> None:
        self.db = db
        self._now = now
        self._key = key

    @property
    def configured(self) -> bool:
        return self._key is not None

    def request(self, case_id: uuid.UUID, actor: Actor, reason: str) -> ExportRequest:
        """Ask for a case's export, naming the legal instrument; a second supervisor approves."""
        _supervisor(actor)
        if len(reason.strip()) < 10:
            raise DecisionError("name the legal request (a subpoena's or court order's number, at least "
                                "10 characters)")
        with self.db.transaction() as session:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFound("no such case")
            row = ExportRequest(id=uuid.uuid4(), case_id=case.id, reason=reason.strip()[:500],
                                status="pending", requested_by=actor.username, requested_at=self._now(),
                                approved_by=None, approved_at=None, archive_sha256=None)
            session.add(row)
            audit.append(session, actor=actor.username, action="export_requested", case_id=case.id,
                         detail={"export_id": str(row.id), "reason": row.reason}, at=self._now())
        return row

    def pending(self) -> list[tuple[ExportRequest, str]]:
        with self.db.read() as session:
            rows = session.execute(select(ExportRequest, Case.reference_number)
                                   .join(Case, Case.id == ExportRequest.case_id)
                                   .where(ExportRequest.status == "pending")
                                   .order_by(ExportRequest.requested_at)).all()
            return [(row, reference) for row, reference in rows]

    def approve(self, export_id: uuid.UUID, actor: Actor) -> Export:
        """The second supervisor's approval: the archive is made, signed, audited and returned."""
        _supervisor(actor)
        if self._key is None:
            raise DecisionError("exports are not set up here: HOTLINE_EXPORT_SIGNING_KEY is not set")
        with self.db.transaction() as session:
            row = self._pending(session, export_id)
            if row.requested_by == actor.username:
                raise Forbidden("an export needs a second supervisor's approval: you requested this one")
            case = session.get(Case, row.case_id)
            if case is None:  # pragma: no cover - a foreign key holds it
                raise NotFound("no such case")
            now = self._now()
            data = archive.build(case_record(session, case), {
                "export_id": str(row.id), "case_id": str(case.id), "reference_number": case.reference_number,
                "reason": row.reason, "requested_by": row.requested_by,
                "requested_at": row.requested_at.isoformat(),
                "approved_by": actor.username, "approved_at": now.isoformat()}, self._key)
            digest = hashlib.sha256(data).hexdigest()
            row.status, row.approved_by, row.approved_at = "approved", actor.username, now
            row.archive_sha256 = digest
            audit.append(session, actor=actor.username, action="export_approved", case_id=case.id, at=now,
                         detail={"export_id": str(row.id), "requested_by": row.requested_by,
                                 "archive_sha256": digest, "bytes": len(data)})
            return Export(row, case.reference_number, data)

    def reject(self, export_id: uuid.UUID, actor: Actor, reason: str) -> ExportRequest:
        _supervisor(actor)
        if not reason.strip():
            raise DecisionError("say why")
        with self.db.transaction() as session:
            row = self._pending(session, export_id)
            if row.requested_by == actor.username:
                raise Forbidden("a second supervisor decides on this request; you made it")
            row.status, row.approved_by, row.approved_at = "rejected", actor.username, self._now()
            audit.append(session, actor=actor.username, action="export_rejected", case_id=row.case_id,
                         at=self._now(), detail={"export_id": str(row.id), "reason": reason.strip()[:500]})
        return row

    def _pending(self, session: Session, export_id: uuid.UUID) -> ExportRequest:
        query = select(ExportRequest).where(ExportRequest.id == export_id)
        if self.db.is_postgres:
            query = query.with_for_update()
        row = session.scalar(query)
        if row is None:
            raise NotFound("no such export request")
        if row.status != "pending":
            raise DecisionError(f"this export request is already {row.status}")
        return row


def case_record(session: Session, case: Case) -> dict[str, Any]:
    """The files of a case's archive: everything the store holds about it, as it is now."""
    signals = session.scalars(select(Signal).where(Signal.case_id == case.id)
                              .order_by(Signal.received_at, Signal.signal_id))
    decisions = session.scalars(select(Decision).where(Decision.case_id == case.id)
                                .order_by(Decision.decided_at))
    entries = session.scalars(select(AuditEntry).where(AuditEntry.case_id == case.id)
                              .order_by(AuditEntry.seq))
    outcomes = session.scalars(select(ReportOutcomeRow).where(ReportOutcomeRow.case_id == case.id)
                               .order_by(ReportOutcomeRow.occurred_at, ReportOutcomeRow.event_id))
    erasures = session.scalars(select(ErasureRequest).where(ErasureRequest.case_id == case.id)
                               .order_by(ErasureRequest.requested_at))
    return {
        "case.json": _row(case, [c.key for c in Case.__table__.columns]),
        "signals.json": [_row(s, _SIGNAL_FIELDS) for s in signals],
        "decisions.json": [_row(d, [c.key for c in Decision.__table__.columns]) for d in decisions],
        # With each entry's hashes: a verifier can check them against ``hotline-review audit verify``.
        "audit.json": [_row(e, [c.key for c in AuditEntry.__table__.columns]) for e in entries],
        "reports.json": [_row(o, [c.key for c in ReportOutcomeRow.__table__.columns]) for o in outcomes],
        "erasures.json": [_row(e, ("id", "scope", "basis", "status", "requested_at", "requested_by",
                                   "decided_by", "decided_at", "signal_ids")) for e in erasures],
    }


def _row(row: object, fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(row, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else (
            str(value) if isinstance(value, uuid.UUID) else value)
    return out


def _supervisor(actor: Actor) -> None:
    if actor.role not in ("supervisor", "admin"):
        raise Forbidden("only a supervisor can ask for or approve a lawful-request export")
