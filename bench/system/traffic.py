"""The benchmark's senders: web tips at a set rate (open loop: a tip is due at its time whether or
not earlier ones were answered), and texts, call callbacks, call-detail rows and emails alongside.

Each acknowledgement is kept with the wall-clock time it arrived (the services stamp the case
store with the same clock), so every later stage can be timed from it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from bench.http_load import Connection, Prepared
from bench.system.stack import TWILIO_TOKEN, System
from deploy.senders import (
    CALL_STATUS_PATH,
    TEXT_PATH,
    TIP_PATH,
    answered_call,
    append_rows,
    append_to_inbox,
    call_status_params,
    every,
    new_call_sid,
    new_message_sid,
    post_signed,
    text_params,
    tip_body,
    tip_email,
)

URGENT = (
    "A {age} year old girl is locked in a room at the motel on Route {n} right now and a man "
    "says he will move her tonight."
)
ROUTINE = (
    "The cooks at the noodle place on Elm Street {n} sleep above the kitchen and give their "
    "passports to the owner."
)


@dataclass(frozen=True)
class Ack:
    reference: str
    urgent: bool
    sent_at: float  # time.time() when the request went out
    acked_at: float  # time.time() when the 202 came back


@dataclass
class Tally:
    web: list[Ack] = field(default_factory=list)
    others: Counter[str] = field(default_factory=Counter)  # channel -> signals acknowledged
    refused: Counter[int] = field(default_factory=Counter)  # web: status -> count (not acknowledged)
    late_starts: int = 0  # web tips sent later than due because every connection was busy


class WebLoad:
    """Open-loop web tips over a pool of keep-alive connections."""

    def __init__(self, system: System, tally: Tally, *, connections: int = 64) -> None:
        self._url = system.url("webform") + TIP_PATH
        self.tally = tally
        self._idle: asyncio.Queue[Connection] = asyncio.Queue()
        for _ in range(connections):
            self._idle.put_nowait(Connection(self._url, ()))
        self._numbers = itertools.count(1)

    async def run(self, rate: float, seconds: float, *, urgent_every: int = 5) -> None:
        """``rate`` tips a second for ``seconds``; one in ``urgent_every`` written to be urgent."""
        begin = time.perf_counter()
        total = int(rate * seconds)
        pending: set[asyncio.Task[None]] = set()
        for i in range(total):
            due = begin + i / rate
            delay = due - time.perf_counter()
            if delay > 0.002:
                await asyncio.sleep(delay)
            n = next(self._numbers)
            task = asyncio.create_task(self._one(n, n % urgent_every == 0))
            pending.add(task)
            task.add_done_callback(pending.discard)
        await asyncio.gather(*pending)

    async def _one(self, n: int, urgent: bool) -> None:
        if self._idle.empty():
            self.tally.late_starts += 1
        connection = await self._idle.get()
        body = tip_body(URGENT.format(age=14 + n % 3, n=n) if urgent else ROUTINE.format(n=n), urgent=urgent)
        wire = connection.prepare(Prepared(json.dumps(body).encode()))
        try:
            sent = time.time()
            try:
                status, answer = await connection.exchange(wire)
            except (OSError, asyncio.IncompleteReadError):
                # The server closed a keep-alive connection left idle between phases: a browser
                # opens a new one and sends again; so does this, once.
                await connection.close()
                connection = Connection(self._url, ())
                try:
                    status, answer = await connection.exchange(wire)
                except (OSError, asyncio.IncompleteReadError):
                    self.tally.refused[0] += 1
                    return
            if status == 202:
                reference = str(json.loads(answer)["reference_number"])
                self.tally.web.append(Ack(reference, urgent, sent, time.time()))
            else:
                self.tally.refused[status] += 1
        finally:
            self._idle.put_nowait(connection)

    async def close(self) -> None:
        while not self._idle.empty():
            await self._idle.get_nowait().close()


class SideChannels:
    """Texts, call-status callbacks, call-detail rows and emails at a few a second, as a hotline's
    other channels run while its web form is busy."""

    def __init__(self, system: System, tally: Tally) -> None:
        self._system = system
        self.tally = tally
        self._numbers = itertools.count(1)

    async def run(self, stop: asyncio.Event, *, per_s: float = 2.0) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            await asyncio.gather(
                every(stop, 1 / per_s, lambda: self._text(client)),
                every(stop, 1 / per_s, lambda: self._callback(client)),
                every(stop, 1 / per_s, self._cdr_row),
                every(stop, 2 / per_s, self._email),
            )

    async def _text(self, client: httpx.AsyncClient) -> None:
        n = next(self._numbers)
        params = text_params(new_message_sid(), f"+1214555{n % 10000:04d}", ROUTINE.format(n=n))
        await self._post(client, self._system.url("sms") + TEXT_PATH, params, 200, "sms")

    async def _callback(self, client: httpx.AsyncClient) -> None:
        params = call_status_params(new_call_sid())
        await self._post(client, self._system.url("phone") + CALL_STATUS_PATH, params, 204, "phone")

    async def _post(
        self, client: httpx.AsyncClient, url: str, params: dict[str, str], ok: int, channel: str
    ) -> None:
        # Twilio retries what was not answered; ten tries, then the signal counts as not taken.
        if await post_signed(client, url, params, token=TWILIO_TOKEN, ok=ok, pause_s=0.5, attempts=10):
            self.tally.others[channel] += 1

    async def _cdr_row(self) -> None:
        n = next(self._numbers)
        start = datetime(2026, 3, 16, 14, 0) + timedelta(seconds=n)
        row = answered_call(f"+1214556{n % 10000:04d}", n, start, answered_after=0, duration=60,
                            uniqueid=f"bench.{uuid.uuid4().hex}")
        append_rows(self._system.cdr_file, [row])
        self.tally.others["phone"] += 1

    async def _email(self) -> None:
        n = next(self._numbers)
        message = tip_email(n, f"<bench-{uuid.uuid4().hex}@example.org>")
        await asyncio.to_thread(append_to_inbox, self._system.dovecot.port, message.as_bytes())
        self.tally.others["email"] += 1
