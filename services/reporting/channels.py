"""The two written channels: email over SMTP (stdlib, in a thread) and signed webhooks (httpx).

Each send names its delivery the same way on every attempt (``Message-ID`` and
``Idempotency-Key`` from the step), so a resend after a crash is recognisably the same delivery.
Library errors become ``SendRefused`` (permanent: the chain moves on) or ``SendFailed`` (retry).

A report carries a narrative and maybe a reporter's identity: email goes over STARTTLS to a relay
whose certificate verifies (host name and chain, ``SmtpSecurity``), and a relay that offers no
STARTTLS or fails verification gets nothing, never a plain-text fallback. Only dev turns that off.
"""

from __future__ import annotations

import asyncio
import json
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
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


@dataclass(frozen=True)
class SmtpSecurity:
    """STARTTLS with the relay's certificate verified (the system's authorities, or ``cafile``'s)."""

    starttls: bool = True
    verify: bool = True
    cafile: Path | None = None

    def context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.cafile)
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


class SmtpSender:
    def __init__(self, host: str, port: int, sender: str, *, timeout_s: float = 20.0,
                 security: SmtpSecurity = SmtpSecurity(), username: str | None = None,
                 password: str | None = None) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._timeout = timeout_s
        self._security, self._username, self._password = security, username, password
        # Built once: loading the trust store per message would cost more than the handshake.
        self._context = security.context() if security.starttls else None

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
            if self._context is not None:
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    smtp.close()
                    raise SendFailed("smtp_starttls_unavailable")
                smtp.starttls(context=self._context)  # checks the chain and self._host's name
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
        except ssl.SSLCertVerificationError as error:
            smtp.close()
            raise SendFailed("smtp_tls_unverified") from error
        except ssl.SSLError as error:
            smtp.close()
            raise SendFailed("smtp_tls_failed") from error
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
