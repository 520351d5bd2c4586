"""Triage's readiness on the real broker: ready in its group, not ready while a held partition's
records wait without progress, ready again once they move."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from pydantic import SecretStr

from contracts import Topic
from services.runtime import BrokerRecord, Health, KafkaPublisher, RuntimeMetrics, RuntimeSettings
from services.runtime.broker_view import GroupProbe
from services.runtime.progress import ProgressWatch, watch_progress
from tests.builders import received
from tests.conftest import wait_for
from triage.app import client_id, create_app
from triage.config import TriageSettings
from triage.processor import GROUP, TriageProcessor

STALL_S = 3.0


class HeldProcessor:
    """Stands in for the triage processor: takes a batch and holds it until released."""

    def __init__(self) -> None:
        self.taken: list[BrokerRecord] = []
        self.release = asyncio.Event()

    async def process_batch(self, records: Sequence[BrokerRecord]) -> None:
        self.taken.extend(records)
        await self.release.wait()


async def test_triage_is_not_ready_while_records_wait_on_its_partitions(
    topics: RuntimeSettings, tmp_path: Path
) -> None:
    settings = TriageSettings(
        kafka_bootstrap=topics.kafka_bootstrap, topic_prefix=topics.topic_prefix, environment="test",
        entity_key_secret=SecretStr("integration-entity-secret-0123456789"), faust_datadir=tmp_path / "faust",
        progress_stall_s=STALL_S, progress_check_s=0.2)
    processor = HeldProcessor()
    progress = ProgressWatch(client_id=client_id(settings), stall_s=STALL_S)
    probe = GroupProbe(settings, Topic.SIGNALS_RECEIVED, settings.group_id(GROUP), client_id="test.progress")
    app = create_app(settings, cast(TriageProcessor, processor), progress)
    health, stop = Health(), asyncio.Event()
    settings.faust_datadir.mkdir(parents=True)
    await app.start()
    watching = asyncio.create_task(
        watch_progress(progress, probe.view, health, "faust", interval_s=0.2, stop=stop))
    try:
        await wait_for(lambda: health.ready, timeout=60, what="triage to join its group and be ready")
        assert (await probe.view()).members == (client_id(settings),)

        async with KafkaPublisher(settings, source="/hotline/test", metrics=RuntimeMetrics("test")) as kafka:
            delivery = await kafka.publish(Topic.SIGNALS_RECEIVED, received())
        await wait_for(lambda: processor.taken, what="the agent to take the signal")
        await wait_for(lambda: not health.ready, timeout=30, what="readiness to turn false")
        assert health.snapshot()["faust"]["detail"] == (
            f"records waiting without progress on partitions {delivery.partition}")

        processor.release.set()
        await wait_for(lambda: health.ready, timeout=30, what="readiness to come back")
        assert health.snapshot()["faust"]["detail"] == "consuming"
    finally:
        processor.release.set()
        stop.set()
        await watching
        await probe.close()
        await app.stop()
