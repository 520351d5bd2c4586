"""The append-only audit trail: who read identifying data or decided what, chained by hashes.

Each row's ``hash`` is ``sha256(prev_hash + canonical JSON of {at, actor, action, case_id, detail})``
and ``prev_hash`` is the hash of the row before it (64 zeros for the first), so the rows form one
chain in ``seq`` order. The database refuses UPDATE, DELETE and TRUNCATE (a trigger, migration
0001); the chain catches what is done around the trigger by someone who can disable it:

* a changed row (its content no longer matches its hash);
* a deleted or moved row in the middle (the next row's ``prev_hash`` no longer matches);
* rows deleted from the start (the first row's ``prev_hash`` is not the genesis value).

What the chain alone cannot catch: someone who deletes or rewrites the *tail* and recomputes every
hash after the point of change leaves a chain that is consistent with itself. Only a head recorded
outside the database catches that: ops record ``head(db)`` (``hotline-review audit head``) somewhere
the database's administrators cannot write (the ops log, a ticket, a printed sheet), and later run
``verify(db, expect_head=(seq, hash))``, which fails if that row is missing or hashes differently.

What ``detail`` may hold: ids, codes and short staff-written reasons (the reason a supervisor
types to reveal who reported is allowed, capped at ``MAX_TEXT`` characters). Never narrative text,
never a reporter's name or contact details, never a password or token: the trail can not be
edited, so anything written into it stays there for good. ``append`` refuses long strings and
non-JSON values so that a mistake fails loudly in tests rather than quietly keeping content.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Text, cast, select, text
from sqlalchemy.orm import Session

from services.review.db import Database
from services.review.models import AuditEntry

__all__ = [
    "GENESIS",
    "MAX_TEXT",
    "AuditError",
    "AuditVerification",
    "append",
    "head",
    "verify",
]

GENESIS: Final = "0" * 64
MAX_TEXT: Final = 500  # longest string allowed anywhere in ``detail``
_MAX_DETAIL: Final = 64 * 1024  # the whole of ``detail`` as canonical JSON, in bytes
_MAX_DEPTH: Final = 4
# One constant key for the whole trail: every appender on PostgreSQL queues on it, so the last
# hash read under it is still the last hash when the row is inserted ("hotlineA" in ASCII).
_PG_LOCK_KEY: Final = 0x686F746C696E6541


class AuditError(Exception):
    """An entry that must not be written (content that is not ids/codes/short reasons), or a
    transaction in which appending could fork the chain."""


@dataclass(frozen=True)
class AuditVerification:
    """The outcome of ``verify``. ``rows_checked`` counts the rows read, the bad one included;
    ``head`` is the last good ``(seq, hash)`` when ``ok``."""

    ok: bool
    rows_checked: int
    first_bad_seq: int | None
    problem: str | None
    head: tuple[int, str] | None = None


# ------------------------------------------------------------------ writing

def append(session: Session, *, actor: str, action: str, case_id: uuid.UUID | None,
           detail: dict[str, Any], at: datetime) -> AuditEntry:
    """Add one entry to the trail inside the caller's transaction (it commits with the caller's work).

    Call it as the last database step of the transaction: on PostgreSQL it takes a transaction-wide
    advisory lock that every other appender waits for until this transaction ends. PostgreSQL
    transactions must run at READ COMMITTED (the default), otherwise the last hash read could be a
    stale snapshot; anything else is refused. On SQLite the transaction is started as
    ``BEGIN IMMEDIATE`` (the writer lock) when it has not written yet.
    """
    _check_name("actor", actor, 64)
    _check_name("action", action, 48)
    if at.tzinfo is None:
        raise AuditError("audit times must be timezone-aware")
    at = at.astimezone(UTC)
    _check_value(detail, "detail", 0)
    canonical_detail = _canonical(detail)
    if len(canonical_detail.encode("utf-8")) > _MAX_DETAIL:
        raise AuditError(f"audit detail is larger than {_MAX_DETAIL} bytes: ids and codes only")
    stored_detail: dict[str, Any] = json.loads(canonical_detail)  # exactly what was hashed

    _lock_chain(session)
    prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)) or GENESIS
    entry = AuditEntry(at=at, actor=actor, action=action, case_id=case_id, detail=stored_detail,
                       prev_hash=prev, hash=_entry_hash(prev, at=at, actor=actor, action=action,
                                                        case_id=case_id, detail=stored_detail))
    session.add(entry)
    session.flush()  # takes the seq now, while the chain is ours
    return entry


def _entry_hash(prev_hash: str, *, at: datetime, actor: str, action: str, case_id: uuid.UUID | None,
                detail: Any) -> str:
    """The chain's hash of one entry; ``seq`` is deliberately not covered (PostgreSQL sequences
    have gaps), the order is carried by ``prev_hash`` instead."""
    payload = {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "case_id": str(case_id) if case_id is not None else None,
        "detail": detail,
    }
    return hashlib.sha256((prev_hash + _canonical(payload)).encode("utf-8")).hexdigest()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _lock_chain(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        row = connection.execute(
            text("SELECT pg_advisory_xact_lock(:key), current_setting('transaction_isolation')"),
            {"key": _PG_LOCK_KEY}).one()
        if row[1] != "read committed":
            raise AuditError(f"audit entries need READ COMMITTED transactions, not {row[1]}: "
                             "a snapshot taken before the lock could fork the chain")
    elif connection.dialect.name == "sqlite":
        # pysqlite begins a (deferred) transaction only at the first write; until then reads are
        # not isolated from other writers. BEGIN IMMEDIATE takes the writer lock before we read.
        driver = connection.connection.driver_connection
        if driver is not None and not driver.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:  # pragma: no cover - the case store runs on PostgreSQL or SQLite only
        raise AuditError(f"no chain lock for {connection.dialect.name}")


def _check_name(what: str, value: str, limit: int) -> None:
    if not value or len(value) > limit or not value.isprintable():
        raise AuditError(f"audit {what} must be 1 to {limit} printable characters")


def _check_value(value: Any, where: str, depth: int) -> None:
    """ids, codes, numbers, flags and short reasons, in dicts and lists: nothing else."""
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise AuditError(f"{where}: not a finite number")
        return
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise AuditError(f"{where}: {len(value)} characters; the audit trail keeps ids, codes and "
                             f"reasons of at most {MAX_TEXT} characters, never narrative")
        if "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            raise AuditError(f"{where}: not storable text")
        return
    if depth >= _MAX_DEPTH:
        raise AuditError(f"{where}: nested deeper than {_MAX_DEPTH} levels")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise AuditError(f"{where}: keys must be strings, not {type(key).__name__}")
            _check_value(key, f"{where} key", depth + 1)
            _check_value(item, f"{where}.{key}", depth + 1)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_value(item, f"{where}[{index}]", depth + 1)
        return
    raise AuditError(f"{where}: {type(value).__name__} is not JSON; convert ids with str()")


# ------------------------------------------------------------------ checking

def head(db: Database) -> tuple[int, str]:
    """The last entry's ``(seq, hash)``, to be recorded outside the database; ``(0, GENESIS)`` if empty."""
    with db.read() as session:
        row = session.execute(select(AuditEntry.seq, AuditEntry.hash)
                              .order_by(AuditEntry.seq.desc()).limit(1)).first()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


