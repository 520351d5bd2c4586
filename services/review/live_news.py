"""What waits to be told to queue pages: urgent news is never dropped; the rest drops its oldest when full."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

# PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more; a group stays well under it.
PAYLOAD_LIMIT = 7_000


def is_urgent(message: dict[str, Any]) -> bool:
    """An urgent alert applied, a page told to call for attention, an escalation: never dropped."""
    return bool(message.get("urgent") or message.get("announce") or message.get("type") == "escalation")


class News:
    """A page's (or the shared channel's) backlog. A stalled page or an absent database loses the
    oldest routine news past ``size``, never an urgent message: those are few (one per urgent
    signal or escalation) and each is a person to be called now. Urgent news is taken first."""

    def __init__(self, size: int) -> None:
        self._urgent: deque[dict[str, Any]] = deque()
        self._routine: deque[dict[str, Any]] = deque(maxlen=size)
        self._ready = asyncio.Event()
        self.closed = False
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._urgent) + len(self._routine)

    def put(self, message: dict[str, Any]) -> None:
        if is_urgent(message):
            self._urgent.append(message)
        else:
            if len(self._routine) == self._routine.maxlen:
                self.dropped += 1  # deque(maxlen) lets the oldest go
            self._routine.append(message)
        self._ready.set()

    def put_back(self, messages: Sequence[dict[str, Any]]) -> None:
        """Urgent messages that could not be sent go back in front, in their order."""
        self._urgent.extendleft(reversed([m for m in messages if is_urgent(m)]))
        if self._urgent:
            self._ready.set()

    def take(self, limit: int) -> list[dict[str, Any]]:
        taken: list[dict[str, Any]] = []
        while self._urgent and len(taken) < limit:
            taken.append(self._urgent.popleft())
        while self._routine and len(taken) < limit:
            taken.append(self._routine.popleft())
        if not self:
            self._ready.clear()
        return taken

    async def wait(self) -> None:
        """Until there is something to take, or the backlog is closed."""
        await self._ready.wait()

    def close(self) -> None:
        self.closed = True
        self._ready.set()


def payloads(messages: Sequence[dict[str, Any]]) -> Iterator[str]:
    """The messages as JSON lists, each under ``PAYLOAD_LIMIT`` bytes: one NOTIFY per group."""
    group: list[str] = []
    size = 2
    for message in messages:
        encoded = json.dumps(message)
        if group and size + len(encoded) + 1 > PAYLOAD_LIMIT:
            yield "[" + ",".join(group) + "]"
            group, size = [], 2
        group.append(encoded)
        size += len(encoded) + 1
    if group:
        yield "[" + ",".join(group) + "]"


def messages_in(payload: str) -> list[dict[str, Any]]:
    """A NOTIFY payload's messages: a group (a list), or one message from a replica not yet upgraded."""
    try:
        decoded = json.loads(payload)
    except ValueError:
        return []
    if isinstance(decoded, dict):
        return [decoded]
    if isinstance(decoded, list):
        return [m for m in decoded if isinstance(m, dict)]
    return []
