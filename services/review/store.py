"""The skeleton's case store (SQLite): applying an event is idempotent by its event id."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from contracts.events import SignalTriaged

_SCHEMA = """
CREATE TABLE IF NOT EXISTS applied_events (
    event_id   TEXT PRIMARY KEY,
    signal_id  TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE IF NOT EXISTS cases (
    signal_id        TEXT PRIMARY KEY,
    reference_number TEXT NOT NULL,
    urgency          TEXT NOT NULL,
    call_type        TEXT NOT NULL,
    flags            TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    sla_due_at       TEXT NOT NULL,
    rules_version    TEXT NOT NULL,
    revision         INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class CaseRow:
    signal_id: str
    reference_number: str
    urgency: str
    call_type: str
    flags: list[str]
    sla_due_at: str
    revision: int


class CaseStore:
    """One SQLite connection used from a worker thread; every apply is one transaction."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: the effect must be on disk before the consumer commits the offset.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._lock = asyncio.Lock()

    def close(self) -> None:
        self._db.close()

    async def apply_triaged(self, event_id: str, triaged: SignalTriaged) -> bool:
        """Record ``triaged``; False when ``event_id`` was applied before (a redelivery)."""
        async with self._lock:
            return await asyncio.to_thread(self._apply_triaged, event_id, triaged)

    def _apply_triaged(self, event_id: str, triaged: SignalTriaged) -> bool:
        flags = json.dumps(sorted(f.name.value for f in triaged.flags if f.raised))
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            inserted = db.execute(
                "INSERT OR IGNORE INTO applied_events (event_id, signal_id) VALUES (?, ?)",
                (event_id, str(triaged.signal_id)),
            ).rowcount
            if inserted:
                db.execute(
                    """INSERT INTO cases (signal_id, reference_number, urgency, call_type, flags,
                                          received_at, sla_due_at, rules_version, revision)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
                       ON CONFLICT (signal_id) DO UPDATE SET
                         urgency = excluded.urgency, call_type = excluded.call_type,
                         flags = excluded.flags, sla_due_at = excluded.sla_due_at,
                         rules_version = excluded.rules_version, revision = cases.revision + 1""",
                    (str(triaged.signal_id), triaged.reference_number, triaged.urgency.value,
                     triaged.call_type.value, flags, triaged.received_at.isoformat(),
                     triaged.sla_due_at.isoformat(), triaged.rules_version),
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return bool(inserted)

    async def cases(self, limit: int = 100) -> list[CaseRow]:
        """Cases, most urgent first (urgency values sort as p1 < p2 < ...), then by SLA deadline."""
        async with self._lock:
            return await asyncio.to_thread(self._cases, limit)

    def _cases(self, limit: int) -> list[CaseRow]:
        rows = self._db.execute(
            """SELECT signal_id, reference_number, urgency, call_type, flags, sla_due_at, revision
               FROM cases ORDER BY urgency, sla_due_at LIMIT ?""", (limit,)).fetchall()
        return [CaseRow(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6]) for r in rows]
