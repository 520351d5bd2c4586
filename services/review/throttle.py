"""Slowing down password guessing without locking the real person out.

A lockout per username lets anyone who knows a supervisor's name keep that supervisor out: five
wrong guesses, and the right password is refused too. Instead, failed sign-ins are counted per
source (the client's address) and account together, and per source alone; past a few free
failures each further attempt from that source has to wait, twice as long each time, up to a cap.
The real person signing in from their own machine is not slowed by someone else's guesses; a
source spraying many usernames is slowed as a whole.

Sources are kept only as keyed hashes under a key drawn at start, in memory: nothing here can be
read back as an address. Counts reset when the process restarts and are per process.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class _Count:
    failures: int
    last: datetime
    not_before: datetime


@dataclass(frozen=True)
class Rule:
    """``free`` failures cost nothing; each one after doubles the wait, from ``first`` up to ``cap``."""

    free: int
    first: timedelta
    cap: timedelta

    def wait_after(self, failures: int) -> timedelta:
        over = failures - self.free
        if over <= 0:
            return timedelta(0)
        doubled: timedelta = self.first * (2 ** min(over - 1, 30))
        return min(self.cap, doubled)


PER_ACCOUNT = Rule(free=3, first=timedelta(seconds=1), cap=timedelta(minutes=5))
PER_SOURCE = Rule(free=20, first=timedelta(seconds=1), cap=timedelta(minutes=15))


class SignInThrottle:
    def __init__(self, *, per_account: Rule = PER_ACCOUNT, per_source: Rule = PER_SOURCE,
                 forget_after: timedelta = timedelta(hours=1), max_tracked: int = 10_000) -> None:
        self._rules = {"account": per_account, "source": per_source}
        self._forget_after = forget_after
        self._max_tracked = max_tracked
        self._salt = secrets.token_bytes(16)
        self._counts: dict[tuple[str, bytes], _Count] = {}
        self._mutex = threading.Lock()

    def _keys(self, username: str, source: str | None) -> list[tuple[str, bytes]]:
        where = hashlib.blake2b((source or "").encode(), key=self._salt, digest_size=16).digest()
        pair = hashlib.blake2b(where + b"\x00" + username.encode(), key=self._salt, digest_size=16).digest()
        return [("account", pair), ("source", where)]

    def wait(self, username: str, source: str | None, now: datetime) -> timedelta | None:
        """How long this source must wait before trying this account again, or None."""
        with self._mutex:
            waits = [count.not_before - now for key in self._keys(username, source)
                     if (count := self._current(key, now)) is not None and count.not_before > now]
        return max(waits) if waits else None

    def failed(self, username: str, source: str | None, now: datetime) -> None:
        with self._mutex:
            for key in self._keys(username, source):
                count = self._current(key, now) or _Count(0, now, now)
                count.failures += 1
                count.last = now
                count.not_before = now + self._rules[key[0]].wait_after(count.failures)
                self._counts[key] = count
            if len(self._counts) > self._max_tracked:
                self._prune(now)

    def succeeded(self, username: str, source: str | None) -> None:
        """The pair starts afresh; the source's own count stays (one good account must not buy a
        sprayer a clean slate)."""
        with self._mutex:
            self._counts.pop(self._keys(username, source)[0], None)

    def _current(self, key: tuple[str, bytes], now: datetime) -> _Count | None:
        count = self._counts.get(key)
        if count is not None and now - count.last >= self._forget_after and now >= count.not_before:
            del self._counts[key]
            return None
        return count

    def _prune(self, now: datetime) -> None:
        self._counts = {k: c for k, c in self._counts.items()
                        if now - c.last < self._forget_after or now < c.not_before}
        if len(self._counts) > self._max_tracked:  # still full: keep the most recent
            recent = sorted(self._counts.items(), key=lambda item: item[1].last)[-self._max_tracked:]
            self._counts = dict(recent)
