"""Load through every channel, and the ledger of what the system acknowledged.

A signal counts as acknowledged when its channel said so: the web intake's 202 (with the reference
number), the phone intake's answer to a signed Twilio callback, a call-detail row written to the
PBX's file (the importer follows it), a message stored in the mailbox. Until then a sender retries
as a real one would (a reporter's browser, Twilio, the PBX writing on): the same tip again with the
same ``Idempotency-Key``, the same callback again. Everything acknowledged must end in the case
store, once.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from contracts import signal_id_for
from deploy import senders
from tests.drill.fleet import TWILIO_TOKEN, Fleet
from tests.drill.observe import CaseStoreWatch

URGENT = ("A {age} year old girl is locked in a room at the motel on Route {n} right now and a man with "
          "a gun says he will move her tonight. Call {phone}.")
ROUTINE = ("The cooks at the noodle place on Elm Street {n} sleep above the kitchen and give their "
           "passports to the owner. The owner's number is {phone}.")
# A few numbers shared between tips: triage links them, across workers and restarts.
PHONES = tuple(f"(214) 555-01{n:02d}" for n in range(10, 15))


@dataclass
class Accepted:
    channel: str  # web, sms, callback, cdr, email
    key: str  # the tip's Idempotency-Key, the MessageSid, the CallSid, the row's dedup key, the Message-ID
    accepted_at: datetime
    urgent: bool = False  # a tip written to be urgent (P1: a minor in danger now)
    reference: str | None = None  # web: the reference number answered
    signal_id: uuid.UUID | None = None  # where the channel makes it known in advance
    phone: str | None = None  # the shared number a tip names
    probe: bool = False  # sent right after a fault, to time it


@dataclass
class Ledger:
    accepted: list[Accepted] = field(default_factory=list)
    answers: dict[str, set[str]] = field(default_factory=dict)  # web: Idempotency-Key -> references
    retries: int = 0

    def of(self, channel: str) -> list[Accepted]:
        return [a for a in self.accepted if a.channel == channel]


class Load:
    """The senders. ``run`` drives every channel until ``stop``; ``probe`` sends one urgent tip now."""

    def __init__(self, system: Fleet, ledger: Ledger, *, pace_s: float = 1.0) -> None:
        self._system = system
        self.ledger = ledger
        self._pace = pace_s
        self._numbers = itertools.count(1)
        self._web = httpx.AsyncClient(base_url=f"http://127.0.0.1:{system.ports['webform']}", timeout=15)
        self._phone_url = f"http://127.0.0.1:{system.ports['phone']}"
        self._phone = httpx.AsyncClient(base_url=self._phone_url, timeout=15)
        self._sms_url = f"http://127.0.0.1:{system.ports['sms']}"
        self._sms = httpx.AsyncClient(base_url=self._sms_url, timeout=15)

    async def close(self) -> None:
        await self._web.aclose()
        await self._phone.aclose()
        await self._sms.aclose()

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(senders.every(stop, self._pace, self._web_tip),
                             senders.every(stop, self._pace * 2, self._text),
                             senders.every(stop, self._pace * 3, self._callback),
                             senders.every(stop, self._pace * 3, self._cdr_rows),
                             senders.every(stop, self._pace * 4, self._email))

    async def probe(self) -> Accepted:
        return await self._web_tip(urgent=True, probe=True)

    # ------------------------------------------------------------ channels

    async def _web_tip(self, *, urgent: bool | None = None, probe: bool = False) -> Accepted:
        n = next(self._numbers)
        urgent = n % 3 == 0 if urgent is None else urgent
        phone = PHONES[n % len(PHONES)]
        body = senders.tip_body(URGENT.format(age=14 + n % 3, n=n, phone=phone) if urgent else
                                ROUTINE.format(n=n, phone=phone), urgent=urgent)
        key = f"drill-{uuid.uuid4()}"
        # A reporter's retry: same body, same key, the same report.
        reference = await senders.post_tip(self._web, senders.TIP_PATH, body, key=key, pause_s=0.3,
                                           retried=self._retried)
        self.ledger.answers.setdefault(key, set()).add(reference)
        accepted = Accepted("web", key, datetime.now(UTC), urgent=urgent, reference=reference, phone=phone,
                            probe=probe)
        self.ledger.accepted.append(accepted)
        return accepted

    async def _callback(self) -> Accepted:
        sid = senders.new_call_sid()
        # Twilio retries a callback that was not answered, until it is.
        await senders.post_signed(self._phone, self._phone_url + senders.CALL_STATUS_PATH,
                                  senders.call_status_params(sid), token=TWILIO_TOKEN, ok=204, pause_s=0.3,
                                  retried=self._retried)
        accepted = Accepted("callback", sid, datetime.now(UTC))
        self.ledger.accepted.append(accepted)
        return accepted

    async def _text(self) -> Accepted:
        n = next(self._numbers)
        urgent = n % 4 == 0
        # Four texters in five are new; the fifth writes again within the conversation window (a
        # follow-up of their first text: the same case in review, a signal of its own).
        sender = f"+1214555{(n if n % 5 else n - 5) % 10000:04d}"
        phone = PHONES[n % len(PHONES)]
        body = (URGENT.format(age=14 + n % 3, n=n, phone=phone) if urgent else
                ROUTINE.format(n=n, phone=phone))
        sid = senders.new_message_sid()
        # Twilio's retry of a webhook it got no 2xx for (the same MessageSid), until it is answered.
        await senders.post_signed(self._sms, self._sms_url + senders.TEXT_PATH,
                                  senders.text_params(sid, sender, body), token=TWILIO_TOKEN, ok=200,
                                  pause_s=0.3, retried=self._retried)
        accepted = Accepted("sms", sid, datetime.now(UTC), urgent=urgent, phone=phone)
        self.ledger.accepted.append(accepted)
        return accepted

    async def _cdr_rows(self) -> None:
        rows = []
        for _ in range(2):
            n = next(self._numbers)
            start = datetime(2026, 3, 16, 14, 0) + timedelta(seconds=n)
            rows.append(senders.answered_call(f"+1214555{n % 10000:04d}", n, start, answered_after=5,
                                              duration=60 + n % 300, uniqueid=f"1773669600.{n}"))
        senders.append_rows(self._system.cdr_file, rows)
        for row in rows:
            key = f"cdr:{hashlib.sha256(row.rstrip(chr(10)).encode()).hexdigest()[:48]}"
            self.ledger.accepted.append(Accepted("cdr", key, datetime.now(UTC),
                                                 signal_id=signal_id_for("phone", key)))

    async def _email(self) -> None:
        n = next(self._numbers)
        message = senders.tip_email(n, f"<drill-{n}-{uuid.uuid4().hex[:8]}@example.org>")
        await asyncio.to_thread(senders.append_to_inbox, self._system.dovecot.port, message.as_bytes())
        message_id = str(message["Message-ID"]).strip("<>")
        self.ledger.accepted.append(Accepted("email", message_id, datetime.now(UTC)))

    def _retried(self) -> None:
        self.ledger.retries += 1


class Supervisor:
    """Claims every other urgent web tip as soon as it is in review (so it must not escalate); the
    rest nobody claims (so each must escalate once). Tries whichever review replica answers."""

    def __init__(self, system: Fleet, ledger: Ledger, watch: CaseStoreWatch) -> None:
        self._bases = [system.review_base(1), system.review_base(2)]
        self._token = system.tokens["sam"]
        self._ledger = ledger
        self._watch = watch
        self.claimed: dict[str, datetime] = {}

    @staticmethod
    def claims(item: Accepted) -> bool:
        even = hashlib.sha256(item.key.encode()).digest()[0] % 2 == 0
        return item.channel == "web" and item.urgent and even

    async def run(self, stop: asyncio.Event) -> None:
        headers = {"Authorization": f"Bearer {self._token}"}
        async with httpx.AsyncClient(timeout=10, headers=headers) as client:
            while not stop.is_set():
                wanted = [a for a in self._ledger.accepted
                          if self.claims(a) and a.reference not in self.claimed]
                for item in wanted:
                    found = self._watch.by_reference(item.reference or "")
                    if found and self._watch.alert_applied_at(item.reference or "") is not None:
                        await self._claim(client, item.reference or "", found[0].case_id)
                try:
                    await asyncio.wait_for(stop.wait(), 0.5)
                except TimeoutError:
                    continue

    async def _claim(self, client: httpx.AsyncClient, reference: str, case_id: uuid.UUID) -> None:
        for base in self._bases:
            try:
                response = await client.post(f"{base}/api/v1/cases/{case_id}/actions/claim", json={})
            except httpx.HTTPError:
                continue
            if response.status_code == 200:
                self.claimed[reference] = datetime.now(UTC)
                return
