"""What the ledger keeps of the inputs: signal facts and content, report requests, resolved chains.

Every write is idempotent by its input's id (a signal id, a report id), so a redelivered record
changes nothing. A request may arrive before its signal (two topics, two consumers): it waits
``facts_grace`` for the declared victims, then resolves from the request's conditions alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts.events import OutcomeKind, ReportRequested, SafeContact, SignalReceived, Victim
from services.reporting.db import Database
from services.reporting.erasure import scrub_if_erased
from services.reporting.models import (
    Lookup,
    LookupState,
    Obligation,
    Report,
    ReportState,
    SignalContent,
    SignalFacts,
    Step,
    StepKind,
    StepState,
)
from services.reporting.outcomes import escalation, lookup_outcome
from services.reporting.protocols.model import EmailChannel, PhoneChannel, WebhookChannel
from services.reporting.redaction import SignalView
from services.reporting.resolution import ChainStep, Resolution
from services.reporting.resolution import Obligation as Owed

# A report's resolution and, by lookup, the chains to write for it.
Resolved = tuple[uuid.UUID, Resolution, Sequence[Sequence[ChainStep]]]


@dataclass(frozen=True)
class Pending:
    """A request ready to resolve, with the declared victims if the signal has arrived."""

    request: ReportRequested
    victims: tuple[Victim, ...]


class Store:
    def __init__(self, db: Database, *, now: Callable[[], datetime], facts_grace: timedelta) -> None:
        self._db = db
        self._now = now
        self._grace = facts_grace

    def record_signal(self, signal: SignalReceived) -> bool:
        """Keep the facts resolution needs and the content redaction may pass on; False if known."""
        reporter = signal.reporter
        declared = signal.facts
        with self._db.transaction() as session:
            if session.get(SignalFacts, signal.signal_id) is not None:
                return False
            session.add(SignalFacts(
                signal_id=signal.signal_id, reference_number=signal.reference_number,
                victims=[v.model_dump(mode="json") for v in declared.victims],
                consent_to_share=reporter.consent_to_share, consent_to_contact=reporter.consent_to_contact,
                received_at=signal.received_at))
            session.flush()
            # The reporter's identity is not stored at all without consent to share it.
            identity: dict[str, Any] | None = None
            if reporter.consent_to_share and not reporter.anonymous:
                identity = {"role": reporter.role.value,
                            "contact": reporter.contact.model_dump(mode="json") if reporter.contact else None,
                            "consent_to_contact": reporter.consent_to_contact}
                if reporter.contact is not None:
                    # Contact details never travel without how to use them safely: whoever calls
                    # the reporter must know when, and whether a voicemail or a text could expose
                    # them (nothing declared: neither is safe, the form's default).
                    safe = reporter.safe_contact or SafeContact()
                    identity["safe_contact"] = safe.model_dump(mode="json")
            session.add(SignalContent(
                signal_id=signal.signal_id, narrative=signal.narrative,
                location=declared.location.model_dump(mode="json") if declared.location else None,
                facts={"danger_now": declared.danger_now.value,
                       "trafficking_type": declared.trafficking_type.value},
                reporter=identity))
            session.flush()
            scrub_if_erased(session, signal.signal_id)
        return True

    def record_request(self, request: ReportRequested) -> bool:
        """Store a report request once (by report id); False if it was already known."""
        now = self._now()
        with self._db.transaction() as session:
            if session.get(Report, request.report_id) is not None:
                return False
            session.add(Report(
                report_id=request.report_id, signal_id=request.signal_id,
                reference_number=request.reference_number, need=request.need.value,
                request=request.model_dump(mode="json"), state=ReportState.AWAITING_FACTS,
                resolve_after=now + self._grace, created_at=now))
        return True

    def ready_to_resolve(self, limit: int = 50) -> list[Pending]:
        now = self._now()
        with self._db.read() as session:
            rows = session.execute(
                select(Report, SignalFacts).outerjoin(SignalFacts, SignalFacts.signal_id == Report.signal_id)
                .where(Report.state == ReportState.AWAITING_FACTS,
                       SignalFacts.signal_id.is_not(None) | (Report.resolve_after <= now))
                .order_by(Report.created_at).limit(limit)
            ).all()
        ready = []
        for report, facts in rows:
            victims = tuple(Victim.model_validate(v) for v in facts.victims) if facts else ()
            ready.append(Pending(ReportRequested.model_validate(report.request), victims))
        return ready

    def store_resolution(self, report_id: uuid.UUID, resolution: Resolution,
                         chains: Sequence[Sequence[ChainStep]]) -> None:
        """Write each lookup's chain (``chains``, by lookup) as pending steps; start each first step now."""
        self.store_resolutions([(report_id, resolution, chains)])

    def store_resolutions(self, resolved: Sequence[Resolved]) -> None:
        """``store_resolution`` for several reports, in one transaction."""
        now = self._now()
        with self._db.transaction() as session:
            # Lock the reports in one statement (in a stable order: two instances never deadlock).
            session.scalars(select(Report).where(Report.report_id.in_([r[0] for r in resolved]))
                            .order_by(Report.report_id).with_for_update()).all()
            for report_id, resolution, chains in resolved:
                self._store(session, report_id, resolution, chains, now)

    def _store(self, session: Session, report_id: uuid.UUID, resolution: Resolution,
               chains: Sequence[Sequence[ChainStep]], now: datetime) -> None:
        report = session.get(Report, report_id)  # locked by the caller
        if report is None or report.state != ReportState.AWAITING_FACTS:
            return  # resolved by an earlier tick (or another instance)
        request = ReportRequested.model_validate(report.request)
        for index, lookup in enumerate(resolution.lookups):
            row = Lookup(report_id=report_id, lookup_index=index, victims=list(lookup.victims),
                         source=lookup.source.model_dump(mode="json") if lookup.source else None,
                         state=LookupState.OPEN, closed_at=None)
            session.add(row)
            for position, step in enumerate(chains[index]):
                session.add(Step(
                    report_id=report_id, lookup_index=index, step_index=position,
                    contact_id=step.contact.id, contact=step.contact.model_dump(mode="json"),
                    channel=channel_of(step.contact.channels[0]),
                    wait_s=int(step.wait.total_seconds()),
                    business_hours=request.conditions.business_hours, state=StepState.PENDING,
                    activate_at=now if position == 0 else None, attempts=0))
            if not chains[index]:
                # Nobody on the region's line can be reached for this situation: people must act.
                row.state, row.closed_at = LookupState.EXHAUSTED, now
                session.flush()  # the escalation's sequence is the row's id
                lookup_outcome(session, report, index, OutcomeKind.EXHAUSTED, now, reason="no_chain")
                escalation(session, report, row.id, now, reason="no_chain")
        for offset, obligation in enumerate(resolution.obligations):
            self._add_obligation(session, report, len(resolution.lookups) + offset, obligation, now)
        report.state = ReportState.ACTIVE

    @staticmethod
    def _add_obligation(session: Session, report: Report, index: int, obligation: Owed,
                        now: datetime) -> None:
        """A mandatory report is a lookup of its own: its contact, channel by channel, the deadline
        shared out between them; unacknowledged by the deadline, it escalates like an empty chain."""
        row = Lookup(report_id=report.report_id, lookup_index=index, victims=list(obligation.victims),
                     source=obligation.source.model_dump(mode="json"), state=LookupState.OPEN, closed_at=None,
                     obligation_id=obligation.id)
        session.add(row)
        session.add(Obligation(
            report_id=report.report_id, region=obligation.source.region, obligation_id=obligation.id,
            contact_id=obligation.contact_id, due_at=obligation.due_at, basis=obligation.basis,
            victims=list(obligation.victims), state="open", lookup_index=index))
        session.flush()
        contact = obligation.contact
        if contact is None:  # an unknown contact id: validation reports it; people must act now
            row.state, row.closed_at = LookupState.EXHAUSTED, now
            lookup_outcome(session, report, index, OutcomeKind.EXHAUSTED, now, reason="no_contact",
                           obligation=obligation.id)
            escalation(session, report, row.id, now, reason="obligation_without_contact")
            return
        wait = int(obligation.within.total_seconds()) // len(contact.channels)
        request = ReportRequested.model_validate(report.request)
        for position, channel in enumerate(contact.channels):
            session.add(Step(
                report_id=report.report_id, lookup_index=index, step_index=position, contact_id=contact.id,
                contact=contact.model_dump(mode="json"), channel=channel.type, wait_s=max(wait, 60),
                business_hours=request.conditions.business_hours, state=StepState.PENDING,
                activate_at=now if position == 0 else None, attempts=0, kind=StepKind.OBLIGATION))


def channel_of(channel: EmailChannel | WebhookChannel | PhoneChannel) -> str:
    """A step uses the contact's first channel: the one the protocol says to try first."""
    return channel.type


def signal_view(session: Session, signal_id: uuid.UUID) -> SignalView | None:
    """What redaction may use of a signal, as the ledger kept it (None: it never arrived)."""
    facts = session.get(SignalFacts, signal_id)
    content = session.get(SignalContent, signal_id)
    if facts is None or content is None:
        return None
    return SignalView(victims=facts.victims, narrative=content.narrative, location=content.location,
                      facts=content.facts, reporter=content.reporter)
