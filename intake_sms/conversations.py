"""What the SMS intake remembers across restarts: conversations, opt-outs, the numbers replies go to,
and which replies were sent. SQLite, fsynced (``HOTLINE_STATE_DIR/sms-state.sqlite3``, 0600).

- **Conversations.** A text joins its sender's open conversation when it arrives within the
  window of their previous text; otherwise it opens a new one (and so a new case). Each message
  SID's place is recorded the first time it is seen, so a webhook Twilio sends again is the same
  signal with the same place, and never moves the conversation on.
- **Opt-in and opt-out.** STOP (and its synonyms) opts out of every text from the hotline; START
  (or YES, UNSTOP) opts in to replies. Kept for good, under the keyed hash only.
- **Numbers.** The one place a texter's number is kept, so a supervisor's reply can reach it:
  until ``number_retention`` after their last text, then forgotten.
- **Replies.** A reply is marked ``sending`` (durably) before the provider is asked, and its
  final state after: a reply found ``sending`` at start was interrupted and is never sent again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from intake_sms.translate import Conversation
from intake_sms.wording import Keyword

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS senders (sender_key TEXT PRIMARY KEY, number TEXT, number_until TEXT, "
    "opted_in INTEGER NOT NULL DEFAULT 0, opted_out INTEGER NOT NULL DEFAULT 0, names TEXT NOT NULL "
    "DEFAULT '[]', conversation_id TEXT, conversation_ref TEXT, sequence INTEGER, last_at TEXT)",
    "CREATE TABLE IF NOT EXISTS messages (message_sid TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, "
    "conversation_ref TEXT NOT NULL, sequence INTEGER NOT NULL, texts_ok INTEGER NOT NULL, at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS messages_at ON messages (at)",
    "CREATE TABLE IF NOT EXISTS replies (reply_id TEXT PRIMARY KEY, state TEXT NOT NULL, reason TEXT, "
    "at TEXT NOT NULL)",
)


@dataclass(frozen=True)
class Placement:
    """Where a text went, and the texter's standing after it."""

    conversation: Conversation
    texts_ok: bool  # opted in, and not opted out since
    opted_out: bool
    first_time: bool  # False for a webhook seen before: nothing is answered twice

    @property
    def opened(self) -> bool:
        return self.conversation.sequence == 1


@dataclass(frozen=True)
class Recipient:
    """What a reply needs to know about a texter."""

    number: str | None
    texts_ok: bool
    opted_out: bool
    names: frozenset[str]  # the hotline's names the texter used


@dataclass(frozen=True)
class ReplyState:
    state: str  # sending | sent | refused | failed | interrupted
    reason: str | None


