"""Composition root of triage: the publisher, the dead-letter policy, the faust app, its lifecycle."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from contracts import Service, Topic
from services.runtime import (
    ConsumerHalted,
    DeadLetterer,
    KafkaPublisher,
    ServiceContext,
    load_settings,
    run_service,
)
from services.runtime.broker_view import GroupProbe
from services.runtime.progress import ProgressWatch, watch_progress
from triage.app import client_id, create_app
from triage.config import TriageSettings
from triage.correlation import CorrelationStore, EntityKeyer
from triage.processor import GROUP, TriageProcessor
from triage.rules import warm_up
from triage.sightings import Sightings


async def serve(context: ServiceContext, settings: TriageSettings) -> None:
    # Outputs go through the runtime's idempotent producer (faust's own is not idempotent
    # outside transactions, and the design rules transactions out).
    publisher = KafkaPublisher(settings, source=Service.TRIAGE.source, metrics=context.metrics)
    await publisher.start()
    context.ops.attach(publisher)
    group = settings.group_id(GROUP)
    halted: list[ConsumerHalted] = []

    def on_halt(error: ConsumerHalted) -> None:
        halted.append(error)
        context.stop.set()

    store = CorrelationStore(window=settings.correlation_window, max_keys=settings.correlation_max_keys)
    sightings = Sightings(settings, store, context.metrics, client_id=f"{client_id(settings)}.sightings",
                          now=lambda: datetime.now(UTC))
    processor = TriageProcessor(
        publisher=publisher,
        dead_letters=DeadLetterer(topic=Topic.SIGNALS_RECEIVED, group=group, publisher=publisher,
                                  metrics=context.metrics,
                                  max_consecutive=settings.max_consecutive_dead_letters,
                                  ops=context.ops),
        metrics=context.metrics, now=lambda: datetime.now(UTC), group=group, on_halt=on_halt,
        keyer=EntityKeyer(settings.entity_key_secret.get_secret_value().encode()),
        store=store,
    )
    warm_up()  # pattern gates and lingua's models load now, not on the first signal
    settings.faust_datadir.mkdir(parents=True, exist_ok=True)  # faust creates only the last level
    progress = ProgressWatch(client_id=client_id(settings), stall_s=settings.progress_stall_s)
    probe = GroupProbe(settings, Topic.SIGNALS_RECEIVED, group, client_id=f"{client_id(settings)}.progress")
    app = create_app(settings, processor, progress)
    # Ready only while in the group and moving through the records it holds (services.runtime.progress).
    context.health.set("faust", ready=False, detail="starting")
    watching: asyncio.Task[None] | None = None
    following: asyncio.Task[None] | None = None
    try:
        # The shared correlation window first, so the first signals are linked like any other.
        await sightings.load(timeout_s=settings.correlation_load_s)
        following = asyncio.create_task(sightings.follow(context.stop), name="triage.sightings")
        await app.start()
        watching = asyncio.create_task(watch_progress(
            progress, probe.view, context.health, "faust", interval_s=settings.progress_check_s,
            stop=context.stop), name="triage.progress")
        await context.stop.wait()
    finally:
        for task in (watching, following):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await sightings.close()
        context.health.set("faust", ready=False, detail="stopping")
        await probe.close()
        await app.stop()
        await context.ops.close()
        await publisher.stop()
    if halted:
        raise halted[0]


def main() -> int:
    settings = load_settings(TriageSettings)
    return run_service(Service.TRIAGE, settings, lambda context: serve(context, settings))
