"""Applying review's erasure orders (``erasures.ordered``) to the ledger.

The reporter's contact details live in the ledger in one place, ``signal_content.reporter``, and
every report is written from it when its step is sent: removing them there removes them from
every report not yet sent, and leaves the record of the reports already sent (reports, steps,
outcomes) whole but for them. What was sent before the order cannot be called back; the audit
trail in review says when the erasure happened.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from contracts.events import ErasureOrdered, ErasureScope
from services.reporting.db import Database
from services.reporting.models import ErasedSignal, SignalContent, SignalFacts
from services.runtime import InvalidMessage, Message, RetriableError

ERASED: Final = "[erased]"
# What stays of a declared place after a content erasure: enough to route, nothing the reporter wrote.
_PLACE_KEPT: Final = ("country", "state", "city")


class LedgerErasure:
    def __init__(self, db: Database, *, now: Callable[[], datetime]) -> None:
        self._db = db
        self._now = now

    def apply(self, order: ErasureOrdered) -> int:
        """Erase what ``order`` names from each of its signals the ledger holds, and remember the
        order for those it does not hold yet. Returns how many stored signals were changed; applying
        the same order again changes nothing more."""
        changed = 0
        with self._db.transaction() as session:
            for signal_id in order.signal_ids:
                marked = session.get(ErasedSignal, signal_id)
                if marked is None:
                    session.add(ErasedSignal(signal_id=signal_id, scope=order.scope.value,
                                             erasure_id=order.erasure_id, erased_at=self._now()))
                elif order.scope is ErasureScope.CONTENT:
                    marked.scope = ErasureScope.CONTENT.value  # the wider erasure wins
                changed += scrub(session, signal_id, order.scope)
        return changed


def scrub(session: Session, signal_id: uuid.UUID, scope: ErasureScope) -> int:
    """Remove from one stored signal what ``scope`` names (1 if the ledger held it, else 0)."""
    content = session.get(SignalContent, signal_id)
    facts = session.get(SignalFacts, signal_id)
    if facts is not None:
        facts.consent_to_contact = False
    if content is None:
        return 0
    if scope is ErasureScope.CONTENT:
        content.narrative = ERASED
        content.reporter = None
        if content.location is not None:
            content.location = {k: v for k, v in content.location.items() if k in _PLACE_KEPT}
    elif content.reporter is not None:
        content.reporter = without_contact(content.reporter)
    return 1


def scrub_if_erased(session: Session, signal_id: uuid.UUID) -> None:
    """For a signal stored after its erasure was ordered (the two topics are read apart)."""
    marked = session.get(ErasedSignal, signal_id)
    if marked is not None:
        scrub(session, signal_id, ErasureScope(marked.scope))


def without_contact(reporter: dict[str, Any]) -> dict[str, Any]:
    return {**reporter, "contact": None, "safe_contact": None, "consent_to_contact": False}


class ErasureWriter:
    """Applies ``erasures.ordered`` records (idempotent: an order applied twice erases nothing more)."""

    def __init__(self, erasure: LedgerErasure) -> None:
        self._erasure = erasure

    async def ordered(self, message: Message) -> None:
        event = message.event
        if not isinstance(event, ErasureOrdered):
            raise InvalidMessage(f"reporting reads ErasureOrdered here, got {message.envelope.type}")
        try:
            await asyncio.to_thread(self._erasure.apply, event)
        except (OperationalError, IntegrityError) as error:
            raise RetriableError(type(error).__name__) from error
