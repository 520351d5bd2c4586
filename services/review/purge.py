"""The retention purge of the case store: removes each class of a closed case's content once its
period has run, keeping only the de-identified facts the public statistics count.

What stays on a purged case: its reference number, status, call type, trafficking type, state,
urgency, flags (minor, imminent danger), opening and closing times, decisions' kinds and the audit
trail; on each signal its channel, receipt time, triage's codes and the victims' counts, ages,
genders and nationalities. What goes, class by class, is in ``_PURGERS``.

Safe to interrupt and to run twice: each case is one transaction that re-reads the case under a
row lock (closed? held? which classes are done for this closing?), so a case reopened or put on
hold since the candidates were listed is left alone, and a class is recorded done in the same
transaction that removed it. Blobs are deleted before that transaction commits: a crash in between
leaves rows pointing at missing files, which the next run removes; the other order could leave
files nobody would ever delete.
"""

from __future__ import annotations

import errno
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.review import audit
from services.review.db import Database
from services.review.models import (
    Attachment,
    Case,
    CasePurge,
    ContactAttempt,
    Decision,
    LegalHold,
    Signal,
    TextReply,
)
from services.review.outbox_prune import prune_published
from services.runtime.blobs import blob_path, is_blob_name
from services.runtime.retention import DataClass, Schedule

__all__ = ["PURGE_LOCK", "CaseDue", "Purge", "PurgeRun", "closing_times", "removed"]

log = logging.getLogger(__name__)

PURGE_LOCK: Final = "review.retention-purge"
ACTOR: Final = "retention"
# What of a reporter stays: whether they were anonymous, consented, their role and language.
_REPORTER_KEPT: Final = ("role", "anonymous", "consent_to_contact", "consent_to_share", "preferred_language")
# Keys of a signal's source that identify a person or a message (a keyed hash of a number still
# links a texter's later texts to this case: a purged case must not).
_SOURCE_CONTACT: Final = ("caller_key", "sender_key", "message_id")


class PurgeBlocked(Exception):
    """A class could not be removed (a blob store not writable): it stays due and is retried."""


@dataclass(frozen=True)
class CaseDue:
    case_id: uuid.UUID
    reference_number: str
    closed_at: datetime
    classes: tuple[DataClass, ...]


@dataclass
class PurgeRun:
    """What a run did (or, dry, would do): counts only."""

    cases: int = 0
    items: Counter[DataClass] = field(default_factory=Counter)
    blobs_deleted: int = 0
    held: int = 0
    blocked: int = 0
    outbox_rows: int = 0  # published events removed from the outbox (see ``outbox_prune``)
    planned: list[CaseDue] = field(default_factory=list)


