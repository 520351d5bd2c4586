"""The two written channels: email over SMTP (stdlib, in a thread) and signed webhooks (httpx).

Each send names its delivery the same way on every attempt (``Message-ID`` and
``Idempotency-Key`` from the step), so a resend after a crash is recognisably the same delivery.
Library errors become ``SendRefused`` (permanent: the chain moves on) or ``SendFailed`` (retry).
"""

from __future__ import annotations

import asyncio
import json
import smtplib
import time
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import httpx

from services.reporting.signing import signed_headers


class SendError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SendRefused(SendError):
    """The recipient refused it for good (an unknown mailbox, a 4xx): do not retry."""


class SendFailed(SendError):
    """A transient failure (connection, timeout, 5xx, a 4xx SMTP reply): retry later."""


def delivery_key(report_id: str, lookup_index: int, step_index: int) -> str:
    return f"report-{report_id}-{lookup_index}-{step_index}"


class SmtpSender:
    def __init__(self, host: str, port: int, sender: str, *, timeout_s: float = 20.0,
                 starttls: bool = False, username: str | None = None, password: str | None = None) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._timeout = timeout_s
        self._starttls, self._username, self._password = starttls, username, password

    async def send(self, to: str, subject: str, body: str, key: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self._sender, to, subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = f"<{key}@{self._sender.rpartition('@')[2]}>"
        message.set_content(body)
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        try:
            smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        except (smtplib.SMTPException, OSError) as error:
            raise SendFailed("smtp_unreachable") from error
        try:
            if self._starttls:
                smtp.starttls()
            if self._username and self._password:
                smtp.login(self._username, self._password)
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            smtp.close()
            codes = [code for code, _ in error.recipients.values()]
            if all(code >= 500 for code in codes):
                raise SendRefused("smtp_recipient_refused") from error
            raise SendFailed("smtp_recipient_deferred") from error
        except smtplib.SMTPResponseException as error:
            smtp.close()
            if error.smtp_code >= 500:
                raise SendRefused(f"smtp_{error.smtp_code}") from error
            raise SendFailed(f"smtp_{error.smtp_code}") from error
        except (smtplib.SMTPException, OSError) as error:
            smtp.close()
            raise SendFailed("smtp_unreachable") from error
        # The server accepted the message: whatever QUIT answers, it is delivered (a failure here
        # must not make the ledger send it again, or move the chain on).
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


class WebhookSender:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(self, url: str, secret: bytes, document: dict[str, Any], key: str) -> None:
        body = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
        headers = signed_headers(secret, int(time.time()), body, key)
        try:
            response = await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise SendFailed("webhook_unreachable") from error
        if response.is_success:
            return
        if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
            raise SendRefused(f"webhook_{response.status_code}")
        raise SendFailed(f"webhook_{response.status_code}")
