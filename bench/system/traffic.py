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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

import httpx
from imapclient import IMAPClient
from twilio.request_validator import RequestValidator

from bench.http_load import Connection, Prepared
from bench.system.stack import TWILIO_TOKEN, System
from deploy.localimap import PASSWORD, USER

URGENT = (
    "A {age} year old girl is locked in a room at the motel on Route {n} right now and a man "
    "says he will move her tonight."
)
ROUTINE = (
    "The cooks at the noodle place on Elm Street {n} sleep above the kitchen and give their "
    "passports to the owner."
)
MAIL = (
    "Hello, I think the workers at the farm on County Road {n} cannot leave. Their boss keeps their papers."
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
        self._url = system.url("webform") + "/api/v1/tips"
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
        body = (
            {"narrative": URGENT.format(age=14 + n % 3, n=n), "location_state": "TX", "danger_now": "yes"}
            if urgent
            else {"narrative": ROUTINE.format(n=n), "location_state": "TX"}
        )
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
        self._validator = RequestValidator(TWILIO_TOKEN)
        self._numbers = itertools.count(1)

    async def run(self, stop: asyncio.Event, *, per_s: float = 2.0) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            await asyncio.gather(
                self._every(stop, 1 / per_s, lambda: self._text(client)),
                self._every(stop, 1 / per_s, lambda: self._callback(client)),
                self._every(stop, 1 / per_s, self._cdr_row),
                self._every(stop, 2 / per_s, self._email),
            )

    async def _text(self, client: httpx.AsyncClient) -> None:
        n = next(self._numbers)
        sid = "SM" + uuid.uuid4().hex
        url = self._system.url("sms") + "/twilio/messaging"
        params = {
            "MessageSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": "AC" + "0" * 32,
            "From": f"+1214555{n % 10000:04d}",
            "To": "233733",
            "Body": ROUTINE.format(n=n),
            "NumMedia": "0",
            "NumSegments": "1",
        }
        await self._post(client, url, params, 200, "sms")

    async def _callback(self, client: httpx.AsyncClient) -> None:
        url = self._system.url("phone") + "/twilio/voice/status"
        params = {
            "CallSid": "CA" + uuid.uuid4().hex,
            "From": "+12145550142",
            "To": "+18883737888",
            "CallStatus": "completed",
            "Direction": "inbound",
            "CallDuration": "61",
        }
        await self._post(client, url, params, 204, "phone")

    async def _post(
        self, client: httpx.AsyncClient, url: str, params: dict[str, str], ok: int, channel: str
    ) -> None:
        signature = self._validator.compute_signature(url, params)
        for _ in range(10):  # Twilio retries what was not answered
            try:
                response = await client.post(url, data=params, headers={"X-Twilio-Signature": signature})
            except httpx.HTTPError:
                await asyncio.sleep(0.5)
                continue
            if response.status_code == ok:
                self.tally.others[channel] += 1
                return
            await asyncio.sleep(0.5)

    async def _cdr_row(self) -> None:
        n = next(self._numbers)
        start = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(1_773_669_600 + n))
        end = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(1_773_669_660 + n))
        caller = f"+1214556{n % 10000:04d}"
        row = (
            f'"","{caller}","18883737888","from-pstn","""Caller {n}"" <{caller}>","SIP/trunk-00001",'
            f'"SIP/agent-00002","Dial","SIP/agent,30","{start}","{start}","{end}",60,60,"ANSWERED",'
            f'"DOCUMENTATION","bench.{uuid.uuid4().hex}"\n'
        )
        with self._system.cdr_file.open("a") as file:  # the PBX appends as calls end
            file.write(row)
        self.tally.others["phone"] += 1

    async def _email(self) -> None:
        n = next(self._numbers)
        message = EmailMessage()
        message["From"] = f"tipster{n}@example.org"
        message["To"] = "tips@hotline.example.org"
        message["Subject"] = f"Workers on County Road {n}"
        message["Message-ID"] = f"<bench-{uuid.uuid4().hex}@example.org>"
        message.set_content(MAIL.format(n=n))
        await asyncio.to_thread(self._append, message.as_bytes())
        self.tally.others["email"] += 1

    def _append(self, raw: bytes) -> None:
        client = IMAPClient("127.0.0.1", port=self._system.dovecot.port, ssl=False, timeout=30)
        try:
            client.login(USER, PASSWORD)
            client.append("INBOX", raw)
        finally:
            client.logout()

    @staticmethod
    async def _every(stop: asyncio.Event, seconds: float, send: Callable[[], Awaitable[None]]) -> None:
        while not stop.is_set():
            await send()
            try:
                await asyncio.wait_for(stop.wait(), seconds)
            except TimeoutError:
                continue