def closing_times(session: Session, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """When each closed case was last closed: its latest effective close decision."""
    rows = session.execute(select(Decision.case_id, func.max(Decision.decided_at))
                           .where(Decision.case_id.in_(case_ids), Decision.kind == "close",
                                  Decision.status == "effective")
                           .group_by(Decision.case_id)).all()
    return {case_id: at for case_id, at in rows}


def removed(db: Database, case_id: uuid.UUID) -> list[tuple[DataClass, datetime]]:
    """What the purge has removed from a case, and when: the case page says so, so that an empty
    narrative is not taken for a fault."""
    with db.read() as session:
        rows = session.execute(select(CasePurge.data_class, CasePurge.purged_at)
                               .where(CasePurge.case_id == case_id)).all()
    order = list(DataClass)
    return sorted(((DataClass(name), at) for name, at in rows), key=lambda row: order.index(row[0]))


class Purge:
    def __init__(self, db: Database, schedule: Schedule, blob_dirs: Sequence[Path], *,
                 now: Callable[[], datetime], batch: int = 50,
                 on_purged: Callable[[DataClass, int], None] = lambda _c, _n: None) -> None:
        self.db = db
        self.schedule = schedule
        self.blob_dirs = tuple(dict.fromkeys(blob_dirs))
        self._now = now
        self._batch = batch
        self._on_purged = on_purged

    # ------------------------------------------------------------ listing

    def due(self, at: datetime) -> Iterator[CaseDue]:
        """Closed cases with a class due at ``at``, in batches by id (constant memory)."""
        earliest = self.schedule.earliest()
        if earliest is None:
            return
        after: uuid.UUID | None = None
        while True:
            with self.db.read() as session:
                query = (select(Case.id, Case.reference_number)
                         .outerjoin(LegalHold, LegalHold.case_id == Case.id)
                         .where(Case.status == "closed", LegalHold.case_id.is_(None))
                         .order_by(Case.id).limit(self._batch))
                if after is not None:
                    query = query.where(Case.id > after)
                rows = session.execute(query).all()
                if not rows:
                    return
                after = rows[-1][0]
                closed = closing_times(session, [row[0] for row in rows])
                done = _done(session, closed)
                held = held_through_merges(session)
            for case_id, reference in rows:
                if case_id in held:
                    continue
                closed_at = closed.get(case_id)
                classes = self.schedule.due(closed_at, at, held=False, done=done.get(case_id, ()))
                if closed_at is not None and classes:
                    yield CaseDue(case_id, reference, closed_at, tuple(classes))

    def held(self) -> int:
        with self.db.read() as session:
            return int(session.scalar(select(func.count()).select_from(LegalHold)) or 0)

    # ------------------------------------------------------------ purging

    def run(self, *, dry_run: bool = False, stop: Callable[[], bool] = lambda: False,
            progress: Callable[[int], None] = lambda _n: None) -> PurgeRun:
        """Purge every due class of every closed, unheld case; ``stop`` ends the run between cases."""
        result = PurgeRun(held=self.held())
        at = self._now()
        for seen, case in enumerate(self.due(at), start=1):
            if stop():
                break
            if dry_run:
                result.planned.append(case)
                result.cases += 1
                result.items.update({c: 1 for c in case.classes})
            else:
                self._one(case.case_id, result)
            progress(seen)
        earliest = self.schedule.earliest()
        if not dry_run and earliest is not None and not stop():
            result.outbox_rows = prune_published(self.db, at - earliest)
        return result

    def _one(self, case_id: uuid.UUID, result: PurgeRun) -> None:
        purged: list[tuple[DataClass, int]] = []
        with self.db.transaction() as session:
            case = session.scalar(select(Case).where(Case.id == case_id).with_for_update())
            if case is None or case.status != "closed" or case_id in held_through_merges(session):
                return  # reopened, merged or held since it was listed
            at = self._now()
            closed_at = closing_times(session, [case_id]).get(case_id)
            if closed_at is None:
                return  # closed without a close decision: only an edit by hand does that
            done = _done(session, {case_id: closed_at}).get(case_id, ())
            for data_class in self.schedule.due(closed_at, at, held=False, done=done):
                try:
                    items = _PURGERS[data_class](self, session, case)
                except PurgeBlocked:
                    result.blocked += 1
                    log.error("retention purge blocked", extra={"reference_number": case.reference_number,
                                                                "field": data_class.value})
                    continue
                _mark(session, case_id, data_class, closed_at, at, items)
                audit.append(session, actor=ACTOR, action="retention_purge", case_id=case_id, at=at,
                             detail={"data_class": data_class.value, "items": items,
                                     "closed_at": closed_at.isoformat()})
                purged.append((data_class, items))
        if purged:
            result.cases += 1
        for data_class, items in purged:
            result.items[data_class] += items
            self._on_purged(data_class, items)

    # ------------------------------------------------------------ the classes

    def _contact(self, session: Session, case: Case) -> int:
        items = 0
        for signal in _signals(session, case.id):
            reporter = signal.reporter or {}
            kept: dict[str, Any] = {key: reporter[key] for key in _REPORTER_KEPT if key in reporter}
            source = dict(signal.source or {})
            stripped = {key: None for key in _SOURCE_CONTACT if source.get(key) is not None}
            if kept != reporter or stripped:
                signal.reporter = kept
                signal.source = {**source, **stripped}
                items += 1
        for attempt in session.scalars(select(ContactAttempt).where(ContactAttempt.case_id == case.id,
                                                                    ContactAttempt.override_reason.is_not(None))):
            attempt.override_reason = None
            items += 1
        return items

    def _attachments(self, session: Session, case: Case) -> int:
        rows = list(session.scalars(select(Attachment).where(Attachment.case_id == case.id)))
        shared = set(session.scalars(select(Attachment.sha256).where(
            Attachment.sha256.in_([row.sha256 for row in rows]), Attachment.case_id != case.id)))
        # The same bytes sent about another case (a photo forwarded twice) stay until that case's go.
        self._delete_blobs({row.sha256 for row in rows} - shared)
        for row in rows:
            session.delete(row)
        for signal in _signals(session, case.id):
            if signal.attachments:
                signal.attachments = []
        return len(rows)

    def _raw_email(self, session: Session, case: Case) -> int:
        names = {str(signal.source["raw_sha256"]) for signal in _signals(session, case.id)
                 if signal.channel == "email" and isinstance(signal.source, dict)
                 and is_blob_name(str(signal.source.get("raw_sha256") or ""))}
        self._delete_blobs(names)
        return len(names)

    def _narrative(self, session: Session, case: Case) -> int:
        items = 0
        for signal in _signals(session, case.id):
            if signal.narrative or signal.subject:
                items += 1
            signal.narrative, signal.subject = None, None
            if signal.facts:
                signal.facts = _facts_without_words(signal.facts)
            if signal.triage:
                signal.triage = _without(signal.triage, {"matched_text", "city", "description"})
        replies = select(TextReply).where(TextReply.case_id == case.id, TextReply.body != "")
        for reply in session.scalars(replies):
            reply.body = ""
            items += 1
        case.city = None
        return items

    def _delete_blobs(self, names: set[str]) -> None:
        for name in sorted(names):
            for root in self.blob_dirs:
                path = blob_path(root, name)
                try:
                    path.unlink()
                except FileNotFoundError:
                    continue
                except OSError as error:
                    raise PurgeBlocked(errno.errorcode.get(error.errno or 0, "OSError")) from error


_PURGERS: Final[dict[DataClass, Callable[[Purge, Session, Case], int]]] = {
    DataClass.CONTACT: Purge._contact,
    DataClass.ATTACHMENTS: Purge._attachments,
    DataClass.RAW_EMAIL: Purge._raw_email,
    DataClass.NARRATIVE: Purge._narrative,
}


def held_through_merges(session: Session) -> set[uuid.UUID]:
    """Cases on hold, and every case a held case was merged into (its signals now live there): a
    hold placed before a merge still keeps what it was placed on."""
    held: set[uuid.UUID] = set(session.scalars(select(LegalHold.case_id)))
    frontier = set(held)
    while frontier:  # merges chain (A into B, B into C): follow them to the case that holds the signals
        targets = set(session.scalars(select(Case.merged_into).where(Case.id.in_(frontier),
                                                                     Case.merged_into.is_not(None))))
        frontier = {t for t in targets if t is not None} - held
        held |= frontier
    return held


def _signals(session: Session, case_id: uuid.UUID) -> list[Signal]:
    return list(session.scalars(select(Signal).where(Signal.case_id == case_id).order_by(Signal.signal_id)))


def _done(session: Session, closed: dict[uuid.UUID, datetime]) -> dict[uuid.UUID, set[DataClass]]:
    """The classes already purged for each case's current closing (a later closing starts afresh)."""
    done: dict[uuid.UUID, set[DataClass]] = {}
    if not closed:
        return done
    for row in session.scalars(select(CasePurge).where(CasePurge.case_id.in_(list(closed)))):
        if row.closed_at >= closed[row.case_id]:
            done.setdefault(row.case_id, set()).add(DataClass(row.data_class))
    return done


def _mark(session: Session, case_id: uuid.UUID, data_class: DataClass, closed_at: datetime,
          at: datetime, items: int) -> None:
    row = session.get(CasePurge, (case_id, data_class.value))
    if row is None:
        session.add(CasePurge(case_id=case_id, data_class=data_class.value, closed_at=closed_at,
                              purged_at=at, items=items))
    else:
        row.closed_at, row.purged_at, row.items = closed_at, at, items


def _facts_without_words(facts: dict[str, Any]) -> dict[str, Any]:
    # The victims' counts, ages, genders and nationalities and the state are statistics; a city,
    # a postcode or a described place can point at one house.
    location = facts.get("location")
    if isinstance(location, dict):
        location = {key: value for key, value in location.items() if key in ("country", "state")}
    return {**facts, "location": location}


def _without(value: Any, keys: set[str]) -> Any:
    if isinstance(value, dict):
        return {key: (None if key in keys else _without(item, keys)) for key, item in value.items()}
    if isinstance(value, list):
        return [_without(item, keys) for item in value]
    return value
