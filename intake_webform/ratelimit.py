"""Flood protection that never stores a client address and never turns away a tip it can keep.

A hotline's web form is reached three ways (README, "Privacy and abuse"), and they differ in what
the intake can know about who is sending:

- directly, or behind a proxy the operator names (``HOTLINE_TRUSTED_PROXIES``): the peer or the
  forwarded address tells clients apart, so one client's flood can be refused (429) on its own;
- behind a proxy that forwards nothing, or as an onion service: every request comes from the same
  address, and a per-client limit would lock every reporter out at once. There is none.

For everyone together there is a budget sized for a hotline's peak (``GlobalBudget``, a token
bucket, spent by ``DurableSender`` for each record it publishes). A tip over that budget is not
refused: it is made durable in the spool and published at the budget's pace, so a surge or a
flood queues instead of pushing past the budget to the broker and everything behind it. Tips are
refused for the whole site only when the spool is full (503, with the hotline's number).

Per client: a fixed window with a budget of tips, keyed by a keyed hash of the address whose key
is redrawn at random every window, so yesterday's counters cannot be linked to anyone, and
nothing leaves memory.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import threading
import time
from collections.abc import Callable


class GlobalBudget:
    """A token bucket for everyone together: ``per_s`` tips a second, ``burst`` at once."""

    def __init__(self, *, per_s: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = per_s
        self._burst = float(max(1, burst))
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = self._burst
        self._refilled = clock()

    def _refill(self, now: float) -> None:
        self._tokens = min(self._burst, self._tokens + (now - self._refilled) * self._rate)
        self._refilled = now

    def take(self) -> bool:
        """Take one tip's worth now, if there is one."""
        with self._lock:
            self._refill(self._clock())
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True

    def wait_s(self) -> float:
        """How long until one tip's worth is there."""
        with self._lock:
            self._refill(self._clock())
            return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate

    async def acquire(self) -> None:
        """Wait for one tip's worth and take it (the spool's drainer keeps the budget's pace)."""
        while True:
            if self.take():
                return
            # Sleep until a unit is due (the bucket refills by the clock, nothing to wait on).
            await asyncio.sleep(max(self.wait_s(), 0.001))


class RateLimiter:
    """Per-client budgets, where clients can be told apart."""

    def __init__(
        self,
        *,
        per_client: int | None,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = 100_000,
    ) -> None:
        """``per_client`` None: clients cannot be told apart here, only the global budget applies."""
        self._per_client = per_client
        self._window = window_s
        self._clock = clock
        self._max_tracked = max_tracked
        self._lock = threading.Lock()
        self._window_started = clock()
        self._salt = secrets.token_bytes(16)
        self._counts: dict[bytes, int] = {}

    @property
    def per_client(self) -> bool:
        return self._per_client is not None

    def _rotate_if_due(self, now: float) -> None:
        if now - self._window_started >= self._window:
            self._window_started = now
            self._salt = secrets.token_bytes(16)  # the old key is gone: old counts are unlinkable
            self._counts.clear()

    def allow(self, client: str | None) -> bool:
        """Count one tip; False if this client is over its own budget."""
        if self._per_client is None or client is None:
            return True
        with self._lock:
            self._rotate_if_due(self._clock())
            key = hashlib.blake2b(client.encode(), key=self._salt, digest_size=16).digest()
            used = self._counts.get(key, 0)
            if used >= self._per_client:
                return False
            if key in self._counts or len(self._counts) < self._max_tracked:
                self._counts[key] = used + 1
            return True

    @property
    def tracked(self) -> int:
        """How many hashed clients the current window counts (for tests and metrics)."""
        return len(self._counts)
