"""Applying ``signals.received`` and ``reports.requested`` records to the ledger (idempotent by id)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError, OperationalError

from contracts.events import ReportRequested, SignalReceived
from services.reporting.store import Store
from services.runtime import InvalidMessage, Message, RetriableError


class LedgerWriter:
    def __init__(self, store: Store, on_change: Callable[[], None] = lambda: None) -> None:
        self._store = store
        self._on_change = on_change  # wakes the courier: a break-glass request must not wait a tick

    async def received(self, message: Message) -> None:
        event = message.event
        if not isinstance(event, SignalReceived):
            raise InvalidMessage(f"reporting reads SignalReceived here, got {message.envelope.type}")
        await _apply(lambda: self._store.record_signal(event))
        self._on_change()

    async def requested(self, message: Message) -> None:
        event = message.event
        if not isinstance(event, ReportRequested):
            raise InvalidMessage(f"reporting reads ReportRequested here, got {message.envelope.type}")
        await _apply(lambda: self._store.record_request(event))
        self._on_change()


async def _apply(write: object) -> None:
    try:
        await asyncio.to_thread(write)  # type: ignore[arg-type]
    except (OperationalError, IntegrityError) as error:
        # A lost connection, or a race with another replica on the same id: the loop retries,
        # and the retry finds the row and changes nothing.
        raise RetriableError(type(error).__name__) from error
