"""An urgent alert is written before a batch of signals that is still waiting for its turn."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Sequence
from typing import Any, cast

import pytest

from contracts import CODEC, Topic
from contracts.events import SignalReceived
from services.review.cases import CaseChange, CaseStore
from services.review.handler import CaseWriter
from services.runtime import Message
from tests import builders
from tests.conftest import wait_for
from tests.review_mixed import alert_for

pytestmark = pytest.mark.unit


def message(topic: Topic, event: Any) -> Message:
    record = CODEC.encode(event, source="/hotline/test")
    decoded = CODEC.decode(record.value, record.headers)
    return Message(topic=topic, partition=0, offset=0, envelope=decoded.envelope, event=decoded.event,
                   headers=record.headers)


class SlowStore:
    """Records the order of writes; the first batch holds the store until told to finish."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.writing = threading.Event()
        self.finish = threading.Event()

    def apply_batch(self, topic: str, events: Sequence[tuple[str, Any]]) -> list[CaseChange | None]:
        if not self.order:
            self.writing.set()
            self.finish.wait(10)
        self.order.append(topic)
        return [None] * len(events)

    def apply_alert(self, event_id: str, alert: Any) -> CaseChange | None:
        self.order.append("alert")
        return None


class Pages:
    def publish(self, message: dict[str, Any]) -> None:
        pass


async def test_an_alert_goes_before_a_batch_that_was_waiting_first() -> None:
    store = SlowStore()
    writer = CaseWriter(cast(CaseStore, store), Pages())
    tips: list[SignalReceived] = [builders.received() for _ in range(3)]
    first = asyncio.create_task(writer.received_batch([message(Topic.SIGNALS_RECEIVED, tips[0])]))
    await asyncio.to_thread(store.writing.wait, 10)  # the first batch is writing
    later = [message(Topic.SIGNALS_RECEIVED, tip) for tip in tips[1:]]
    waiting = asyncio.create_task(writer.received_batch(later))
    await asyncio.sleep(0.05)  # the second batch is queued for its turn before the alert arrives
    alert = asyncio.create_task(writer.alert(message(Topic.ALERTS_URGENT, alert_for(
        builders.received(signal_id=uuid.uuid4())))))
    await wait_for(lambda: writer._turns._urgent, what="the alert waiting for its turn too")
    store.finish.set()
    await asyncio.wait_for(asyncio.gather(first, waiting, alert), 10)
    assert store.order == ["signals.received", "alert", "signals.received"]
