"""What the queue and the case page read. Reporter identity is never part of these views: it is
revealed one case at a time through ``decisions.reveal_reporter`` or the contact task
(``contact.ContactTasks.open``), both audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from contracts.reference_numbers import canonical
from services.review import obligations
from services.review.models import (
    AuditEntry,
    Case,
    CaseKey,
    CaseLink,
    CaseObligation,
    Decision,
    ReportOutcomeRow,
    Signal,
    TextReply,
)
from services.review.texting import TextStanding, standing

OPEN_STATUSES = ("open", "awaiting_approval")
# Written into the SQL as constants, not sent as parameters: psycopg prepares a statement after its
# fifth run, and PostgreSQL then switches to a generic plan, which can use the partial index
# ``ix_cases_open_queue`` only if it sees the constants, and which otherwise builds the IN-list
# array again for every row it filters (a count of 90,000 open cases took twice as long).
OPEN_STATUSES_SQL: Final[BindParameter[str]] = bindparam("open_statuses", OPEN_STATUSES, expanding=True,
                                             literal_execute=True)


@dataclass(frozen=True)
class QueueFilter:
    state: str | None = None
    call_type: str | None = None
    minor: bool | None = None
    channel: str | None = None
    unassigned: bool = False
    include_closed: bool = False
    # Only minors' cases whose mandatory reports are still owed (closed cases too: a report
    # already sent may still fail).
    obligation_owed: bool = False


@dataclass(frozen=True)
class QueueItem:
    case_id: uuid.UUID
    reference_number: str
    status: str
    urgency: str
    urgency_rank: int
    call_type: str
    trafficking_type: str
    state: str | None
    city: str | None
    minor: bool
    imminent_danger: bool
    break_glass: bool
    triaged: bool
    report_exhausted: bool
    opened_at: datetime
    sla_due_at: datetime
    ack_due_at: datetime | None
    acknowledged: bool
    escalation_level: int
    claimed_by: str | None
    claim_expires_at: datetime | None
    overdue: bool
    # A minor's case: its mandatory reports' state and due time (``obligations``).
    obligation: str | None = None
    obligation_due_at: datetime | None = None
    obligation_overdue: bool = False

    def as_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, uuid.UUID) else v)
                for k, v in self.__dict__.items()}


def _claimed_by(case: Case, now: datetime) -> str | None:
    if case.claimed_by and case.claim_expires_at and case.claim_expires_at > now:
        return case.claimed_by
    return None


def _item(case: Case, now: datetime, obligation: CaseObligation | None = None) -> QueueItem:
    deadline = case.ack_due_at if (case.ack_due_at and case.acknowledged_at is None) else case.sla_due_at
    owed = obligations.view(obligation, now)
    return QueueItem(
        obligation=owed.state if owed else None, obligation_due_at=owed.due_at if owed else None,
        obligation_overdue=owed.overdue if owed else False,
        case_id=case.id, reference_number=case.reference_number, status=case.status, urgency=case.urgency,
        urgency_rank=case.urgency_rank, call_type=case.call_type, trafficking_type=case.trafficking_type,
        state=case.state, city=case.city, minor=case.minor, imminent_danger=case.imminent_danger,
        break_glass=case.break_glass, triaged=case.triaged, report_exhausted=case.report_exhausted,
        opened_at=case.opened_at,
        sla_due_at=case.sla_due_at,
        ack_due_at=case.ack_due_at, acknowledged=case.acknowledged_at is not None,
        escalation_level=case.escalation_level, claimed_by=_claimed_by(case, now),
        claim_expires_at=case.claim_expires_at if _claimed_by(case, now) else None,
        overdue=case.status in OPEN_STATUSES and deadline < now,
    )


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int  # exact when ``exact``, else a lower bound ("1,000+")
    exact: bool


# Counting every open case on every page read was most of a queue read at 100,000 cases; nobody
# needs more than "a thousand more than this page" to know the queue is long.
COUNT_AHEAD = 1000


def queue(session: Session, now: datetime, filters: QueueFilter = QueueFilter(), *,
          limit: int = 50, offset: int = 0) -> QueuePage:
    """Open cases, most urgent first, then by deadline; and how many match (up to a bound)."""
    query = select(Case)
    if filters.obligation_owed:
        query = query.join(CaseObligation, CaseObligation.case_id == Case.id).where(
            CaseObligation.state.in_(obligations.OWED), Case.status != "merged")
    elif not filters.include_closed:
        query = query.where(Case.status.in_(OPEN_STATUSES_SQL))
    if filters.state:
        query = query.where(Case.state == filters.state)
    if filters.call_type:
        query = query.where(Case.call_type == filters.call_type)
    if filters.minor is not None:
        query = query.where(Case.minor == filters.minor)
    if filters.channel:
        query = query.where(exists().where((Signal.case_id == Case.id) & (Signal.channel == filters.channel)))
    if filters.unassigned:
        query = query.where(or_(Case.claimed_by.is_(None), Case.claim_expires_at <= now))
    bound = offset + COUNT_AHEAD
    total = session.scalar(select(func.count()).select_from(query.limit(bound + 1).subquery())) or 0
    cases = list(session.scalars(query.order_by(Case.urgency_rank, Case.sla_due_at, Case.id)
                                 .limit(limit).offset(offset)))
    # The page's obligations in one look-up by key, so the count and the page statements stay
    # those the queue's indexes were built for.
    ids = [case.id for case in cases]
    owed = {row.case_id: row for row in session.scalars(
        select(CaseObligation).where(CaseObligation.case_id.in_(ids)))} if ids else {}
    return QueuePage([_item(case, now, owed.get(case.id)) for case in cases], min(total, bound),
                     exact=total <= bound)


def deadline_passed(now: datetime) -> ColumnElement[bool]:
    """Open cases past their deadline where that deadline is triage's (``sla_due_at``), not an
    acknowledgement still owed (the urgent clock escalates those): the queue's "overdue" for them."""
    return (Case.status.in_(OPEN_STATUSES_SQL) & (Case.sla_due_at < now)
            & or_(Case.ack_due_at.is_(None), Case.acknowledged_at.is_not(None)))


