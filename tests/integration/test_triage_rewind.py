"""Triage's faust consumer on the real broker: "seek to committed" rewinds a partition nothing was
committed on, so records fetched and then dropped in a rebalance are read again, never skipped."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from faust.types import TP
from pydantic import SecretStr

from contracts import Topic, physical_name
from services.runtime import BrokerRecord, KafkaPublisher, RuntimeMetrics, RuntimeSettings
from services.runtime.progress import ProgressWatch
from tests.builders import received
from tests.conftest import wait_for
from triage.app import client_id, create_app
from triage.config import TriageSettings
from triage.processor import TriageProcessor


class HeldProcessor:
    """Takes the first batch and holds it until released: nothing is acked, so nothing is committed."""

    def __init__(self) -> None:
        self.taken: list[BrokerRecord] = []
        self.release = asyncio.Event()

    async def process_batch(self, records: Sequence[BrokerRecord]) -> None:
        self.taken.extend(records)
        await self.release.wait()


async def test_seek_to_committed_rewinds_a_partition_nothing_was_committed_on(
    topics: RuntimeSettings, tmp_path: Path
) -> None:
    settings = TriageSettings(
        kafka_bootstrap=topics.kafka_bootstrap, topic_prefix=topics.topic_prefix, environment="test",
        entity_key_secret=SecretStr("integration-entity-secret-0123456789"), faust_datadir=tmp_path / "faust")
    async with KafkaPublisher(settings, source="/hotline/test", metrics=RuntimeMetrics("test")) as kafka:
        deliveries = [await kafka.publish(Topic.SIGNALS_RECEIVED, received()) for _ in range(4)]
    source = physical_name(Topic.SIGNALS_RECEIVED, settings.topic_prefix)
    ends = {TP(source, d.partition): 0 for d in deliveries}
    for d in deliveries:
        ends[TP(source, d.partition)] = max(ends[TP(source, d.partition)], d.offset + 1)

    processor = HeldProcessor()
    app = create_app(settings, cast(TriageProcessor, processor),
                     ProgressWatch(client_id=client_id(settings), stall_s=60))
    settings.faust_datadir.mkdir(parents=True)
    await app.start()
    try:
        await wait_for(lambda: processor.taken, timeout=60, what="the agent to take a first batch")

        async def positions() -> dict[TP, int | None]:
            return {tp: await app.consumer.position(tp) for tp in ends}

        async def fetched_to_the_end() -> bool:
            return await positions() == ends
        # The fetcher reads ahead of the held batch, as it does before a rebalance clears the buffers.
        await wait_for(fetched_to_the_end, timeout=30, what=f"the fetcher at the end of {ends}")

        # What faust does after a rebalance, or after a fetch it had to drop: back to committed. The
        # seeks asked of aiokafka are recorded: positions alone are racy, since the fetcher reads
        # ahead again at once and may be back at the end before they are read.
        kafka = app.consumer._thread._ensure_consumer()  # type: ignore[attr-defined]
        rewound: list[TP] = []
        seek_to_beginning = kafka.seek_to_beginning

        async def recorded(*partitions: TP) -> None:
            rewound.extend(partitions)
            await seek_to_beginning(*partitions)

        kafka.seek_to_beginning = recorded
        await app.consumer.perform_seek()

        assert {(tp.topic, tp.partition) for tp in rewound} >= {(tp.topic, tp.partition) for tp in ends}, (
            "a partition with no committed offset was left where the fetcher was: what it had fetched "
            "and dropped would never be read again")
    finally:
        processor.release.set()  # faust's stop waits for the batch in hand
        await app.stop()
