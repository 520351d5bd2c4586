"""A broker outage on a real broker of the test's own: a bounded number of log lines, whatever
the number of failed attempts, and one line when the broker is back."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from pathlib import Path

import pytest

from contracts import Topic
from contracts.events import SignalReceived
from deploy.localkafka import Broker
from services.runtime import (
    ConsumerLoop,
    ConsumerSpec,
    Health,
    KafkaPublisher,
    Message,
    RuntimeMetrics,
    RuntimeSettings,
)
from services.runtime.broker_link import broker_link
from services.runtime.provision import provision
from services.runtime.structured_logging import configure_logging
from tests.builders import received
from tests.conftest import wait_for

ATTEMPTS = 300


async def _nothing(_: Message) -> None:
    return None


def _messages(stream: io.StringIO) -> list[str]:
    return [str(json.loads(line)["msg"]) for line in stream.getvalue().splitlines()]


@pytest.mark.timeout(300)  # two broker starts on a shared machine
async def test_an_outage_logs_its_changes_and_not_its_attempts(tmp_path: Path) -> None:
    broker = Broker(state_dir=tmp_path / "kafka", port=0)
    bootstrap = await asyncio.to_thread(broker.start)
    stream = io.StringIO()
    stop = asyncio.Event()
    try:
        settings = RuntimeSettings(kafka_bootstrap=bootstrap, topic_prefix="outage.", environment="test")
        await provision(settings, create=True, topics=tuple(Topic))
        configure_logging("test-outage", "INFO", stream=stream)
        metrics = RuntimeMetrics("test")
        async with KafkaPublisher(settings, source="/hotline/test", metrics=metrics) as publisher:
            loop = ConsumerLoop(ConsumerSpec(name="outage", topic=Topic.SIGNALS_RECEIVED, group="outage",
                                             handler=_nothing, event_type=SignalReceived),
                                settings=settings, dlq_publisher=publisher, metrics=RuntimeMetrics("test"),
                                health=Health())
            consuming = asyncio.create_task(loop.run(stop))
            await publisher.publish(Topic.SIGNALS_RECEIVED, received())
            await wait_for(lambda: loop.assigned_partitions, timeout=60, what="the consumer to join")

            async def keep_publishing() -> None:  # as an intake's drainer would
                while True:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(publisher.publish(Topic.SIGNALS_RECEIVED, received()), 2)
                    await asyncio.sleep(0.2)

            publishing = asyncio.create_task(keep_publishing())
            try:
                # A fresh broker's group coordinator takes a moment to load (counted as an outage
                # too): start from a link that says the broker answers.
                await wait_for(lambda: not broker_link().down, timeout=60, what="a settled link")
                before = len(_messages(stream))
                await asyncio.to_thread(broker.stop)
                await wait_for(lambda: broker_link().failures >= ATTEMPTS, timeout=120,
                               what=f"{ATTEMPTS} failed attempts to reach the stopped broker")
                during = _messages(stream)[before:]
                assert during.count("Kafka unreachable; failed attempts are counted, not logged") == 1
                # One line for the change, at most a count a minute, and nothing per attempt.
                assert len(during) <= 5, during

                await asyncio.to_thread(broker.start)
                await wait_for(lambda: "Kafka reachable again" in _messages(stream)[before:], timeout=120,
                               what="the line saying Kafka is back")
                assert _messages(stream)[before:].count("Kafka reachable again") == 1
                print(f"\n{broker_link().failures} failed attempts, {len(_messages(stream)[before:])} lines:",
                      *_messages(stream)[before:], sep="\n  ")
            finally:
                publishing.cancel()
                stop.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.gather(publishing, consuming, return_exceptions=True), 30)
    finally:
        stop.set()
        configure_logging("test", "INFO")
        await asyncio.to_thread(broker.stop)
