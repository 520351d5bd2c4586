"""What the watcher must remember across restarts: per mailbox its UIDVALIDITY and the last UID
handed off, and which Message-IDs became which signals (to link replies). SQLite, fsynced."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class MailboxState:
    uidvalidity: int
    last_uid: int


@dataclass(frozen=True)
class KnownSignal:
    signal_id: str
    reference_number: str


class StateStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("CREATE TABLE IF NOT EXISTS mailbox (name TEXT PRIMARY KEY, uidvalidity INTEGER "
                         "NOT NULL, last_uid INTEGER NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS thread (message_id TEXT PRIMARY KEY, signal_id TEXT "
                         "NOT NULL, reference_number TEXT NOT NULL)")

    def mailbox(self, name: str) -> MailboxState | None:
        with self._lock:
            row = self._db.execute("SELECT uidvalidity, last_uid FROM mailbox WHERE name = ?",
                                   (name,)).fetchone()
        return MailboxState(int(row[0]), int(row[1])) if row else None

    def set_mailbox(self, name: str, state: MailboxState) -> None:
        with self._lock:
            self._db.execute("INSERT INTO mailbox (name, uidvalidity, last_uid) VALUES (?, ?, ?) "
                             "ON CONFLICT(name) DO UPDATE SET uidvalidity = excluded.uidvalidity, "
                             "last_uid = excluded.last_uid",
                             (name, state.uidvalidity, state.last_uid))

    def remember(self, message_id: str, known: KnownSignal) -> None:
        self.remember_many([(message_id, known)])

    def remember_many(self, pairs: list[tuple[str, KnownSignal]]) -> None:
        """One transaction (one fsync) for a whole batch."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR IGNORE INTO thread (message_id, signal_id, reference_number) "
                                 "VALUES (?, ?, ?)",
                                 [(m, k.signal_id, k.reference_number) for m, k in pairs])
            self._db.execute("COMMIT")

    def lookup(self, message_ids: tuple[str, ...]) -> KnownSignal | None:
        """The most recent known signal among ``message_ids`` (References lists oldest first)."""
        with self._lock:
            for message_id in reversed(message_ids):
                row = self._db.execute("SELECT signal_id, reference_number FROM thread WHERE message_id = ?",
                                       (message_id,)).fetchone()
                if row:
                    return KnownSignal(str(row[0]), str(row[1]))
        return None

    def close(self) -> None:
        with self._lock:
            self._db.close()