def past_deadline(session: Session, now: datetime) -> dict[str, tuple[int, float]]:
    """Per urgency, how many open cases are past their deadline and by how many seconds the oldest."""
    rows = session.execute(select(Case.urgency, func.count(), func.min(Case.sla_due_at))
                           .where(deadline_passed(now)).group_by(Case.urgency))
    return {urgency: (count, (now - oldest).total_seconds()) for urgency, count, oldest in rows}


class NotAReference(ValueError):
    """What was given is not a reference number (a wrong character or check character)."""


def case_by_reference(session: Session, reference: str) -> Case | None:
    """The case holding the signal with this reference number, written any way people write it
    (``canonical``), where the case lives now if it was merged. ``NotAReference`` when it is not one."""
    number = canonical(reference)
    if number is None:
        raise NotAReference(reference)
    key = session.get(CaseKey, f"ref:{number}")
    case = session.get(Case, key.case_id) if key is not None else None
    while case is not None and case.merged_into is not None:
        case = session.get(Case, case.merged_into)
    return case


def find_by_reference(session: Session, reference: str, now: datetime) -> QueueItem | None:
    """The queue's view of ``case_by_reference`` (closed cases too)."""
    case = case_by_reference(session, reference)
    return _item(case, now, session.get(CaseObligation, case.id)) if case is not None else None


@dataclass(frozen=True)
class SignalView:
    signal_id: uuid.UUID
    reference_number: str
    channel: str
    received_at: datetime
    subject: str | None
    narrative: str | None
    facts: dict[str, Any] | None
    attachments: list[Any]
    related: dict[str, Any] | None
    triage: dict[str, Any] | None
    reporter_summary: dict[str, Any]  # role, anonymity, consents, language: never contact details
    has_contact: bool
    source: dict[str, Any] | None = None  # where it came from (for a text: keyword, media, sequence)


@dataclass(frozen=True)
class CaseView:
    item: QueueItem
    signals: list[SignalView]
    linked: list[tuple[QueueItem, str]]
    decisions: list[Decision]
    history: list[AuditEntry]
    merged_into: uuid.UUID | None = None
    pending: list[Decision] = field(default_factory=list)
    outcomes: list[ReportOutcomeRow] = field(default_factory=list)
    # A case with texts: whether its texter may get a reply, and the replies so far.
    texting: TextStanding | None = None
    replies: list[TextReply] = field(default_factory=list)
    # A minor's case: the mandatory reports it owes, with their clock.
    obligation: obligations.ObligationView | None = None


def _reporter_summary(reporter: dict[str, Any] | None) -> tuple[dict[str, Any], bool]:
    if not reporter:
        return {}, False
    contact = reporter.get("contact") or {}
    has_contact = any(contact.get(k) for k in ("name", "email", "phone", "other"))
    summary = {k: reporter.get(k) for k in ("role", "anonymous", "consent_to_contact", "consent_to_share",
                                          "preferred_language")}
    return summary, has_contact


def case_view(session: Session, case_id: uuid.UUID, now: datetime) -> CaseView | None:
    case = session.get(Case, case_id)
    if case is None:
        return None
    signals = []
    rows = list(session.scalars(select(Signal).where(Signal.case_id == case_id).order_by(Signal.received_at)))
    for s in rows:
        summary, has_contact = _reporter_summary(s.reporter)
        signals.append(SignalView(
            signal_id=s.signal_id, reference_number=s.reference_number, channel=s.channel,
            received_at=s.received_at, subject=s.subject, narrative=s.narrative, facts=s.facts,
            attachments=list(s.attachments or []), related=s.related, triage=s.triage,
            reporter_summary=summary, has_contact=has_contact, source=s.source))
    linked = []
    for link in session.scalars(select(CaseLink).where(CaseLink.case_id == case_id)):
        other = session.get(Case, link.other_case_id)
        if other is not None:
            linked.append((_item(other, now), link.reason))
    decisions = list(session.scalars(select(Decision).where(Decision.case_id == case_id)
                                     .order_by(Decision.decided_at)))
    history = list(session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)
                                   .order_by(AuditEntry.seq)))
    outcomes = list(session.scalars(select(ReportOutcomeRow).where(ReportOutcomeRow.case_id == case_id)
                                    .order_by(ReportOutcomeRow.occurred_at, ReportOutcomeRow.event_id)))
    replies = list(session.scalars(select(TextReply).where(TextReply.case_id == case_id)
                                   .order_by(TextReply.requested_at)))
    owed = session.get(CaseObligation, case_id)
    return CaseView(item=_item(case, now, owed), signals=signals, linked=linked, decisions=decisions,
                    history=history, merged_into=case.merged_into,
                    pending=[d for d in decisions if d.status == "awaiting_approval"], outcomes=outcomes,
                    texting=standing(rows), replies=replies, obligation=obligations.view(owed, now))
