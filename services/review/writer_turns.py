"""Whose turn it is to write to the case store: an urgent alert goes before any waiting batch."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class WriterTurns:
    """One writer at a time (SQLite has one anyway; on PostgreSQL it keeps two applies of one
    process from conflicting). A batch of signals that has not started yet waits while an urgent
    alert waits or writes, so an alert waits at most for the one batch already writing."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._urgent = 0
        self._no_urgent = asyncio.Event()
        self._no_urgent.set()

    @contextlib.asynccontextmanager
    async def turn(self, *, urgent: bool = False) -> AsyncIterator[None]:
        if urgent:
            self._urgent += 1
            self._no_urgent.clear()
            try:
                async with self._lock:
                    yield
            finally:
                self._urgent -= 1
                if not self._urgent:
                    self._no_urgent.set()
            return
        while True:
            await self._no_urgent.wait()
            await self._lock.acquire()
            if not self._urgent:
                break
            self._lock.release()  # an alert came while this waited for the lock: it goes first
        try:
            yield
        finally:
            self._lock.release()
