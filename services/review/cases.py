"""Applying the streams to the case store: signals received, triaged, urgent alerts.

Every apply is one transaction, idempotent by event id (``applied_events``). The topics are read
by separate consumers, so a signal's triage may arrive before the signal itself: whichever comes
first creates the case, and the other completes it. Signals are grouped into one case when they
are the same situation by construction: a follow-up or reply names its signal or reference
number, and a call's fragments share the call id. Signals that only share an entity (a phone
number, an address: triage's correlation) are linked as related cases, not merged.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ARRAY, String, bindparam, delete, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from contracts.events import (
    FlagName,
    OutcomeKind,
    ReplyOutcome,
    ReportOutcome,
    RoutingTarget,
    SignalReceived,
    SignalTriaged,
    UrgentAlert,
)
from contracts.ids import derive_id
from contracts.topics import Topic
from services.review import audit, obligations
from services.review.case_batch import SignalBatch
from services.review.case_change import CaseChange, attachment_rows, fill_received, keys_of
from services.review.case_rows import new_case_values
from services.review.case_view import UNREAD, Clock, ObligationKnown, flag_overrides, recompute
from services.review.db import Database
from services.review.models import (
    AppliedEvent,
    Attachment,
    Case,
    CaseKey,
    CaseLink,
    ReportOutcomeRow,
    Signal,
    TextReply,
)
from services.runtime.sql import insert_or_ignore

__all__ = ["CaseChange", "CaseStore", "Streamed"]

Streamed = SignalReceived | SignalTriaged | UrgentAlert  # what ``apply_batch`` takes


class CaseStore:
    def __init__(self, db: Database, *, urgent_ack: timedelta, now: Callable[[], datetime],
                 mandatory_within: timedelta = timedelta(hours=24)) -> None:
        self.db = db
        self._urgent_ack = urgent_ack
        self._now = now
        self._mandatory_within = mandatory_within  # a minor's mandatory reports: due this long after receipt
        self._clock = Clock(now, urgent_ack, mandatory_within)

    # ------------------------------------------------------------ the three streams

    def apply_received(self, event_id: str, signal: SignalReceived) -> CaseChange | None:
        with self.db.transaction() as session:
            if not self._first_time(session, event_id, Topic.SIGNALS_RECEIVED):
                return None
            return self._received(session, signal)

    def _received(self, session: Session, signal: SignalReceived) -> CaseChange:
        existing = session.get(Signal, signal.signal_id)
        keys = keys_of(signal)
        target = self._case_for(session, keys)
        created = False
        if existing is None:
            if target is None:
                target = self._new_case(session, signal.reference_number, signal.received_at)
                created = True
            existing = Signal(signal_id=signal.signal_id, case_id=target.id,
                              reference_number=signal.reference_number, channel=signal.channel.value,
                              received_at=signal.received_at)
            session.add(existing)
        elif target is not None and target.id != existing.case_id:
            # Triage came first and opened a case of its own; the signal belongs with its relatives.
            self._move(session, existing, target)
        else:
            target = self._case_of(session, existing)
        fill_received(existing, signal)
        session.flush()
        if signal.attachments:
            self._insert_ignore(session, Attachment, attachment_rows(signal, target.id))
        self._add_keys(session, target.id, keys)
        session.flush()
        self._refresh(session, target)
        return CaseChange(target.id, target.reference_number, target.urgency, created)

    def apply_triaged(self, event_id: str, triaged: SignalTriaged) -> CaseChange | None:
        with self.db.transaction() as session:
            if not self._first_time(session, event_id, Topic.SIGNALS_TRIAGED):
                return None
            return self._triaged(session, triaged)

    def _triaged(self, session: Session, triaged: SignalTriaged) -> CaseChange:
        existing = session.get(Signal, triaged.signal_id)
        created = False
        if existing is None:
            target = self._case_for(session, [f"signal:{triaged.signal_id}",
                                              f"ref:{triaged.reference_number}"])
            if target is None:
                target = self._new_case(session, triaged.reference_number, triaged.received_at)
                created = True
            existing = Signal(signal_id=triaged.signal_id, case_id=target.id,
                              reference_number=triaged.reference_number, channel=triaged.channel.value,
                              received_at=triaged.received_at)
            session.add(existing)
            self._add_keys(session, target.id, [f"signal:{triaged.signal_id}",
                                                f"ref:{triaged.reference_number}"])
        else:
            target = self._case_of(session, existing)
        previous = existing.triage
        if previous is None or previous.get("triaged_at", "") <= triaged.triaged_at.isoformat():
            existing.triage = triaged.model_dump(mode="json")
            existing.urgency = triaged.urgency.value
            existing.call_type = triaged.call_type.value
            existing.rules_version = triaged.rules_version
        session.flush()
        self._link(session, target.id, triaged)
        self._refresh(session, target)
        return CaseChange(target.id, target.reference_number, target.urgency, created)

    def apply_alert(self, event_id: str, alert: UrgentAlert) -> CaseChange | None:
        with self.db.transaction() as session:
            if not self._first_time(session, event_id, Topic.ALERTS_URGENT):
                return None
            return self._alert(session, alert)

    def _alert(self, session: Session, alert: UrgentAlert) -> CaseChange:
        existing = session.get(Signal, alert.signal_id)
        created = False
        if existing is None:
            # The alert outran both the signal and its triage: open the case from the alert.
            keys = [f"signal:{alert.signal_id}", f"ref:{alert.reference_number}"]
            target = self._case_for(session, keys)
            if target is None:
                target, created = self._new_case(session, alert.reference_number, alert.received_at), True
            existing = Signal(signal_id=alert.signal_id, case_id=target.id,
                              reference_number=alert.reference_number, channel=alert.channel.value,
                              received_at=alert.received_at, urgency=alert.urgency.value)
            session.add(existing)
            self._add_keys(session, target.id, keys)
        else:
            target = self._case_of(session, existing)
        existing.alerted_at = existing.alerted_at or alert.raised_at
        if existing.urgency is None:
            existing.urgency = alert.urgency.value
        session.flush()
        self._refresh(session, target)
        if FlagName.MINOR in alert.reasons or RoutingTarget.MANDATORY_REPORT in alert.required_actions:
            # The alert may outrun the signal's triage: the obligation opens now, from the alert,
            # unless a person has said there is no minor.
            owed = flag_overrides(session, target.id).get(FlagName.MINOR.value, True)
            if not target.triaged:
                target.minor = owed  # until the triage arrives, a report's conditions say so too
            obligations.sync(session, target, owed=owed, now=self._now(), within=self._mandatory_within,
                             basis="alert", alerted=alert.signal_id)
        return CaseChange(target.id, target.reference_number, target.urgency, created, urgent_alert=True)

    def apply_batch(self, topic: str, events: Sequence[tuple[str, Streamed]]) -> list[CaseChange | None]:
        """Records of one stream in one transaction, in order, each applied once by event id: a
        change per record, None for one applied before (or earlier in the same batch). Raises
        with nothing applied when any record fails; the caller applies them one by one then.
        Signals received and triaged apply set-based (``case_batch``); urgent alerts, few and
        each pushed at once, record by record."""
        with self.db.transaction() as session:
            fresh = self._first_times(session, topic, [event_id for event_id, _ in events])
            firsts: list[int] = []
            for at, (event_id, _) in enumerate(events):
                if event_id in fresh:
                    fresh.discard(event_id)
                    firsts.append(at)
            changes: list[CaseChange | None] = [None] * len(events)
            signals = [events[at][1] for at in firsts]
            if all(isinstance(e, SignalReceived | SignalTriaged) for e in signals):
                applied = SignalBatch(self, session).apply(
                    [e for e in signals if isinstance(e, SignalReceived | SignalTriaged)])
                for at, change in zip(firsts, applied, strict=True):
                    changes[at] = change
                return changes
            for at in firsts:
                event = events[at][1]
                if isinstance(event, SignalReceived):
                    changes[at] = self._received(session, event)
                elif isinstance(event, SignalTriaged):
                    changes[at] = self._triaged(session, event)
                else:
                    changes[at] = self._alert(session, event)
            return changes

    def apply_outcome(self, event_id: str, outcome: ReportOutcome) -> CaseChange | None:
        """Record what happened to a report step; an exhausted chain puts the case in front of people."""
        with self.db.transaction() as session:
            if not self._first_time(session, event_id, Topic.REPORTS_OUTCOMES):
                return None
            signal = session.get(Signal, outcome.signal_id)
            target = session.get(Case, signal.case_id) if signal is not None else None
            created = False
            if target is None:
                # Reporting (a break-glass report) can outrun the signal: open the case by its
                # reference number, and the signal joins it when it arrives.
                keys = [f"signal:{outcome.signal_id}", f"ref:{outcome.reference_number}"]
                target = self._case_for(session, keys)
                if target is None:
                    target = self._new_case(session, outcome.reference_number, outcome.occurred_at)
                    created = True
                    self._add_keys(session, target.id, keys)
            session.add(ReportOutcomeRow(
                event_id=event_id, case_id=target.id, report_id=outcome.report_id, need=outcome.need.value,
                victim=outcome.victim, step=outcome.step, contact_id=outcome.contact_id,
                channel=outcome.channel, obligation=outcome.obligation, kind=outcome.kind.value,
                reason=outcome.reason, occurred_at=outcome.occurred_at))
            if outcome.obligation is not None:
                obligations.record_outcome(session, target, outcome.report_id, now=self._now(),
                                           within=self._mandatory_within)
            if outcome.kind is OutcomeKind.EXHAUSTED:
                target.report_exhausted = True
                if target.status == "closed":
                    target.status, target.closed_reason = "open", None
                audit.append(session, actor="system", action="report_chain_exhausted", case_id=target.id,
                             detail={"report_id": str(outcome.report_id), "need": outcome.need.value},
                             at=self._now())
            target.updated_at = self._now()
            target.version += 1
            return CaseChange(target.id, target.reference_number, target.urgency, created,
                              urgent_alert=outcome.kind is OutcomeKind.EXHAUSTED)

    def apply_reply_outcome(self, event_id: str, outcome: ReplyOutcome) -> CaseChange | None:
        """What the SMS intake did with a supervisor's reply: shown with the reply, and audited."""
        with self.db.transaction() as session:
            if not self._first_time(session, event_id, Topic.REPLIES_OUTCOMES):
                return None
            reply = session.get(TextReply, outcome.reply_id)
            if reply is None:  # a reply this case store never asked for: nothing to show it on
                return None
            reply.status, reply.reason, reply.updated_at = outcome.kind.value, outcome.reason, self._now()
            audit.append(session, actor="system", action=f"text_reply_{outcome.kind.value}",
                         case_id=reply.case_id, at=self._now(),
                         detail={"reply_id": str(reply.id), "reason": outcome.reason})
            case = self._case_for(session, [f"signal:{reply.signal_id}"]) or session.get(Case, reply.case_id)
            if case is None:
                return None
            case.updated_at = self._now()
            case.version += 1
            return CaseChange(case.id, case.reference_number, case.urgency, False)

    # ------------------------------------------------------------ parts

    def _insert_ignore(self, session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
        session.execute(insert_or_ignore(session, model, rows))

    def _first_time(self, session: Session, event_id: str, topic: Topic) -> bool:
        row = {"event_id": event_id, "topic": topic.value, "applied_at": self._now()}
        statement = insert_or_ignore(session, AppliedEvent, row).returning(AppliedEvent.event_id)
        return session.execute(statement).scalar() is not None

    def _first_times(self, session: Session, topic: str, event_ids: Sequence[str]) -> set[str]:
        """Of ``event_ids``, those never applied before: one statement for a batch. In key order,
        so that two writers inserting overlapping batches take their row locks in the same order."""
        if not event_ids:
            return set()
        now = self._now()
        ordered = sorted(set(event_ids))
        if self.db.is_postgres:  # one array parameter: the same short statement for every batch
            given = select(func.unnest(bindparam("ids", ordered, type_=ARRAY(String))), literal(topic),
                           literal(now, AppliedEvent.applied_at.type))
            return set(session.scalars(pg_insert(AppliedEvent).from_select(
                ["event_id", "topic", "applied_at"], given).on_conflict_do_nothing()
                .returning(AppliedEvent.event_id)))
        rows = [{"event_id": event_id, "topic": topic, "applied_at": now} for event_id in ordered]
        statement = (sqlite_insert(AppliedEvent).values(rows).on_conflict_do_nothing()
                     .returning(AppliedEvent.event_id))
        return set(session.scalars(statement))

    def _case_for(self, session: Session, keys: Sequence[str]) -> Case | None:
        found = {k.key: k.case_id for k in session.scalars(select(CaseKey).where(CaseKey.key.in_(keys)))}
        for key in keys:  # strongest first
            if key in found:
                case = session.get(Case, found[key])
                # Follow a merge to where the case lives now.
                while case is not None and case.merged_into is not None:
                    case = session.get(Case, case.merged_into)
                return case
        return None

    def _case_of(self, session: Session, signal: Signal) -> Case:
        case = session.get(Case, signal.case_id)
        if case is None:  # a foreign key: never, unless the store was edited by hand
            raise LookupError(f"signal {signal.signal_id} points at a missing case {signal.case_id}")
        return case

    def _new_case(self, session: Session, reference_number: str, received_at: datetime) -> Case:
        case = self._case_row(reference_number, received_at)
        session.add(case)
        session.flush()
        return case

    def _case_row(self, reference_number: str, received_at: datetime) -> Case:
        """A new case as it waits for its triage."""
        return Case(**self.new_case_values(reference_number, received_at))

    def new_case_values(self, reference_number: str, received_at: datetime) -> dict[str, Any]:
        """Every column of a new case (its id derived from its reference number)."""
        return new_case_values(derive_id("review.case", reference_number), reference_number, received_at,
                               self._now())

    def _add_keys(self, session: Session, case_id: uuid.UUID, keys: Sequence[str]) -> None:
        rows = [{"key": key, "case_id": case_id} for key in dict.fromkeys(keys)]
        self._insert_ignore(session, CaseKey, rows)

    def _move(self, session: Session, signal: Signal, target: Case) -> None:
        old_id = signal.case_id
        signal.case_id = target.id
        session.execute(update(Attachment).where(Attachment.signal_id == signal.signal_id)
                        .values(case_id=target.id))
        session.flush()
        remaining = session.scalar(select(Signal.signal_id).where(Signal.case_id == old_id).limit(1))
        if remaining is None:
            session.execute(update(CaseKey).where(CaseKey.case_id == old_id).values(case_id=target.id))
            session.execute(delete(CaseLink).where((CaseLink.case_id == old_id)
                                                   | (CaseLink.other_case_id == old_id)))
            session.execute(update(Case).where(Case.id == old_id).values(
                status="merged", merged_into=target.id, updated_at=self._now()))

    def _link(self, session: Session, case_id: uuid.UUID, triaged: SignalTriaged) -> None:
        if not triaged.linked_signals:
            return
        others = {s.signal_id: s.case_id for s in session.scalars(
            select(Signal).where(Signal.signal_id.in_([link.signal_id for link in triaged.linked_signals])))}
        for link in triaged.linked_signals:
            other = others.get(link.signal_id)
            if other is None or other == case_id:
                continue
            reason = "shared:" + ",".join(sorted(kind.value for kind in link.shared))
            for a, b in ((case_id, other), (other, case_id)):
                if session.get(CaseLink, (a, b)) is None:
                    session.add(CaseLink(case_id=a, other_case_id=b, reason=reason))

    def _refresh(self, session: Session, case: Case) -> None:
        """Recompute what the queue shows from every signal of the case."""
        signals = list(session.scalars(select(Signal).where(Signal.case_id == case.id)
                                       .order_by(Signal.received_at)))
        self._recompute(session, case, signals, lambda: flag_overrides(session, case.id))

    def _recompute(self, session: Session, case: Case, signals: Sequence[Signal],
                   overrides: Callable[[], dict[str, bool]], *, obligation: ObligationKnown = UNREAD,
                   applies: int = 1) -> None:
        recompute(session, case, signals, overrides, self._clock, obligation=obligation, applies=applies)