def _iso(moment: datetime) -> str:
    # One fixed form (UTC, microseconds), so that times compare as text in SQL.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class ConversationStore:
    def __init__(self, path: Path, *, window: timedelta, number_retention: timedelta) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # numbers live here: owner only
        self._window = window
        self._retention = number_retention
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        for statement in _SCHEMA:
            self._db.execute(statement)

    # ------------------------------------------------------------ inbound

    def place(self, *, message_sid: str, signal_id: UUID, reference_number: str, sender_key: str | None,
              number: str | None, keyword: Keyword | None, names: set[str], at: datetime) -> Placement:
        """Put a text in its conversation (one transaction). ``signal_id`` and ``reference_number``
        are the text's own: they name the conversation if it opens one."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                placement = self._place(message_sid, signal_id, reference_number, sender_key, number, keyword,
                                        names, at)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return placement

    def _place(self, message_sid: str, signal_id: UUID, reference_number: str, sender_key: str | None,
               number: str | None, keyword: Keyword | None, names: set[str], at: datetime) -> Placement:
        seen = self._db.execute("SELECT conversation_id, conversation_ref, sequence, texts_ok FROM messages "
                                "WHERE message_sid = ?", (message_sid,)).fetchone()
        if seen is not None:
            standing = self._standing(sender_key)
            return Placement(Conversation(UUID(seen[0]), seen[1], int(seen[2])), texts_ok=bool(seen[3]),
                             opted_out=standing[1], first_time=False)
        row = (self._db.execute("SELECT conversation_id, conversation_ref, sequence, last_at, opted_in, "
                                "opted_out, names FROM senders WHERE sender_key = ?",
                                (sender_key,)).fetchone() if sender_key else None)
        conversation = Conversation(signal_id, reference_number, 1)
        opted_in, opted_out, used = False, False, set(names)
        if row is not None:
            opted_in, opted_out = bool(row[4]), bool(row[5])
            used |= set(json.loads(row[6]))
            if row[0] is not None and at - datetime.fromisoformat(row[3]) <= self._window:
                conversation = Conversation(UUID(row[0]), row[1], int(row[2]) + 1)
        if keyword == "stop":
            opted_in, opted_out = False, True
        elif keyword == "start":
            opted_in, opted_out = True, False
        texts_ok = opted_in and not opted_out
        if sender_key is not None:
            last = max(at, datetime.fromisoformat(row[3])) if row is not None and row[3] else at
            self._db.execute(
                "INSERT INTO senders (sender_key, number, number_until, opted_in, opted_out, names, "
                "conversation_id, conversation_ref, sequence, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(sender_key) DO UPDATE SET number = excluded.number, "
                "number_until = excluded.number_until, opted_in = excluded.opted_in, "
                "opted_out = excluded.opted_out, names = excluded.names, "
                "conversation_id = excluded.conversation_id, conversation_ref = excluded.conversation_ref, "
                "sequence = excluded.sequence, last_at = excluded.last_at",
                (sender_key, number, _iso(at + self._retention), int(opted_in), int(opted_out),
                 json.dumps(sorted(used)), str(conversation.conversation_id), conversation.reference_number,
                 conversation.sequence, _iso(last)))
        self._db.execute("INSERT INTO messages (message_sid, conversation_id, conversation_ref, sequence, "
                         "texts_ok, at) VALUES (?, ?, ?, ?, ?, ?)",
                         (message_sid, str(conversation.conversation_id), conversation.reference_number,
                          conversation.sequence, int(texts_ok), _iso(at)))
        return Placement(conversation, texts_ok=texts_ok, opted_out=opted_out, first_time=True)

    def _standing(self, sender_key: str | None) -> tuple[bool, bool]:
        row = (self._db.execute("SELECT opted_in, opted_out FROM senders WHERE sender_key = ?",
                                (sender_key,)).fetchone() if sender_key else None)
        return (bool(row[0]), bool(row[1])) if row else (False, False)

    # ------------------------------------------------------------ replies

    def recipient(self, sender_key: str, *, now: datetime) -> Recipient | None:
        with self._lock:
            row = self._db.execute("SELECT number, number_until, opted_in, opted_out, names FROM senders "
                                   "WHERE sender_key = ?", (sender_key,)).fetchone()
        if row is None:
            return None
        kept = row[0] if row[1] and datetime.fromisoformat(row[1]) > now else None
        return Recipient(number=kept, texts_ok=bool(row[2]) and not bool(row[3]), opted_out=bool(row[3]),
                         names=frozenset(json.loads(row[4])))

    def reply_state(self, reply_id: UUID) -> ReplyState | None:
        with self._lock:
            row = self._db.execute("SELECT state, reason FROM replies WHERE reply_id = ?",
                                   (str(reply_id),)).fetchone()
        return ReplyState(row[0], row[1]) if row else None

    def set_reply_state(self, reply_id: UUID, state: str, *, reason: str | None, at: datetime) -> None:
        with self._lock:
            self._db.execute("INSERT INTO replies (reply_id, state, reason, at) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT(reply_id) DO UPDATE SET state = excluded.state, "
                             "reason = excluded.reason, at = excluded.at",
                             (str(reply_id), state, reason, _iso(at)))

    # ------------------------------------------------------------ forgetting

    def forget_expired(self, *, now: datetime, keep_messages: timedelta) -> int:
        """Forget numbers past their retention, and the message places no retry can need any more.
        Returns how many numbers were forgotten."""
        with self._lock:
            forgotten = self._db.execute("UPDATE senders SET number = NULL WHERE number IS NOT NULL AND "
                                         "number_until <= ?", (_iso(now),)).rowcount
            self._db.execute("DELETE FROM messages WHERE at < ?", (_iso(now - keep_messages),))
        return int(forgotten)

    def close(self) -> None:
        with self._lock:
            self._db.close()
