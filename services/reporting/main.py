"""Composition root of reporting: the ledger, its consumers, the courier clock, the relay, the app."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx

from contracts import Service, Topic
from contracts.events import ErasureOrdered, ReportRequested, SignalReceived
from services.reporting.channels import SmtpSender, WebhookSender
from services.reporting.config import ReportingSettings
from services.reporting.courier import Courier
from services.reporting.db import Database, migrate
from services.reporting.erasure import ErasureWriter, LedgerErasure
from services.reporting.handler import LedgerWriter
from services.reporting.ledger import Ledger
from services.reporting.models import OutboxRecord
from services.reporting.protocols.loader import load_protocols
from services.reporting.retention import LedgerPurge, LedgerPurgeMetrics, ledger_purge
from services.reporting.store import Store
from services.reporting.tokens import AckTokens
from services.reporting.web import Hotline, build_app
from services.runtime import (
    ConsumerLoop,
    ConsumerSpec,
    HttpServer,
    KafkaPublisher,
    ServiceContext,
    load_settings,
    run_service,
)
from services.runtime.lifecycle import supervise
from services.runtime.local_time import LocalClock
from services.runtime.outbox import OutboxRelay

COURIER_BATCH = 20  # steps sent together in one pass


def now() -> datetime:
    return datetime.now(UTC)


async def serve(context: ServiceContext, settings: ReportingSettings) -> None:
    # Sends (SMTP is blocking) and ledger transactions run in threads: a batch of sends must not
    # queue behind a handful of them. The database pool is sized to match.
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=COURIER_BATCH + 8, thread_name_prefix="reporting"))
    protocols = await asyncio.to_thread(load_protocols, settings.protocols_dir)
    await asyncio.to_thread(migrate, settings.reporting_database_url)
    db = Database(settings.reporting_database_url, pool_size=COURIER_BATCH)
    store = Store(db, now=now, facts_grace=timedelta(seconds=settings.facts_grace_s))
    ledger = Ledger(db, now=now, tokens=AckTokens(settings.ack_secret.get_secret_value().encode()),
                    lease=timedelta(seconds=settings.send_lease_s))
    publisher = KafkaPublisher(settings, source=Service.REPORTING.source, metrics=context.metrics)
    await publisher.start()
    context.ops.attach(publisher)
    relay = OutboxRelay(db, publisher, model=OutboxRecord, now=now, poll_s=0.5)
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    email = SmtpSender(settings.smtp_host, settings.smtp_port, settings.smtp_from,
                       security=settings.smtp_security(), username=settings.smtp_username, password=password)
    client = httpx.AsyncClient(timeout=httpx.Timeout(20.0), follow_redirects=False)
    courier = Courier(store=store, ledger=ledger, protocols=protocols, email=email,
                      webhooks=WebhookSender(client), webhook_secrets=settings.webhook_secrets,
                      public_base_url=settings.public_base_url,
                      retry_after=timedelta(seconds=settings.retry_after_s), on_change=relay.wake)
    writer = LedgerWriter(store, on_change=courier.wake)
    erasures = ErasureWriter(LedgerErasure(db, now=now))
    consumers = [
        ConsumerLoop(ConsumerSpec(name=f"reporting.{name}", topic=topic, group=f"reporting.{name}",
                                  handler=handler, event_type=event_type),
                     settings=settings, dlq_publisher=publisher, metrics=context.metrics,
                     health=context.health, ops=context.ops)
        for name, topic, handler, event_type in (
            ("signals", Topic.SIGNALS_RECEIVED, writer.received, SignalReceived),
            ("requests", Topic.REPORTS_REQUESTED, writer.requested, ReportRequested),
            ("erasures", Topic.ERASURES_ORDERED, erasures.ordered, ErasureOrdered),
        )
    ]

    def changed() -> None:  # an acknowledgement or a call outcome: publish it, move the chains on
        relay.wake()
        courier.wake()

    app = build_app(ledger, specialist_token=settings.specialist_token, on_change=changed,
                    public_base_url=settings.public_base_url,
                    hotline=Hotline(settings.hotline_name, settings.hotline_number),
                    clock=LocalClock(settings.timezone), now=now)
    server = HttpServer(app, settings.http_host, settings.http_port, name=Service.REPORTING,
                        trusted_proxies=settings.trusted_proxies)
    try:
        await server.start()
        context.health.set("http", ready=True, detail=server.url)
        metrics = LedgerPurgeMetrics(context.metrics.registry)
        purge = LedgerPurge(db, settings.retention_schedule(), now=now, batch=settings.purge_batch,
                            on_purged=metrics.purged)
        await supervise(context.stop, {
            **{loop.spec.name: loop.run(context.stop) for loop in consumers},
            "reporting.outbox": relay.run(context.stop),
            "reporting.courier": courier.run(context.stop, settings.tick_s, COURIER_BATCH),
            "reporting.retention": ledger_purge(purge, settings.purge_interval_hours * 3600, context.stop),
        })
    finally:
        context.stop.set()
        await server.stop()
        await client.aclose()
        await context.ops.close()
        await publisher.stop()
        db.dispose()


def main() -> int:
    settings = load_settings(ReportingSettings)
    return run_service(Service.REPORTING, settings, lambda context: serve(context, settings))
