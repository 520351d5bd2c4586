"""The ops service: folds ``ops.events``, urgent alerts and decisions; polls lag and dead letters;
exports it all as Prometheus metrics and reports what needs a person on ``ops.events``.

It reads without a consumer group (it must never hold back anyone's offsets, and its view is
rebuilt from the topics at every start): ops events of the last ``HOTLINE_OPS_HISTORY_MINUTES``,
and every urgent alert and review decision the topics keep.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from contracts import Service
from contracts.events import InputQuarantined, OpsEvent
from services.ops.collect import CASE_TOPICS, OPS_TOPICS, broker_snapshot
from services.ops.config import OpsSettings
from services.ops.handler import Watch
from services.ops.metrics import OpsMetrics
from services.ops.state import OpsState
from services.runtime import (
    BrokerUnavailable,
    KafkaPublisher,
    ServiceContext,
    load_settings,
    run_service,
)
from services.runtime.broker_link import broker_link
from services.runtime.broker_view import TopicFollower


async def serve(context: ServiceContext, settings: OpsSettings) -> None:
    publisher = KafkaPublisher(settings, source=Service.OPS.source, metrics=context.metrics)
    await publisher.start()
    context.ops.attach(publisher)
    metrics = OpsMetrics(context.metrics.registry)
    state = OpsState()
    watch = Watch(settings, context.ops)
    recent = TopicFollower(settings, OPS_TOPICS, client_id="hotline.ops.events")
    cases = TopicFollower(settings, CASE_TOPICS, client_id="hotline.ops.cases")
    await recent.start(since=datetime.now(UTC) - timedelta(minutes=settings.ops_history_minutes))
    await cases.start(since=None)
    context.health.register("streams")
    context.health.register("broker")

    async def fold(follower: TopicFollower) -> None:
        async for batch in follower.batches(timeout_ms=500):
            for record in batch:
                decoded = state.apply(record)
                if isinstance(decoded, OpsEvent | InputQuarantined):
                    metrics.observe_event(decoded)
            metrics.observe_state(state, datetime.now(UTC))
            context.health.set("streams", ready=True, detail="following")
            if context.stop.is_set():
                return

    async def poll() -> None:
        while not context.stop.is_set():
            try:
                snapshot = await broker_snapshot(settings)
            except (BrokerUnavailable, TimeoutError) as error:
                context.health.set("broker", ready=False, detail="broker unreachable")
                broker_link().failed("ops poll", type(error).__name__)  # counted, not logged each time
            else:
                broker_link().succeeded("ops poll")
                metrics.observe_broker(snapshot)
                now = datetime.now(UTC)
                metrics.observe_state(state, now)
                await watch.after_poll(snapshot, state, now)
                context.health.set("broker", ready=True, detail="polling")
            try:
                await asyncio.wait_for(context.stop.wait(), settings.ops_poll_s)
            except TimeoutError:
                continue

    tasks = [asyncio.create_task(fold(recent), name="ops.fold-events"),
             asyncio.create_task(fold(cases), name="ops.fold-cases"),
             asyncio.create_task(poll(), name="ops.poll")]
    try:
        await context.stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await recent.stop()
        await cases.stop()
        await context.ops.close()
        await publisher.stop()


def main() -> int:
    settings = load_settings(OpsSettings)
    return run_service(Service.OPS, settings, lambda context: serve(context, settings))
