"""Composition root of review: case store, consumer of ``signals.triaged``, HTTP API."""

from __future__ import annotations

import asyncio
import functools

from contracts import Topic
from contracts.events import SignalTriaged
from services.review.config import ReviewSettings
from services.review.handler import record_triaged
from services.review.source import build_app
from services.review.store import CaseStore
from services.runtime import (
    ConsumerLoop,
    ConsumerSpec,
    HttpServer,
    KafkaPublisher,
    ServiceContext,
    load_settings,
    run_service,
)

SERVICE = "review"


async def serve(context: ServiceContext, settings: ReviewSettings) -> None:
    store = CaseStore(settings.review_db)
    publisher = KafkaPublisher(settings, source=f"/hotline/{SERVICE}", metrics=context.metrics)
    await publisher.start()
    context.ops.attach(publisher)
    spec = ConsumerSpec(
        name="review.cases", topic=Topic.SIGNALS_TRIAGED, group="review.cases",
        handler=functools.partial(record_triaged, store=store), event_type=SignalTriaged,
    )
    loop = ConsumerLoop(spec, settings=settings, dlq_publisher=publisher, metrics=context.metrics,
                        health=context.health, ops=context.ops)
    server = HttpServer(build_app(store), settings.http_host, settings.http_port, name="review")
    try:
        await server.start()
        consuming = asyncio.create_task(loop.run(context.stop), name="review.cases")
        await consuming  # returns on stop; raises ConsumerHalted if the loop halted itself
    finally:
        await server.stop()
        await context.ops.close()
        await publisher.stop()
        store.close()


def main() -> int:
    settings = load_settings(ReviewSettings)
    return run_service(SERVICE, settings, lambda context: serve(context, settings))
