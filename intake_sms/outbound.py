"""Sending texts: one small port, Twilio's Messages API behind it, and a local recorder.

The recorder is what the local run and the tests use: it appends each text to a JSON-lines file
and keeps it in memory, and sends nothing anywhere. Nothing here decides whether a text may go
(``replies`` and the inbound handler do); this only delivers what it is given, once.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import httpx


class SendFailed(Exception):
    """The provider did not take the text; ``reason`` is ``provider_refused`` (it answered no: a bad
    number, a blocked recipient) or ``provider_unavailable`` (no answer, a server error)."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason if status is None else f"{reason} ({status})")
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class SentText:
    provider_id: str  # the provider's id of the message (Twilio: SM...)


class TextSender(Protocol):
    async def send(self, to: str, body: str) -> SentText:
        """Send ``body`` to ``to`` (E.164). Raises ``SendFailed``."""


class TwilioSender:
    """``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with To, Body and From (or a
    Messaging Service), under HTTP Basic with the account SID and auth token. Not retried: a text
    to someone in danger is better missing (and reported so) than sent twice."""

    def __init__(self, client: httpx.AsyncClient, *, account_sid: str, auth_token: str, sender: str,
                 messaging_service_sid: str | None = None, api_url: str = "https://api.twilio.com") -> None:
        self._client = client
        self._url = f"{api_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._auth = httpx.BasicAuth(account_sid, auth_token)
        self._from = ({"MessagingServiceSid": messaging_service_sid} if messaging_service_sid
                      else {"From": sender})

    async def send(self, to: str, body: str) -> SentText:
        try:
            response = await self._client.post(self._url, data={"To": to, "Body": body, **self._from},
                                               auth=self._auth)
        except httpx.HTTPError as error:
            raise SendFailed("provider_unavailable") from error
        if response.status_code >= 500 or response.status_code == 429:
            raise SendFailed("provider_unavailable", response.status_code)
        if response.status_code >= 300:
            raise SendFailed("provider_refused", response.status_code)
        try:
            sid = str(response.json()["sid"])
        except (ValueError, KeyError, TypeError):
            sid = ""
        return SentText(provider_id=sid)


class RecordingSender:
    """Sends nothing: records each text (in memory, and appended to ``path`` when given, 0600)."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self.sent: list[tuple[str, str]] = []
        self._lock = asyncio.Lock()

    async def send(self, to: str, body: str) -> SentText:
        async with self._lock:
            self.sent.append((to, body))
            provider_id = f"SMrecorded{len(self.sent):024d}"
            if self._path is not None:
                line = json.dumps({"at": datetime.now(UTC).isoformat(), "to": to, "body": body,
                                   "provider_id": provider_id}) + "\n"
                await asyncio.to_thread(_append, self._path, line)
        return SentText(provider_id=provider_id)


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with open(fd, "a", encoding="utf-8") as file:
        file.write(line)
