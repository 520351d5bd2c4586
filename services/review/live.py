"""Live updates for open queue pages (server-sent events), within one review process.

Several review replicas would each push only what they applied; a shared channel (PostgreSQL
LISTEN/NOTIFY) is the step for that. Messages carry ids, urgency and reference numbers only.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any


class LiveHub:
    def __init__(self, *, queue_size: int = 100) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._queue_size = queue_size

    @property
    def listeners(self) -> int:
        return len(self._subscribers)

    def publish(self, message: dict[str, Any]) -> None:
        for queue in list(self._subscribers):
            if queue.full():  # a stalled page loses its oldest news, never blocks the service
                queue.get_nowait()
            queue.put_nowait(message)

    async def subscribe(self, *, heartbeat_s: float = 15.0) -> AsyncIterator[str]:
        """Server-sent event frames; a comment line every ``heartbeat_s`` keeps proxies open."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self._queue_size)
        self._subscribers.add(queue)
        try:
            yield "retry: 3000\n\n"
            while True:
                try:
                    message = await asyncio.wait_for(queue.get(), timeout=heartbeat_s)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield f"event: {message.get('type', 'case')}\ndata: {json.dumps(message)}\n\n"
        finally:
            self._subscribers.discard(queue)
