"""Composition root of the web intake: settings, publisher, spool and drainer, the app, the servers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from contracts import Service
from intake_webform.config import WebformSettings
from intake_webform.handler import Intake, Limits
from intake_webform.metrics import WebformMetrics
from intake_webform.ratelimit import GlobalBudget, RateLimiter
from intake_webform.source import Contact, build_app
from services.runtime import (
    HttpServer,
    ServiceContext,
    load_settings,
    run_service,
)
from services.runtime.blobs import BlobStore
from services.runtime.durable import DurableSender
from services.runtime.heap import settle_after_start
from services.runtime.lifecycle import connect_when_possible
from services.runtime.spool import Spool

log = logging.getLogger(__name__)


async def serve(context: ServiceContext, settings: WebformSettings) -> None:
    # Ready even while the broker is away: tips go to the spool, and the drainer keeps trying to connect.
    publisher = await connect_when_possible(context, settings, Service.INTAKE_WEBFORM)
    spool = Spool(settings.spool_dir, max_records=settings.spool_max_records,
                  max_bytes=settings.spool_max_bytes)
    budget = GlobalBudget(per_s=settings.rate_global_per_s, burst=settings.rate_global_burst)
    sender = DurableSender(publisher, spool, publish_timeout=settings.publish_timeout_s, budget=budget)
    metrics = WebformMetrics(context.metrics.registry)
    metrics.watch_spool(spool.usage)
    context.ops.attach(publisher, spool=lambda: (len(spool), settings.spool_max_records))
    retired = [secret.get_secret_value().encode() for secret in settings.retired_reference_secrets]
    intake = Intake(sender=sender, blobs=BlobStore(settings.blob_dir, settings.blob_keyring()),
                    limits=Limits(settings.max_attachments, settings.max_attachment_bytes),
                    secret=settings.reference_secret.get_secret_value().encode(),
                    now=lambda: datetime.now(UTC), metrics=metrics, source=Service.INTAKE_WEBFORM.source,
                    retired_secrets=retired)
    # Per-client budgets only where the address is the reporter's: behind an onion service or a
    # proxy that forwards nothing, one "client" would be every reporter at once.
    limiter = RateLimiter(per_client=settings.rate_per_client if settings.clients_told_apart else None,
                          window_s=settings.rate_window_s)
    app = build_app(intake=intake, limiter=limiter, max_request_bytes=settings.max_request_bytes,
                    contact=Contact(hotline=settings.hotline_number, text=settings.hotline_text))
    server = HttpServer(app, settings.http_host, settings.http_port, name="webform",
                        trusted_proxies=settings.trusted_proxies)
    drainer = asyncio.create_task(sender.drain(), name="spool-drainer")
    try:
        await server.start()
        settle_after_start()  # everything start-up made stays; spare each tip's collections from it
        context.health.set("http", ready=True, detail=server.url)
        await context.stop.wait()
    finally:
        await server.stop()
        drainer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await drainer
        await sender.close()
        await context.ops.close()
        try:
            # With the broker gone the producer would wait out its delivery timeout; what it still
            # holds is on disk in the spool, so the wait is bounded.
            await asyncio.wait_for(publisher.stop(), settings.publish_timeout_s * 3)
        except TimeoutError:
            log.warning("producer did not stop in time; unacknowledged tips stay in the spool")


def main() -> int:
    settings = load_settings(WebformSettings)
    return run_service(Service.INTAKE_WEBFORM, settings, lambda context: serve(context, settings))
