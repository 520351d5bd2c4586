"""Live updates for open queue pages (server-sent events), across every review replica.

A page holds its ``/events`` stream open on one replica, while the case it must hear about may be
applied by another (each consumes its own partitions) and an escalation raised by whichever holds
the SLA clock. On PostgreSQL the replicas share a channel: ``PostgresLive`` sends each message
with ``NOTIFY`` and every replica ``LISTEN``s and hands what it hears to its own pages
(``LiveHub``), its own messages included. SQLite is one process (the local default): the hub alone.

Messages carry ids, urgency and reference numbers only. What waits to be sent is sent in one
statement, grouped into as few payloads as fit (a batch of applied signals is one round trip).
Routine news that piles up (the database away, a stalled page) drops its oldest; urgent news
(an urgent alert, a page told to call for attention, an escalation) is never dropped and goes
first (``live_news``). A replica whose listening connection is lost (PostgreSQL restarted)
reconnects; routine messages sent meanwhile reach only the pages of the replica that sent them,
urgent ones are sent again once the database answers, and a page's next reload shows the queue
as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol

import psycopg
from sqlalchemy.engine import make_url

from services.review.live_news import News, messages_in, payloads

log = logging.getLogger(__name__)

CHANNEL = "hotline_review_live"
# Messages sent in one statement at most (a few groups of ``PAYLOAD_LIMIT`` bytes each).
_SEND_AT_MOST = 500
_NOTIFY_ALL = "SELECT pg_notify(%s, payload) FROM unnest(%s::text[]) AS payload"


class LivePublisher(Protocol):
    def publish(self, message: dict[str, Any]) -> None: ...


class LiveHub:
    """The pages connected to this process."""

    def __init__(self, *, queue_size: int = 100) -> None:
        self._subscribers: set[News] = set()
        self._queue_size = queue_size
        self._closed = False

    @property
    def listeners(self) -> int:
        return len(self._subscribers)

    def publish(self, message: dict[str, Any]) -> None:
        for news in list(self._subscribers):
            news.put(message)  # a stalled page loses its oldest routine news, never an urgent one

    def close(self) -> None:
        """End every page's stream (the service is stopping; pages reconnect to another replica)."""
        self._closed = True
        for news in list(self._subscribers):
            news.close()

    async def subscribe(self, *, heartbeat_s: float = 15.0) -> AsyncIterator[str]:
        """Server-sent event frames; a comment line every ``heartbeat_s`` keeps proxies open."""
        news = News(self._queue_size)
        self._subscribers.add(news)
        try:
            yield "retry: 3000\n\n"
            while not self._closed:
                try:
                    await asyncio.wait_for(news.wait(), timeout=heartbeat_s)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if news.closed:
                    return
                for message in news.take(self._queue_size):
                    yield f"event: {message.get('type', 'case')}\ndata: {json.dumps(message)}\n\n"
        finally:
            self._subscribers.discard(news)


class PostgresLive:
    """Every replica's pages hear every replica's messages, through PostgreSQL's LISTEN/NOTIFY."""

    def __init__(self, database_url: str, hub: LiveHub, *, check_s: float = 10.0,
                 backoff_max_s: float = 5.0) -> None:
        # psycopg takes the same URL without SQLAlchemy's driver name.
        self._conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(
            hide_password=False)
        self._hub = hub
        self._check_s = check_s
        self._backoff_max_s = backoff_max_s
        # What waits for the database: routine news past 1,000 drops its oldest, urgent news never.
        self._outgoing = News(1000)
        self._listening = False

    @property
    def listening(self) -> bool:
        return self._listening

    def publish(self, message: dict[str, Any]) -> None:
        self._outgoing.put(message)

    async def run(self, stop: asyncio.Event) -> None:
        """Listen and send until ``stop``."""
        tasks = [asyncio.create_task(self._listen(stop), name="review.live-listen"),
                 asyncio.create_task(self._send(stop), name="review.live-send")]
        try:
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _listen(self, stop: asyncio.Event) -> None:
        delay = 0.2
        while not stop.is_set():
            try:
                async with await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True,
                                                                 connect_timeout=5) as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    if not self._listening:
                        log.info("live updates channel listening")
                    self._listening, delay = True, 0.2
                    while not stop.is_set():
                        async for notice in connection.notifies(timeout=self._check_s):
                            self._deliver(notice.payload)
                        await connection.execute("SELECT 1")  # a quiet spell: is the server still there?
            except psycopg.Error as error:
                if self._listening:
                    log.warning("live updates channel lost; reconnecting",
                                extra={"error_class": type(error).__name__})
                self._listening = False
                await _pause(stop, delay)
                delay = min(delay * 2, self._backoff_max_s)

    async def _send(self, stop: asyncio.Event) -> None:
        """Everything waiting, in one statement: a batch's changes are one round trip, not one each."""
        connection: psycopg.AsyncConnection[Any] | None = None
        try:
            while not stop.is_set():
                await self._outgoing.wait()
                messages = self._outgoing.take(_SEND_AT_MOST)
                if not messages:
                    continue
                try:
                    if connection is None or connection.closed:
                        connection = await psycopg.AsyncConnection.connect(
                            self._conninfo, autocommit=True, connect_timeout=5)
                    # One transaction: PostgreSQL delivers the groups at its commit, in order.
                    await connection.execute(_NOTIFY_ALL, (CHANNEL, list(payloads(messages))))
                    if not self._listening:  # it will not come back to this replica's pages
                        self._show_here(messages)
                except psycopg.Error as error:
                    # The other replicas cannot be told now; this replica's own pages still can, and
                    # the urgent messages are tried again for the others (a page may see one twice).
                    log.warning("live update not shared with the other replicas",
                                extra={"error_class": type(error).__name__, "count": len(messages)})
                    self._show_here(messages)
                    self._outgoing.put_back(messages)
                    if connection is not None:
                        await connection.close()
                    connection = None
                    await _pause(stop, self._backoff_max_s / 5)
        finally:
            if connection is not None:
                with contextlib.suppress(psycopg.Error):
                    await connection.close()

    def _show_here(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            self._hub.publish(message)

    def _deliver(self, payload: str) -> None:
        found = messages_in(payload)
        if not found:
            log.warning("live update not readable, dropped")
        for message in found:
            self._hub.publish(message)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
