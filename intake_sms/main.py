"""Composition root of the SMS intake: the webhook, the spool and its drainer, the conversation store,
media, the sender of texts, and the consumer of supervisors' replies."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx

from contracts import Service, Topic
from contracts.events import ReplyRequested
from intake_sms.config import SmsSettings
from intake_sms.conversations import ConversationStore
from intake_sms.handler import AutoReplies, TextIntake
from intake_sms.media import TwilioMediaFetcher
from intake_sms.metrics import SmsMetrics
from intake_sms.outbound import RecordingSender, TextSender, TwilioSender
from intake_sms.replies import ReplyDesk
from intake_sms.source import build_app
from services.runtime import (
    ConsumerLoop,
    ConsumerSpec,
    Health,
    HttpServer,
    ServiceContext,
    load_settings,
    run_service,
)
from services.runtime.blobs import BlobStore
from services.runtime.durable import DurableSender
from services.runtime.lifecycle import connect_when_possible
from services.runtime.spool import Spool

log = logging.getLogger(__name__)


def now() -> datetime:
    return datetime.now(UTC)


def text_sender(settings: SmsSettings, client: httpx.AsyncClient) -> TextSender:
    if settings.sms_sender == "twilio" and settings.twilio_account_sid:
        return TwilioSender(client, account_sid=settings.twilio_account_sid,
                            auth_token=settings.twilio_auth_token.get_secret_value(),
                            sender=settings.sms_from,
                            messaging_service_sid=settings.twilio_messaging_service_sid,
                            api_url=settings.twilio_api_url)
    return RecordingSender(settings.sms_outbox_file)


async def forget_expired(store: ConversationStore, settings: SmsSettings, stop: asyncio.Event) -> None:
    """Numbers past their retention, hourly; message places once no retry can need them."""
    keep = max(timedelta(hours=settings.conversation_window_hours), timedelta(days=2))
    while not stop.is_set():
        forgotten = await asyncio.to_thread(store.forget_expired, now=now(), keep_messages=keep)
        if forgotten:
            log.info("texters' numbers forgotten after their retention", extra={"count": forgotten})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 3600)


@contextlib.asynccontextmanager
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0), max_redirects=3,
                                 trust_env=False) as client:
        yield client


async def serve(context: ServiceContext, settings: SmsSettings) -> None:
    # Ready even while the broker is away: texts go to the spool, and the drainer keeps trying to connect.
    publisher = await connect_when_possible(context, settings, Service.INTAKE_SMS)
    spool = Spool(settings.spool_dir, max_records=settings.spool_max_records,
                  max_bytes=settings.spool_max_bytes)
    sender = DurableSender(publisher, spool, publish_timeout=settings.publish_timeout_s)
    context.ops.attach(publisher, spool=lambda: (len(spool), settings.spool_max_records))
    store = ConversationStore(settings.state_file, window=timedelta(hours=settings.conversation_window_hours),
                              number_retention=timedelta(days=settings.number_retention_days))
    metrics = SmsMetrics(context.metrics.registry)
    metrics.spool_records.set(len(spool))
    token = settings.twilio_auth_token.get_secret_value()
    async with http_client() as client:
        texts = text_sender(settings, client)
        fetcher = TwilioMediaFetcher(client, hosts=settings.media_hosts,
                                     account_sid=settings.twilio_account_sid, auth_token=token,
                                     allow_loopback_http=settings.environment != "production")
        intake = TextIntake(
            sender=sender, store=store, fetcher=fetcher, texts=texts,
            blobs=BlobStore(settings.blob_dir, settings.blob_keyring()),
            auto=AutoReplies(settings.carrier_replies(), keywords=settings.keyword_replies,
                             acknowledge_opted_in=settings.acknowledge_opted_in),
            secret=settings.reference_secret.get_secret_value().encode(),
            hotline_names=settings.hotline_names, now=now, metrics=metrics,
            default_region=settings.default_region, max_media_bytes=settings.max_media_bytes,
            media_timeout_s=settings.media_timeout_s,
            source=Service.INTAKE_SMS.source)
        desk = ReplyDesk(store=store, texts=texts, publisher=publisher, hotline_names=settings.hotline_names,
                         now=now, metrics=metrics)
        # The replies consumer reports to a health of its own: while the broker is away it waits,
        # and the webhook must stay ready meanwhile (texts go to the spool), or Twilio's texts
        # would be refused at the door exactly when they can still be kept.
        replies = ConsumerLoop(
            ConsumerSpec(name="intake-sms.replies", topic=Topic.REPLIES_REQUESTED, group="intake-sms.replies",
                         handler=desk.handle, event_type=ReplyRequested),
            settings=settings, dlq_publisher=publisher, metrics=context.metrics, health=Health(),
            ops=context.ops)
        app = build_app(intake=intake, twilio_auth_token=token, public_url=settings.twilio_public_url)
        server = HttpServer(app, settings.http_host, settings.http_port, name="sms",
                            trusted_proxies=settings.trusted_proxies)
        tasks = [asyncio.create_task(sender.drain(), name="spool-drainer")]
        try:
            await server.start()
            context.health.set("http", ready=True, detail=server.url)
            tasks.append(asyncio.create_task(forget_expired(store, settings, context.stop), name="forget"))
            # Runs until the stop signal; a consumer that halted itself stops the service (exit 75).
            await replies.run(context.stop)
        finally:
            context.stop.set()
            await server.stop()
            await intake.wait_answers()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await sender.close()
            await context.ops.close()
            try:
                # What the producer still holds is on disk in the spool, so the wait is bounded.
                await asyncio.wait_for(publisher.stop(), settings.publish_timeout_s * 3)
            except TimeoutError:
                log.warning("producer did not stop in time; unacknowledged texts stay in the spool")
            store.close()


def main() -> int:
    settings = load_settings(SmsSettings)
    return run_service(Service.INTAKE_SMS, settings, lambda context: serve(context, settings))