def verify(db: Database, *, expect_head: tuple[int, str] | None = None,
           batch_size: int = 2000) -> AuditVerification:
    """Walk the whole chain in ``seq`` order, ``batch_size`` rows per short read (constant memory).

    Reports the first row where the chain breaks. With ``expect_head`` (a ``head`` recorded
    earlier) it also fails when that row is gone or hashes differently: the only way to catch a
    tail that was deleted, or rewritten with every hash recomputed. Entries appended while it runs
    are checked too, up to the batch that finds none.
    """
    if expect_head is not None and expect_head[0] == 0 and expect_head[1] != GENESIS:
        raise ValueError("a head at seq 0 is the empty trail, whose hash is 64 zeros")
    anchored = expect_head is None or expect_head[0] == 0
    prev_hash, prev_seq, checked = GENESIS, 0, 0
    columns = (AuditEntry.seq, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.case_id,
               cast(AuditEntry.detail, Text), AuditEntry.prev_hash, AuditEntry.hash)
    while True:
        with db.read() as session:
            rows = session.execute(select(*columns).where(AuditEntry.seq > prev_seq)
                                   .order_by(AuditEntry.seq).limit(batch_size)).all()
        if not rows:
            break
        for seq, at, actor, action, case_id, raw_detail, stored_prev, stored_hash in rows:
            checked += 1
            if expect_head is not None and not anchored and seq > expect_head[0]:
                return _bad(checked, expect_head[0], f"the recorded head seq {expect_head[0]} is missing: "
                                                     "it was deleted")
            problem = _row_problem(seq, at, actor, action, case_id, raw_detail, stored_prev, stored_hash,
                                   prev_hash=prev_hash, prev_seq=prev_seq)
            if problem is not None:
                return _bad(checked, seq, problem)
            if expect_head is not None and seq == expect_head[0]:
                if stored_hash != expect_head[1]:
                    return _bad(checked, seq, f"seq {seq} hashes differently from the recorded head: "
                                              "the trail was rewritten at or before it")
                anchored = True
            prev_hash, prev_seq = stored_hash, seq
    if not anchored and expect_head is not None:
        end = f"seq {prev_seq}" if prev_seq else "nothing (the trail is empty)"
        return _bad(checked, expect_head[0], f"the trail ends at {end} but the recorded head is seq "
                                             f"{expect_head[0]}: rows were removed from the end")
    return AuditVerification(ok=True, rows_checked=checked, first_bad_seq=None, problem=None,
                             head=(prev_seq, prev_hash))


def _row_problem(seq: int, at: datetime, actor: str, action: str, case_id: uuid.UUID | None,
                 raw_detail: str | None, stored_prev: str, stored_hash: str, *,
                 prev_hash: str, prev_seq: int) -> str | None:
    try:
        detail = json.loads(raw_detail) if raw_detail is not None else None
        recomputed = _entry_hash(stored_prev, at=at, actor=actor, action=action, case_id=case_id,
                                 detail=detail)
    except (ValueError, TypeError):
        return f"seq {seq}: the row cannot be read as written (detail or time is malformed)"
    if recomputed != stored_hash:
        return f"seq {seq}: the row does not match its hash: it was changed after it was written"
    if stored_prev != prev_hash:
        if prev_seq == 0:
            return (f"seq {seq}: the first row does not start the chain: rows before it were deleted, "
                    "or it was re-hashed")
        return (f"seq {seq}: prev_hash does not match the hash of seq {prev_seq}: a row between them "
                f"was deleted or moved, or seq {prev_seq} was changed and re-hashed")
    return None


def _bad(checked: int, seq: int, problem: str) -> AuditVerification:
    return AuditVerification(ok=False, rows_checked=checked, first_bad_seq=seq, problem=problem)
