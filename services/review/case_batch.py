"""A poll's signals applied to the case store set-based: one transaction, a few statements a batch.

One by one, a record costs about nine statements, each a round trip to the server (its event id,
its signal, its keys, its case, the case's signals, the flag overrides, the obligation, the
flushes). A batch reads what all of its records touch in one statement per table, groups the
signals in memory exactly as one by one would (the same keys, strongest first, the first case to
claim a key keeping it), recomputes each touched case once at the end, and writes in bulk.

The batch works on plain rows with SQLAlchemy Core (``case_rows``, ``case_sql``), not on ORM
objects: reads return the columns a recompute needs, each JSON value is encoded once, and each
table gets one bulk statement. Only the rare obligation (a minor) goes through the ORM, as one by
one keeps it.

The rare record that would move a signal between cases (its triage came first and opened a case
of its own) is applied by the one-by-one code in the same transaction, after everything before
it was written out, and the batch reads afresh what follows it: those moves update rows the
batch's memory would otherwise hold stale.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol, cast

from sqlalchemy import ARRAY, ColumnElement, Table, any_, bindparam, select
from sqlalchemy.orm import Session

from contracts.events import SignalReceived, SignalTriaged
from services.review.case_change import CaseChange, attachment_rows, keys_of, triage_keys
from services.review.case_rows import (
    CASE_COLUMNS,
    RECEIVED_COLUMNS,
    RECOMPUTED,
    TRIAGE_COLUMNS,
    CaseRow,
    SignalRow,
    received_values,
)
from services.review.case_sql import insert_ignore, insert_new, update_rows
from services.review.case_view import Clock, keep_obligation, view
from services.review.db import Database
from services.review.models import Attachment, Case, CaseKey, CaseLink, CaseObligation, Decision, Signal


class Store(Protocol):
    """What a batch uses of ``CaseStore`` (which builds it): the one-by-one parts it shares."""

    db: Database
    _clock: Clock

    def _received(self, session: Session, signal: SignalReceived) -> CaseChange: ...

    def new_case_values(self, reference_number: str, received_at: datetime) -> dict[str, Any]: ...


_CASES = cast(Table, Case.__table__)
_SIGNALS = cast(Table, Signal.__table__)
_KEYS = cast(Table, CaseKey.__table__)
_ATTACHMENTS = cast(Table, Attachment.__table__)
_LINKS = cast(Table, CaseLink.__table__)
# What a batch reads of a signal (``SignalRow``'s first fields, in this order).
_SIGNAL_FACTS = (Signal.signal_id, Signal.case_id, Signal.received_at, Signal.triage, Signal.urgency,
                 Signal.alerted_at)
# The columns of a signal a batch inserts.
_NEW_SIGNAL = ("signal_id", "case_id", "reference_number", "channel", "received_at", *RECEIVED_COLUMNS,
               *TRIAGE_COLUMNS)
_NOT_RECEIVED = (None,) * len(RECEIVED_COLUMNS)  # a signal its triage opened: SQL NULL until it arrives
_NOT_TRIAGED = (None,) * len(TRIAGE_COLUMNS)


@dataclass(frozen=True)
class _Pending:
    """A record applied in memory: its change is known once its case is recomputed."""

    case_id: uuid.UUID
    created: bool


class SignalBatch:
    """The records of one ``signals.received`` or ``signals.triaged`` poll, in one session."""

    def __init__(self, store: Store, session: Session) -> None:
        self._store = store
        self._session = session
        self._postgres = store.db.is_postgres
        self._signals: dict[uuid.UUID, SignalRow] = {}
        self._keys: dict[str, uuid.UUID] = {}
        self._cases: dict[uuid.UUID, CaseRow] = {}
        self._new_cases: dict[uuid.UUID, dict[str, Any]] = {}  # their columns a recompute leaves alone
        self._new_signals: dict[uuid.UUID, SignalRow] = {}
        self._received_again: dict[uuid.UUID, SignalRow] = {}  # stored signals a received record fills
        self._triaged_again: dict[uuid.UUID, SignalRow] = {}  # stored signals a newer triage updates
        self._joined: dict[uuid.UUID, list[SignalRow]] = defaultdict(list)  # not yet written, per case
        self._applies: dict[uuid.UUID, int] = {}  # per touched case, the records applied to it
        self._key_rows: list[tuple[str, uuid.UUID]] = []
        self._attachment_rows: list[tuple[Any, ...]] = []
        self._link_rows: dict[tuple[uuid.UUID, uuid.UUID], str] = {}

    def apply(self, events: Sequence[SignalReceived | SignalTriaged]) -> list[CaseChange]:
        """Each event applied once, in order (the caller dropped those applied before)."""
        results: list[CaseChange | _Pending] = []
        self._read(events)
        for at, event in enumerate(events):
            if isinstance(event, SignalReceived):
                done = self._received(event)
                if done is None:  # a move: the one-by-one code, on a store written up to here
                    self._write(results)
                    results.append(self._store._received(self._session, event))
                    self._session.flush()  # what it changed, before the batch reads again
                    self._read(events[at + 1:])
                    continue
                results.append(done)
            else:
                results.append(self._triaged(event))
        self._write(results)
        changes = [r for r in results if not isinstance(r, _Pending)]
        if len(changes) != len(events):  # every record settled by the last write; never otherwise
            raise RuntimeError("a batch record was left without its change")
        return changes

    # ------------------------------------------------------------ reading what the batch touches

    def _read(self, events: Sequence[SignalReceived | SignalTriaged]) -> None:
        """Every signal, key and case the records name: one statement each (merged cases aside).
        Nothing is pending when it runs (the batch starts, or was written out): it forgets all."""
        self._signals.clear()
        self._keys.clear()
        self._cases.clear()
        if not events:
            return
        ids = {event.signal_id for event in events}
        keys: set[str] = set()
        for event in events:
            if isinstance(event, SignalReceived):
                keys.update(keys_of(event))
            else:
                keys.update(triage_keys(event.signal_id, event.reference_number))
                ids.update(link.signal_id for link in event.linked_signals)
        session = self._session
        for row in session.execute(select(*_SIGNAL_FACTS).where(self._among(Signal.signal_id, ids))):
            self._signals[row[0]] = SignalRow(*row)
        for key, case_id in session.execute(select(CaseKey.key, CaseKey.case_id)
                                             .where(self._among(CaseKey.key, keys))):
            self._keys[key] = case_id
        wanted = set(self._keys.values()) | {s.case_id for s in self._signals.values()}
        columns = [_CASES.c[name] for name in CASE_COLUMNS]
        while wanted - self._cases.keys():  # a merged case's successor, and its successor...
            loaded = [CaseRow(*row) for row in session.execute(select(*columns).where(
                self._among(Case.id, wanted - self._cases.keys())))]
            self._cases.update((case.id, case) for case in loaded)
            wanted = {case.merged_into for case in loaded if case.merged_into is not None}

    def _among(self, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
        """``column IN values``; on PostgreSQL one array parameter (``= ANY``), so that the statement's
        text is the same for every batch and psycopg parses it once, not once per batch."""
        if self._postgres:
            return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))  # type: ignore[no-any-return]
        return column.in_(values)  # type: ignore[no-any-return]

    def _case_for(self, keys: Sequence[str]) -> CaseRow | None:
        for key in keys:  # strongest first
            if key in self._keys:
                case = self._cases.get(self._keys[key])
                while case is not None and case.merged_into is not None:  # where the case lives now
                    case = self._cases.get(case.merged_into)
                return case
        return None

    # ------------------------------------------------------------ the records, in memory

    def _received(self, signal: SignalReceived) -> _Pending | None:
        existing = self._signals.get(signal.signal_id)
        keys = keys_of(signal)
        target = self._case_for(keys)
        created = False
        if existing is None:
            if target is None:
                target, created = self._new_case(signal.reference_number, signal), True
            existing = self._new_signal(signal, target)
        elif target is not None and target.id != existing.case_id:
            return None
        else:
            target = self._cases[existing.case_id]
            if existing.signal_id not in self._new_signals:
                self._received_again[existing.signal_id] = existing
        existing.received = received_values(signal)
        self._attachment_rows += [tuple(row.values()) for row in attachment_rows(signal, target.id)]
        self._add_keys(target.id, keys)
        return self._touch(target, created)

    def _triaged(self, triaged: SignalTriaged) -> _Pending:
        existing = self._signals.get(triaged.signal_id)
        created = False
        if existing is None:
            keys = triage_keys(triaged.signal_id, triaged.reference_number)
            target = self._case_for(keys)
            if target is None:
                target, created = self._new_case(triaged.reference_number, triaged), True
            existing = self._new_signal(triaged, target)
            self._add_keys(target.id, keys)
        else:
            target = self._cases[existing.case_id]
        previous = existing.triage
        if previous is None or previous.get("triaged_at", "") <= triaged.triaged_at.isoformat():
            existing.take_triage(triaged)
            if existing.signal_id not in self._new_signals:
                self._triaged_again[existing.signal_id] = existing
        for link in triaged.linked_signals:
            other = self._signals.get(link.signal_id)
            if other is None or other.case_id == target.id:
                continue
            reason = "shared:" + ",".join(sorted(kind.value for kind in link.shared))
            for pair in ((target.id, other.case_id), (other.case_id, target.id)):
                self._link_rows.setdefault(pair, reason)  # an existing link stays as it is
        return self._touch(target, created)

    def _new_case(self, reference_number: str, event: SignalReceived | SignalTriaged) -> CaseRow:
        values = self._store.new_case_values(reference_number, event.received_at)
        case = CaseRow(*(values[name] for name in CASE_COLUMNS))
        self._cases[case.id] = case
        self._new_cases[case.id] = values
        return case

    def _new_signal(self, event: SignalReceived | SignalTriaged, target: CaseRow) -> SignalRow:
        signal = SignalRow(event.signal_id, target.id, event.received_at, None, None, None,
                           reference_number=event.reference_number, channel=event.channel.value)
        self._signals[signal.signal_id] = signal
        self._new_signals[signal.signal_id] = signal
        self._joined[target.id].append(signal)
        return signal

    def _add_keys(self, case_id: uuid.UUID, keys: Sequence[str]) -> None:
        for key in dict.fromkeys(keys):
            if key not in self._keys:  # a key already held stays with its case (insert-or-ignore)
                self._keys[key] = case_id
                self._key_rows.append((key, case_id))

    def _touch(self, case: CaseRow, created: bool) -> _Pending:
        self._applies[case.id] = self._applies.get(case.id, 0) + 1
        return _Pending(case.id, created)

    # ------------------------------------------------------------ recompute once, write in bulk

    def _write(self, results: list[CaseChange | _Pending]) -> None:
        """Recompute each touched case once, write everything out, and settle the pending changes."""
        if not self._applies:
            return
        session = self._session
        stored = [case_id for case_id in self._applies if case_id not in self._new_cases]
        members: dict[uuid.UUID, dict[uuid.UUID, SignalRow]] = defaultdict(dict)
        overrides: dict[uuid.UUID, dict[str, bool]] = defaultdict(dict)
        owed: dict[uuid.UUID, CaseObligation] = {}
        # Read before writing: what this batch added is in memory, and stays out of the reads.
        if stored:
            for row in session.execute(select(*_SIGNAL_FACTS).where(self._among(Signal.case_id, stored))):
                # A signal this batch holds is the batch's (changed in memory); the others as stored.
                members[row[1]][row[0]] = self._signals.get(row[0]) or SignalRow(*row)
            for case_id, detail in session.execute(
                    select(Decision.case_id, Decision.detail).where(
                        self._among(Decision.case_id, stored), Decision.kind == "flag_override",
                        Decision.status == "effective").order_by(Decision.decided_at, Decision.id)):
                overrides[case_id][str(detail["flag"])] = bool(detail["value"])  # the latest wins
            owed = {row.case_id: row for row in session.scalars(
                select(CaseObligation).where(self._among(CaseObligation.case_id, stored)))}
        clock = self._store._clock
        obliged: list[tuple[CaseRow, list[SignalRow]]] = []
        for case_id, applies in self._applies.items():
            case = self._cases[case_id]
            for signal in self._joined.get(case_id, ()):
                members[case_id][signal.signal_id] = signal
            signals = sorted(members[case_id].values(), key=lambda s: s.received_at)
            if view(case, signals, partial(dict, overrides[case_id]), clock, applies=applies):
                obliged.append((case, signals))
        self._write_rows()
        for case, signals in obliged:  # after the case rows: an obligation opened points at its case
            keep_obligation(session, case, signals, clock, owed.get(case.id))
        session.flush()
        session.expire_all()  # ORM objects a move loaded may hold rows written above: read them afresh
        for at, result in enumerate(results):
            if isinstance(result, _Pending):
                case = self._cases[result.case_id]
                results[at] = CaseChange(case.id, case.reference_number, case.urgency, result.created)
        self._applies.clear()
        self._new_cases.clear()
        self._new_signals.clear()
        self._received_again.clear()
        self._triaged_again.clear()
        self._joined.clear()
        self._key_rows, self._attachment_rows, self._link_rows = [], [], {}

    def _write_rows(self) -> None:
        """One statement a table: new cases, then what points at them, then the updates."""
        session, postgres = self._session, self._postgres
        new_cases = [{**values, **self._cases[case_id].recomputed()}
                     for case_id, values in self._new_cases.items()]
        if new_cases:
            columns = list(new_cases[0])
            insert_new(session, _CASES, columns, [[case[c] for c in columns] for case in new_cases],
                       postgres=postgres)
        # A signal another writer stored since this batch read (a replica applying its triage, or
        # its record, at the same moment) refuses the batch: left out, the record's content (its
        # narrative, its source) would be lost and its event marked applied. Applied again one by
        # one, the record finds the stored signal and fills it.
        insert_new(session, _SIGNALS, _NEW_SIGNAL, [
            (s.signal_id, s.case_id, s.reference_number, s.channel, s.received_at,
             *(s.received or _NOT_RECEIVED), *(s.triage_values() if s.triage_json else _NOT_TRIAGED))
            for s in self._new_signals.values()], postgres=postgres)
        update_rows(session, _SIGNALS, "signal_id", RECEIVED_COLUMNS, [
            (s.signal_id, *_as_updated(s.received)) for s in self._received_again.values()],
            postgres=postgres)
        update_rows(session, _SIGNALS, "signal_id", TRIAGE_COLUMNS, [
            (s.signal_id, *s.triage_values()) for s in self._triaged_again.values()], postgres=postgres)
        update_rows(session, _CASES, "id", RECOMPUTED, [
            (case_id, *self._cases[case_id].recomputed().values())
            for case_id in self._applies if case_id not in self._new_cases], postgres=postgres)
        insert_ignore(session, _KEYS, ("key", "case_id"), self._key_rows, postgres=postgres)
        insert_ignore(session, _ATTACHMENTS, ("sha256", "signal_id", "case_id", "media_type",
                                              "size_bytes"), self._attachment_rows, postgres=postgres)
        insert_ignore(session, _LINKS, ("case_id", "other_case_id", "reason"),
                      [(a, b, reason) for (a, b), reason in self._link_rows.items()], postgres=postgres)


def _as_updated(received: tuple[Any, ...] | None) -> tuple[Any, ...]:
    """``RECEIVED_COLUMNS`` as one by one leaves a stored signal: the ORM writes an absent ``related``
    as JSON null when it inserts a signal but as SQL NULL when it updates one."""
    if received is None:
        return _NOT_RECEIVED
    return (*received[:-1], None if received[-1] == "null" else received[-1])
