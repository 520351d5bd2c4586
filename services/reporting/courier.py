"""Sends what the ledger claimed, and reports each result back to it: the scheduler's one tick.

Every ``tick_s``, and at once when woken (a request or a signal recorded, an acknowledgement):
resolve the requests that are ready, expire acknowledgement windows, then claim and send the steps
that are due, again and again while there are any. All state is in the database, so every timer
(a window, a retry, an interrupted send) survives a restart: the next process's first tick finds it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta

from pydantic import SecretStr

from services.reporting.chains import full_chain
from services.reporting.channels import SendError, SendRefused, SmtpSender, WebhookSender, delivery_key
from services.reporting.ledger import Claim, Ledger
from services.reporting.protocols.model import EmailChannel, WebhookChannel
from services.reporting.protocols.regions import ProtocolSet
from services.reporting.redaction import Header, audience_of, redact, render_text
from services.reporting.resolution import resolve_request
from services.reporting.store import Resolved, Store
from services.runtime.tracing import annotate, span

log = logging.getLogger(__name__)


class Courier:
    def __init__(self, *, store: Store, ledger: Ledger, protocols: ProtocolSet, email: SmtpSender,
                 webhooks: WebhookSender, webhook_secrets: Mapping[str, SecretStr], public_base_url: str,
                 retry_after: timedelta = timedelta(seconds=15),
                 on_change: Callable[[], None] = lambda: None) -> None:
        self._store, self._ledger, self._protocols = store, ledger, protocols
        self._email, self._webhooks, self._secrets = email, webhooks, webhook_secrets
        self._base = public_base_url.rstrip("/")
        self._retry_after = retry_after
        self._on_change = on_change  # wakes the outbox relay after a pass that changed the ledger
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        """Work may be waiting (callable from any thread): tick now rather than at the next tick."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def tick(self, batch: int = 20) -> bool:
        """One pass. True when a batch was full: more work may be due at once."""
        ready = await asyncio.to_thread(self._store.ready_to_resolve, batch)
        resolved: list[Resolved] = []
        for pending in ready:
            resolution = resolve_request(self._protocols, pending.request, pending.victims)
            chains = [full_chain(self._protocols, lookup) for lookup in resolution.lookups]
            resolved.append((pending.request.report_id, resolution, chains))
            log.info("report resolved", extra={"reference_number": pending.request.reference_number,
                                               "count": sum(len(c) for c in chains)})
        if resolved:
            await asyncio.to_thread(self._store.store_resolutions, resolved)
        expired = await asyncio.to_thread(self._ledger.expire)
        claims = await asyncio.to_thread(self._ledger.claim, batch)
        if claims:
            await asyncio.gather(*(self.send(claim) for claim in claims))
        if ready or expired or claims:
            self._on_change()
        return len(ready) >= batch or len(claims) >= batch

    async def send(self, claim: Claim) -> bool:
        """Send one claimed step and record the result; True when the recipient took it.

        Each delivery commits as soon as its own send returns, not with its batch (nor in a group
        commit): a crash between a recipient's "accepted" and that commit is the one way a step
        reaches somebody twice, and the window stays one send wide. At a hotline's volume a
        duplicate report costs more than the throughput a shared commit would buy."""
        with span("report deliver", {
                "hotline.report_id": str(claim.report_id), "hotline.signal_id": str(claim.signal_id),
                "hotline.need": claim.need, "hotline.victim": claim.lookup_index,
                "hotline.step": claim.step_index, "hotline.delivery_channel": claim.channel,
                "hotline.attempt": claim.attempt}) as delivering:
            sent = await self._send(claim)
            annotate(delivering, {"hotline.outcome": "delivered" if sent else "failed"})
            return sent

    async def _send(self, claim: Claim) -> bool:
        request, signal = claim.request, claim.signal
        header = Header(reference_number=request.reference_number, need=request.need.value,
                        urgency=request.urgency.value, kind=request.kind,
                        ack_url=f"{self._base}/ack/{claim.token}", obligation=claim.obligation)
        document = redact(audience_of(claim.contact.kind), header, signal)
        key = delivery_key(str(claim.report_id), claim.lookup_index, claim.step_index)
        channel = next(c for c in claim.contact.channels if c.type == claim.channel)
        try:
            if isinstance(channel, EmailChannel):
                subject = f"Hotline report {request.reference_number}: {request.need.value}"
                await self._email.send(channel.address, subject, render_text(document), key)
            elif isinstance(channel, WebhookChannel):
                secret = self._secrets.get(claim.contact.id)
                if secret is None:
                    raise SendRefused("no_webhook_secret")
                await self._webhooks.send(channel.url, secret.get_secret_value().encode(), document, key)
        except SendRefused as error:
            log.warning("delivery refused", extra={"reference_number": claim.reference_number,
                                                   "reason": error.reason})
            await asyncio.to_thread(self._ledger.refused, claim, error.reason)
            return False
        except SendError as error:
            log.warning("delivery failed, retrying", extra={"reference_number": claim.reference_number,
                                                            "reason": error.reason})
            await asyncio.to_thread(self._ledger.retry_later, claim, self._retry_after)
            return False
        await asyncio.to_thread(self._ledger.delivered, claim)
        return True

    async def run(self, stop: asyncio.Event, tick_s: float, batch: int = 20) -> None:
        self._loop = asyncio.get_running_loop()
        while not stop.is_set():
            self._wake.clear()
            try:
                while await self.tick(batch) and not stop.is_set():
                    pass  # a full batch: more may be due
            except Exception as error:  # noqa: BLE001 - the clock must keep running; state is in the db
                log.error("delivery tick failed", extra={"error_class": type(error).__name__})
            stopping = asyncio.create_task(stop.wait())
            woken = asyncio.create_task(self._wake.wait())
            await asyncio.wait((stopping, woken), timeout=tick_s, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            woken.cancel()
