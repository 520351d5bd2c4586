"""Flood protection that never stores a client address.

Per client: a fixed window with a budget of tips, keyed by a keyed hash of the address whose key
is redrawn at random every window, so yesterday's counters cannot be linked to anyone, and
nothing leaves memory. For everyone together: a token bucket, because every Tor user reaches an
onion service from the same local address and one client key would otherwise lock them all out.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        *,
        per_client: int,
        window_s: float,
        global_per_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = 100_000,
    ) -> None:
        self._per_client = per_client
        self._window = window_s
        self._rate = global_per_s
        self._burst = max(1.0, global_per_s)
        self._clock = clock
        self._max_tracked = max_tracked
        self._lock = threading.Lock()
        self._window_started = clock()
        self._salt = secrets.token_bytes(16)
        self._counts: dict[bytes, int] = {}
        self._tokens = self._burst
        self._refilled = self._window_started

    def _rotate_if_due(self, now: float) -> None:
        if now - self._window_started >= self._window:
            self._window_started = now
            self._salt = secrets.token_bytes(16)  # the old key is gone: old counts are unlinkable
            self._counts.clear()

    def _take_global(self, now: float) -> bool:
        self._tokens = min(self._burst, self._tokens + (now - self._refilled) * self._rate)
        self._refilled = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    def allow(self, client: str | None) -> bool:
        """Count one attempt; False if this client or everyone together is over budget."""
        with self._lock:
            now = self._clock()
            self._rotate_if_due(now)
            if client is not None:
                key = hashlib.blake2b(client.encode(), key=self._salt, digest_size=16).digest()
                used = self._counts.get(key, 0)
                if used >= self._per_client:
                    return False
                if key in self._counts or len(self._counts) < self._max_tracked:
                    self._counts[key] = used + 1
            return self._take_global(now)

    @property
    def tracked(self) -> int:
        """How many hashed clients the current window counts (for tests and metrics)."""
        return len(self._counts)
