"""Dead-letter records and the dead-letter policy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts import DecodeError, Topic
from services.runtime import (
    BrokerRecord,
    BrokerUnavailable,
    ConsumerHalted,
    DeadLetterer,
    InMemoryPublisher,
    RuntimeMetrics,
    dead_letter_record,
)

pytestmark = pytest.mark.unit

FAILED = BrokerRecord(topic=Topic.SIGNALS_RECEIVED, partition=2, offset=41, key=b"k1",
                      value=b"\x00garbage", headers=(("ce_id", b"abc"),))


def test_dead_letter_keeps_the_original_bytes_and_appends_the_reason() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    record = dead_letter_record(FAILED, DecodeError("value is not valid JSON"), group="g", attempts=0, now=at)
    assert record.key == b"k1" and record.value == b"\x00garbage"
    headers = dict(record.headers)
    assert headers["ce_id"] == b"abc"
    assert headers["dlq_original_topic"] == b"signals.received"
    assert headers["dlq_original_partition"] == b"2"
    assert headers["dlq_original_offset"] == b"41"
    assert headers["dlq_consumer_group"] == b"g"
    assert headers["dlq_error_class"] == b"DecodeError"
    assert headers["dlq_error_reason"] == b"DecodeError: value is not valid JSON"
    assert headers["dlq_failed_at"] == b"2026-01-02T03:04:05+00:00"


def test_foreign_exception_messages_are_withheld() -> None:
    record = dead_letter_record(FAILED, KeyError("Maria, 555-0100"), group="g", attempts=1)
    reason = dict(record.headers)["dlq_error_reason"]
    assert b"Maria" not in reason and b"555" not in reason
    assert reason.startswith(b"KeyError")


def test_a_replayed_dead_letter_keeps_one_reason() -> None:
    once = dead_letter_record(FAILED, DecodeError("first"), group="g", attempts=0)
    replayed = BrokerRecord(topic=Topic.SIGNALS_RECEIVED, partition=0, offset=7, key=once.key,
                            value=once.value, headers=once.headers)
    twice = dead_letter_record(replayed, DecodeError("second"), group="g", attempts=0)
    names = [name for name, _ in twice.headers]
    assert names.count("dlq_error_reason") == 1
    assert dict(twice.headers)["dlq_error_reason"] == b"DecodeError: second"


async def test_dead_letterer_halts_after_too_many_in_a_row() -> None:
    publisher = InMemoryPublisher()
    await publisher.start()
    metrics = RuntimeMetrics("test")
    letters = DeadLetterer(topic=Topic.SIGNALS_RECEIVED, group="g", publisher=publisher,
                           metrics=metrics, max_consecutive=3)
    for _ in range(3):
        await letters.send(FAILED, DecodeError("bad"), attempts=0)
    with pytest.raises(ConsumerHalted, match="4 records in a row"):
        await letters.send(FAILED, DecodeError("bad"), attempts=0)
    assert len(publisher.records(Topic.SIGNALS_RECEIVED_DLQ)) == 3
    assert b'hotline_dead_letters_total{error_class="DecodeError",group="g",topic="signals.received"} 3.0' \
        in metrics.exposition()


async def test_a_success_resets_the_count() -> None:
    publisher = InMemoryPublisher()
    await publisher.start()
    letters = DeadLetterer(topic=Topic.SIGNALS_RECEIVED, group="g", publisher=publisher,
                           metrics=RuntimeMetrics("test"), max_consecutive=2)
    for _ in range(5):
        await letters.send(FAILED, DecodeError("bad"), attempts=0)
        letters.succeeded()
    assert len(publisher.records(Topic.SIGNALS_RECEIVED_DLQ)) == 5


async def test_an_unavailable_dlq_halts_rather_than_losing_the_record() -> None:
    publisher = InMemoryPublisher()
    await publisher.start()
    publisher.fail_next(BrokerUnavailable("down"))
    letters = DeadLetterer(topic=Topic.SIGNALS_RECEIVED, group="g", publisher=publisher,
                           metrics=RuntimeMetrics("test"), max_consecutive=10)
    with pytest.raises(ConsumerHalted, match="dead-letter topic unavailable"):
        await letters.send(FAILED, DecodeError("bad"), attempts=0)
