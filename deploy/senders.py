"""Signals sent to a running system as its outside world sends them: Twilio's signed texts and call
callbacks, emails appended to the mailbox, call-detail rows appended to the PBX's file, web tips.

The fault drill (``tests/drill``) and the system benchmark (``bench/system``) both send through
these; what they say, how often and how they count is theirs. Fake numbers and example.org
addresses only.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Final

import httpx
from imapclient import IMAPClient
from twilio.request_validator import RequestValidator

from deploy.cdr_rows import Row
from deploy.localimap import PASSWORD, USER

TEXT_PATH: Final = "/twilio/messaging"  # the SMS intake's messaging webhook
CALL_STATUS_PATH: Final = "/twilio/voice/status"  # the phone intake's call status callback
TIP_PATH: Final = "/api/v1/tips"  # the web intake's JSON API
MAIL: Final = ("Hello, I think the workers at the farm on County Road {n} cannot leave. Their boss keeps "
               "their papers.")


def new_message_sid() -> str:
    return "SM" + uuid.uuid4().hex


def new_call_sid() -> str:
    return "CA" + uuid.uuid4().hex


def text_params(sid: str, sender: str, body: str) -> dict[str, str]:
    """An inbound text as Twilio's messaging webhook posts it."""
    return {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender,
            "To": "233733", "Body": body, "NumMedia": "0", "NumSegments": "1"}


def call_status_params(sid: str) -> dict[str, str]:
    """A completed inbound call's status callback, as Twilio Voice posts it."""
    return {"CallSid": sid, "From": "+12145550142", "To": "+18883737888", "CallStatus": "completed",
            "Direction": "inbound", "CallDuration": "61"}


async def post_signed(client: httpx.AsyncClient, url: str, params: dict[str, str], *, token: str, ok: int,
                      pause_s: float, attempts: int | None = None,
                      retried: Callable[[], None] = lambda: None) -> bool:
    """Post a webhook signed as Twilio signs it (``url`` is the full URL it signs) until it is answered
    ``ok``, as Twilio retries one that was not: at most ``attempts`` times (None: until it is), ``pause_s``
    apart, calling ``retried`` after each miss. True once answered ``ok``."""
    signature = RequestValidator(token).compute_signature(url, params)
    tried = 0
    while attempts is None or tried < attempts:
        tried += 1
        try:
            response = await client.post(url, data=params, headers={"X-Twilio-Signature": signature})
            if response.status_code == ok:
                return True
        except httpx.HTTPError:
            pass
        retried()
        await asyncio.sleep(pause_s)
    return False


def tip_body(narrative: str, *, urgent: bool) -> dict[str, Any]:
    """A web tip's JSON body: where, and whether someone is in danger now."""
    if urgent:
        return {"narrative": narrative, "location_state": "TX", "danger_now": "yes"}
    return {"narrative": narrative, "location_state": "TX"}


async def post_tip(client: httpx.AsyncClient, url: str, body: dict[str, Any], *, key: str, pause_s: float,
                   retried: Callable[[], None] = lambda: None) -> str:
    """Send a tip until the web intake takes it, as a reporter's browser retries: the same body with the
    same ``Idempotency-Key`` (the same report). The reference number answered."""
    while True:
        try:
            response = await client.post(url, json=body, headers={"Idempotency-Key": key})
            if response.status_code == 202:
                return str(response.json()["reference_number"])
        except httpx.HTTPError:
            pass
        retried()
        await asyncio.sleep(pause_s)


def tip_email(n: int, message_id: str) -> EmailMessage:
    """The ``n``-th emailed tip, with the ``Message-ID`` given (angle brackets included)."""
    message = EmailMessage()
    message["From"] = f"tipster{n}@example.org"
    message["To"] = "tips@hotline.example.org"
    message["Subject"] = f"Workers on County Road {n}"
    message["Message-ID"] = message_id
    message.set_content(MAIL.format(n=n))
    return message


def append_to_inbox(port: int, raw: bytes) -> None:
    """Store a message in the local Dovecot's inbox (``deploy.localimap``), as a mail server delivers it."""
    client = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=30)
    try:
        client.login(USER, PASSWORD)
        client.append("INBOX", raw)
    finally:
        client.logout()


def answered_call(caller: str, n: int, start: datetime, *, answered_after: int, duration: int,
                  uniqueid: str) -> str:
    """The row of an answered call from ``caller`` (a fake 555 number), named as the ``n``-th caller."""
    return Row(caller, f'"Caller {n}" <{caller}>', start, answered_after, duration, "ANSWERED",
               uniqueid).line()


def append_rows(cdr_file: Path, rows: list[str]) -> None:
    """Add rows to the call-detail file, as the PBX appends them when calls end."""
    with cdr_file.open("a") as file:
        file.write("".join(rows))


async def every(stop: asyncio.Event, seconds: float, send: Callable[[], Awaitable[object]]) -> None:
    """``send`` again and again, ``seconds`` apart, until ``stop`` is set."""
    while not stop.is_set():
        await send()
        try:  # the senders' own pace, not a wait for an outcome
            await asyncio.wait_for(stop.wait(), seconds)
        except TimeoutError:
            continue
