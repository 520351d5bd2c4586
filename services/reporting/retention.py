"""The retention purge of the delivery ledger: the reporter's identity and the words of a signal
(what reports were composed from) leave the ledger once every report about the signal has settled
and the retention period has run; the ledger's ids, codes, times and counts stay.

A signal's clock starts at its last activity: its receipt, or the latest report about it being
requested, a chain closing or a step finishing. While a report about it is still looking for
somebody (waiting for its facts, a chain open, a written follow-up not yet sent) nothing is due.
Legal holds are placed on cases in review, the system of record; this copy exists to deliver
reports and follows its own clock (``docs/operations.md``).

One transaction per signal, re-checked under the signal's row lock, recorded in ``content_purges``
with the classes it removed: idempotent and safe to interrupt, like review's purge.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from prometheus_client import CollectorRegistry
from prometheus_client import Counter as PromCounter
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.db import Database
from services.reporting.models import (
    CallLog,
    ContentPurge,
    Lookup,
    LookupState,
    Report,
    ReportState,
    SignalContent,
    SignalFacts,
    Step,
    StepKind,
    StepState,
)
from services.runtime.retention import DataClass, Schedule
from services.runtime.sql import advisory_lock

__all__ = ["PURGE_LOCK", "LedgerPurge", "LedgerPurgeMetrics", "LedgerPurgeRun", "ledger_purge", "purge_once"]

log = logging.getLogger(__name__)

PURGE_LOCK: Final = "reporting.retention-purge"
# The ledger holds neither attachments nor raw emails: review and the intakes' blob stores do.
CLASSES: Final = (DataClass.CONTACT, DataClass.NARRATIVE)
_UNSENT: Final = (StepState.PENDING.value, StepState.SENDING.value)


@dataclass
class LedgerPurgeRun:
    signals: int = 0
    items: Counter[DataClass] = field(default_factory=Counter)


class LedgerPurge:
    def __init__(self, db: Database, schedule: Schedule, *, now: Callable[[], datetime], batch: int = 50,
                 on_purged: Callable[[DataClass, int], None] = lambda _c, _n: None) -> None:
        self.db = db
        self.schedule = schedule
        self._now = now
        self._batch = batch
        self._on_purged = on_purged

    def run(self, *, stop: Callable[[], bool] = lambda: False) -> LedgerPurgeRun:
        result = LedgerPurgeRun()
        if all(self.schedule.periods.get(c) is None for c in CLASSES):
            return result
        after: uuid.UUID | None = None
        while not stop():
            with self.db.read() as session:
                query = select(SignalContent.signal_id).order_by(SignalContent.signal_id).limit(self._batch)
                if after is not None:
                    query = query.where(SignalContent.signal_id > after)
                batch = list(session.scalars(query))
            if not batch:
                break
            after = batch[-1]
            for signal_id in batch:
                if stop():
                    break
                self._one(signal_id, result)
        return result

    def _one(self, signal_id: uuid.UUID, result: LedgerPurgeRun) -> None:
        purged: list[tuple[DataClass, int]] = []
        with self.db.transaction() as session:
            facts = session.scalar(select(SignalFacts).where(SignalFacts.signal_id == signal_id)
                                   .with_for_update())
            content = session.get(SignalContent, signal_id)
            if facts is None or content is None:
                return
            settled = settled_at(session, facts)
            if settled is None:
                return  # a report about it is still being delivered
            at = self._now()
            done = {DataClass(row.data_class) for row in session.scalars(
                select(ContentPurge).where(ContentPurge.signal_id == signal_id)) if row.settled_at >= settled}
            for data_class in self.schedule.due(settled, at, held=False, done=done):
                if data_class not in CLASSES:
                    continue
                items = _contact(content) if data_class is DataClass.CONTACT else _narrative(session, content)
                _mark(session, signal_id, data_class, settled, at, items)
                purged.append((data_class, items))
        if purged:
            result.signals += 1
        for data_class, items in purged:
            result.items[data_class] += items
            self._on_purged(data_class, items)


def settled_at(session: Session, facts: SignalFacts) -> datetime | None:
    """When the signal's last report settled (its receipt if none was asked); None while one is live."""
    reports = list(session.scalars(select(Report).where(Report.signal_id == facts.signal_id)))
    times = [facts.received_at, *(r.created_at for r in reports)]
    ids = [r.report_id for r in reports]
    if any(r.state == ReportState.AWAITING_FACTS.value for r in reports):
        return None
    if ids:
        lookups = list(session.scalars(select(Lookup).where(Lookup.report_id.in_(ids))))
        if any(lookup.state == LookupState.OPEN.value for lookup in lookups):
            return None
        times += [lookup.closed_at for lookup in lookups if lookup.closed_at is not None]
        steps = list(session.scalars(select(Step).where(Step.report_id.in_(ids))))
        if any(s.kind == StepKind.FOLLOW_UP.value and s.state in _UNSENT for s in steps):
            return None
        times += [s.finished_at for s in steps if s.finished_at is not None]
    return max(times)


def _contact(content: SignalContent) -> int:
    if content.reporter is None:
        return 0
    content.reporter = None
    return 1


def _narrative(session: Session, content: SignalContent) -> int:
    items = 1 if content.narrative else 0
    content.narrative = ""
    if content.location:
        kept: dict[str, Any] = {k: v for k, v in content.location.items() if k in ("country", "state")}
        content.location = kept
    reports = select(Report.report_id).where(Report.signal_id == content.signal_id)
    steps = select(Step.id).where(Step.report_id.in_(reports))
    for note in session.scalars(select(CallLog).where(CallLog.step_id.in_(steps), CallLog.note.is_not(None))):
        note.note = None
        items += 1
    return items


def _mark(session: Session, signal_id: uuid.UUID, data_class: DataClass, settled: datetime,
          at: datetime, items: int) -> None:
    row = session.get(ContentPurge, (signal_id, data_class.value))
    if row is None:
        session.add(ContentPurge(signal_id=signal_id, data_class=data_class.value, settled_at=settled,
                                 purged_at=at, items=items))
    else:
        row.settled_at, row.purged_at, row.items = settled, at, items


class LedgerPurgeMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.items = PromCounter("hotline_reporting_purged_items",
                                 "Items the retention purge removed from the delivery ledger, by class.",
                                 ["data_class"], registry=registry)
        for data_class in CLASSES:
            self.items.labels(data_class=data_class.value)

    def purged(self, data_class: DataClass, items: int) -> None:
        self.items.labels(data_class=data_class.value).inc(items)


def purge_once(purge: LedgerPurge, stop: asyncio.Event) -> LedgerPurgeRun | None:
    """One run, unless another replica is running one (None then). Blocking: run it in a thread."""
    with advisory_lock(purge.db.engine, PURGE_LOCK, wait=False) as held:
        return purge.run(stop=stop.is_set) if held else None


async def ledger_purge(purge: LedgerPurge, interval_s: float, stop: asyncio.Event) -> None:
    """Every ``interval_s``, on one replica at a time (an advisory lock)."""
    while not stop.is_set():
        try:
            result = await asyncio.to_thread(purge_once, purge, stop)
            if result is not None:
                log.info("retention purge ran", extra={"count": result.signals})
        except Exception as error:  # noqa: BLE001 - the schedule must keep running; the next run retries
            log.error("retention purge failed", extra={"error_class": type(error).__name__})
        try:
            await asyncio.wait_for(stop.wait(), interval_s)
        except TimeoutError:
            continue
