"""A poll's signals applied to the case store set-based: one transaction, a few statements a batch.

One by one, a record costs about nine statements, each a round trip to the server (its event id,
its signal, its keys, its case, the case's signals, the flag overrides, the obligation, the
flushes). A batch reads what all of its records touch in one statement per table, groups the
signals in memory exactly as one by one would (the same keys, strongest first, the first case to
claim a key keeping it), recomputes each touched case once at the end, and writes in bulk.

The rare record that would move a signal between cases (its triage came first and opened a case
of its own) is applied by the one-by-one code in the same transaction, after everything before
it was written out, and the batch reads afresh what follows it: those moves update rows the
batch's memory would otherwise hold stale.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from sqlalchemy import ARRAY, ColumnElement, any_, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from contracts.events import SignalReceived, SignalTriaged
from services.review.case_change import CaseChange, attachment_rows, fill_received, keys_of, triage_keys
from services.review.db import Database
from services.review.models import Attachment, Case, CaseKey, CaseLink, CaseObligation, Decision, Signal


class Store(Protocol):
    """What a batch uses of ``CaseStore`` (which builds it): the one-by-one parts it shares."""

    db: Database

    def _received(self, session: Session, signal: SignalReceived) -> CaseChange: ...

    def _case_row(self, reference_number: str, received_at: datetime) -> Case: ...

    def _recompute(self, session: Session, case: Case, signals: Sequence[Signal],
                   overrides: Callable[[], dict[str, bool]], *, obligation: CaseObligation | None,
                   applies: int) -> None: ...


# What ``CaseStore._recompute`` may change on a case.
_RECOMPUTED = ("urgency", "urgency_rank", "triaged", "call_type", "trafficking_type", "state", "city",
               "minor", "imminent_danger", "break_glass", "sla_due_at", "ack_due_at", "updated_at", "version")


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
        self._signals: dict[uuid.UUID, Signal] = {}
        self._keys: dict[str, uuid.UUID] = {}
        self._cases: dict[uuid.UUID, Case] = {}
        self._new_cases: set[uuid.UUID] = set()
        self._joined: dict[uuid.UUID, list[Signal]] = defaultdict(list)  # not yet written, per case
        self._applies: dict[uuid.UUID, int] = {}  # per touched case, the records applied to it
        self._key_rows: list[dict[str, Any]] = []
        self._attachment_rows: list[dict[str, Any]] = []
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
        """Every signal, key and case the records name: one statement each (merged cases aside)."""
        self._signals.clear()
        self._keys.clear()
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
        for signal in self._session.scalars(select(Signal).where(self._among(Signal.signal_id, ids))):
            self._signals[signal.signal_id] = signal
        for key, case_id in self._session.execute(select(CaseKey.key, CaseKey.case_id)
                                                  .where(self._among(CaseKey.key, keys))):
            self._keys[key] = case_id
        wanted = set(self._keys.values()) | {s.case_id for s in self._signals.values()}
        while wanted - self._cases.keys():  # a merged case's successor, and its successor...
            loaded = list(self._session.scalars(select(Case).where(
                self._among(Case.id, wanted - self._cases.keys()))))
            self._cases.update((case.id, case) for case in loaded)
            wanted = {case.merged_into for case in loaded if case.merged_into is not None}

    def _among(self, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
        """``column IN values``; on PostgreSQL one array parameter (``= ANY``), so that the statement's
        text is the same for every batch and psycopg parses it once, not once per batch."""
        if self._store.db.is_postgres:
            return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))  # type: ignore[no-any-return]
        return column.in_(values)  # type: ignore[no-any-return]

    def _case_for(self, keys: Sequence[str]) -> Case | None:
        for key in keys:  # strongest first
            if key in self._keys:
                case: Case | None = self._cases.get(self._keys[key])
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
        fill_received(existing, signal)
        self._attachment_rows += attachment_rows(signal, target.id)
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
            existing.triage = triaged.model_dump(mode="json")
            existing.urgency = triaged.urgency.value
            existing.call_type = triaged.call_type.value
            existing.rules_version = triaged.rules_version
        for link in triaged.linked_signals:
            other = self._signals.get(link.signal_id)
            if other is None or other.case_id == target.id:
                continue
            reason = "shared:" + ",".join(sorted(kind.value for kind in link.shared))
            for pair in ((target.id, other.case_id), (other.case_id, target.id)):
                self._link_rows.setdefault(pair, reason)  # an existing link stays as it is
        return self._touch(target, created)

    def _new_case(self, reference_number: str, event: SignalReceived | SignalTriaged) -> Case:
        case = self._store._case_row(reference_number, event.received_at)
        self._session.add(case)
        self._cases[case.id] = case
        self._new_cases.add(case.id)
        return case

    def _new_signal(self, event: SignalReceived | SignalTriaged, target: Case) -> Signal:
        signal = Signal(signal_id=event.signal_id, case_id=target.id, reference_number=event.reference_number,
                        channel=event.channel.value, received_at=event.received_at)
        self._session.add(signal)
        self._signals[signal.signal_id] = signal
        self._joined[target.id].append(signal)
        return signal

    def _add_keys(self, case_id: uuid.UUID, keys: Sequence[str]) -> None:
        for key in dict.fromkeys(keys):
            if key not in self._keys:  # a key already held stays with its case (insert-or-ignore)
                self._keys[key] = case_id
                self._key_rows.append({"key": key, "case_id": case_id})

    def _touch(self, case: Case, created: bool) -> _Pending:
        self._applies[case.id] = self._applies.get(case.id, 0) + 1
        return _Pending(case.id, created)

    # ------------------------------------------------------------ recompute once, write in bulk

    def _write(self, results: list[CaseChange | _Pending]) -> None:
        """Recompute each touched case once, write everything out, and settle the pending changes."""
        if not self._applies:
            return
        session = self._session
        stored = [case_id for case_id in self._applies if case_id not in self._new_cases]
        members: dict[uuid.UUID, dict[uuid.UUID, Signal]] = defaultdict(dict)
        overrides: dict[uuid.UUID, dict[str, bool]] = defaultdict(dict)
        owed: dict[uuid.UUID, CaseObligation] = {}
        # Read before writing: what this batch added is in memory, and stays out of the reads.
        with session.no_autoflush:
            if stored:
                for signal in session.scalars(select(Signal).where(self._among(Signal.case_id, stored))):
                    members[signal.case_id][signal.signal_id] = signal
                for case_id, detail in session.execute(
                        select(Decision.case_id, Decision.detail).where(
                            self._among(Decision.case_id, stored), Decision.kind == "flag_override",
                            Decision.status == "effective").order_by(Decision.decided_at, Decision.id)):
                    overrides[case_id][str(detail["flag"])] = bool(detail["value"])  # the latest wins
                owed = {row.case_id: row for row in session.scalars(
                    select(CaseObligation).where(self._among(CaseObligation.case_id, stored)))}
            for case_id, applies in self._applies.items():
                case = self._cases[case_id]
                for signal in self._joined.get(case_id, ()):
                    members[case_id][signal.signal_id] = signal
                signals = sorted(members[case_id].values(), key=lambda s: s.received_at)
                self._store._recompute(session, case, signals, partial(dict, overrides[case_id]),
                                       obligation=owed.get(case_id), applies=applies)
                if case_id not in self._new_cases:
                    # Every stored case's UPDATE names the same columns, changed or not: the flush
                    # then sends them all as one executemany, not one run per set of changed columns.
                    for column in _RECOMPUTED:
                        flag_modified(case, column)
        session.flush()  # the cases first: keys, attachments and links point at them
        for model, rows in ((CaseKey, self._key_rows), (Attachment, self._attachment_rows),
                            (CaseLink, [{"case_id": a, "other_case_id": b, "reason": reason}
                                        for (a, b), reason in self._link_rows.items()])):
            if rows:  # one small statement sent for every row at once (psycopg pipelines executemany)
                insert = pg_insert if self._store.db.is_postgres else sqlite_insert
                session.connection().execute(insert(model).on_conflict_do_nothing(), rows)
        for at, result in enumerate(results):
            if isinstance(result, _Pending):
                case = self._cases[result.case_id]
                results[at] = CaseChange(case.id, case.reference_number, case.urgency, result.created)
        self._applies.clear()
        self._new_cases.clear()
        self._joined.clear()
        self._key_rows, self._attachment_rows, self._link_rows = [], [], {}
