"""Sends what the ledger claimed, and reports each result back to it: the scheduler's one tick.

Every second (``tick_s``): resolve the requests that are ready, expire acknowledgement windows,
then claim and send the steps that are due. All state is in the database, so every timer (a
window, a retry, an interrupted send) survives a restart: the next process's first tick finds it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import timedelta

from pydantic import SecretStr

from services.reporting.chains import full_chain
from services.reporting.channels import SendError, SendRefused, SmtpSender, WebhookSender, delivery_key
from services.reporting.ledger import Claim, Ledger
from services.reporting.protocols.model import EmailChannel, WebhookChannel
from services.reporting.protocols.regions import ProtocolSet
from services.reporting.redaction import Header, audience_of, redact, render_text
from services.reporting.resolution import resolve_request
from services.reporting.store import Store

log = logging.getLogger(__name__)


class Courier:
    def __init__(self, *, store: Store, ledger: Ledger, protocols: ProtocolSet, email: SmtpSender,
                 webhooks: WebhookSender, webhook_secrets: Mapping[str, SecretStr], public_base_url: str,
                 retry_after: timedelta = timedelta(seconds=15)) -> None:
        self._store, self._ledger, self._protocols = store, ledger, protocols
        self._email, self._webhooks, self._secrets = email, webhooks, webhook_secrets
        self._base = public_base_url.rstrip("/")
        self._retry_after = retry_after

    async def tick(self) -> int:
        """One pass; how many steps were sent."""
        for pending in await asyncio.to_thread(self._store.ready_to_resolve):
            resolution = resolve_request(self._protocols, pending.request, pending.victims)
            chains = [full_chain(self._protocols, lookup) for lookup in resolution.lookups]
            await asyncio.to_thread(self._store.store_resolution, pending.request.report_id, resolution,
                                    chains)
            log.info("report resolved", extra={"reference_number": pending.request.reference_number,
                                               "count": sum(len(c) for c in chains)})
        await asyncio.to_thread(self._ledger.expire)
        claims = await asyncio.to_thread(self._ledger.claim)
        if claims:
            await asyncio.gather(*(self.send(claim) for claim in claims))
        return len(claims)

    async def send(self, claim: Claim) -> None:
        request, signal = await asyncio.to_thread(self._store.content_for, claim.report_id)
        header = Header(reference_number=request.reference_number, need=request.need.value,
                        urgency=request.urgency.value, kind=request.kind,
                        ack_url=f"{self._base}/ack/{claim.token}")
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
            return
        except SendError as error:
            log.warning("delivery failed, retrying", extra={"reference_number": claim.reference_number,
                                                            "reason": error.reason})
            await asyncio.to_thread(self._ledger.retry_later, claim, self._retry_after)
            return
        await asyncio.to_thread(self._ledger.delivered, claim)

    async def run(self, stop: asyncio.Event, tick_s: float) -> None:
        while not stop.is_set():
            try:
                await self.tick()
            except Exception as error:  # noqa: BLE001 - the clock must keep running; state is in the db
                log.error("delivery tick failed", extra={"error_class": type(error).__name__})
            try:
                await asyncio.wait_for(stop.wait(), tick_s)
            except TimeoutError:
                continue
