"""Dead-letter records: the original key, value and headers, plus ``dlq_*`` headers saying why.

The reason headers hold ids and error kinds only (see ``errors.describe``), so that ops tools
can show them without exposing what the tipster wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

from contracts import Header, KafkaRecord, Topic, spec_for
from contracts.envelope import H_ID, header_value
from contracts.events import OpsKind, Severity
from services.runtime.errors import ConsumerHalted, PublishError, describe
from services.runtime.metrics import RuntimeMetrics
from services.runtime.ops_reporter import OpsReporter
from services.runtime.publisher import Publisher
from services.runtime.records import BrokerRecord

log = logging.getLogger(__name__)

H_ORIGINAL_TOPIC: Final = "dlq_original_topic"
H_ORIGINAL_PARTITION: Final = "dlq_original_partition"
H_ORIGINAL_OFFSET: Final = "dlq_original_offset"
H_CONSUMER_GROUP: Final = "dlq_consumer_group"
H_ERROR_CLASS: Final = "dlq_error_class"
H_ERROR_REASON: Final = "dlq_error_reason"
H_FAILED_AT: Final = "dlq_failed_at"
H_ATTEMPTS: Final = "dlq_attempts"
DLQ_HEADERS: Final = frozenset({
    H_ORIGINAL_TOPIC, H_ORIGINAL_PARTITION, H_ORIGINAL_OFFSET, H_CONSUMER_GROUP,
    H_ERROR_CLASS, H_ERROR_REASON, H_FAILED_AT, H_ATTEMPTS,
})


def dlq_topic_for(topic: Topic) -> Topic:
    dlq = spec_for(topic).dlq
    if dlq is None:
        raise LookupError(f"{topic.value} has no dead-letter topic in the registry")
    return dlq


def dead_letter_record(
    failed: BrokerRecord, error: BaseException, *, group: str, attempts: int,
    now: datetime | None = None,
) -> KafkaRecord:
    """The record to put on the DLQ: byte-for-byte the original, with the reason appended."""
    # A record that already went through a DLQ keeps only its first reason: replaying it must
    # not pile up headers.
    kept: Sequence[Header] = [h for h in failed.headers if h[0] not in DLQ_HEADERS]
    reason: list[Header] = [
        (H_ORIGINAL_TOPIC, failed.topic.value.encode()),
        (H_ORIGINAL_PARTITION, str(failed.partition).encode()),
        (H_ORIGINAL_OFFSET, str(failed.offset).encode()),
        (H_CONSUMER_GROUP, group.encode()),
        (H_ERROR_CLASS, type(error).__name__.encode()),
        (H_ERROR_REASON, describe(error).encode()),
        (H_FAILED_AT, (now or datetime.now(UTC)).isoformat().encode()),
        (H_ATTEMPTS, str(attempts).encode()),
    ]
    return KafkaRecord(key=failed.key, value=failed.value or b"", headers=(*kept, *reason))


class DeadLetterer:
    """Sends failed records to their DLQ and halts the consumer when failures keep coming in a row.

    Shared by the consumer loop and stream-processor agents so both follow one policy.
    """

    def __init__(
        self, *, topic: Topic, group: str, publisher: Publisher, metrics: RuntimeMetrics,
        max_consecutive: int, ops: OpsReporter | None = None,
    ) -> None:
        self.dlq_topic = dlq_topic_for(topic)
        self._ops = ops
        self._topic = topic
        self._group = group
        self._publisher = publisher
        self._metrics = metrics
        self._max_consecutive = max_consecutive
        self._consecutive = 0

    def succeeded(self) -> None:
        if self._consecutive:
            self._consecutive = 0
            self._metrics.consecutive_failures.labels(group=self._group).set(0)

    async def send(self, failed: BrokerRecord, error: BaseException, *, attempts: int) -> None:
        """Dead-letter ``failed``, durably, or raise ``ConsumerHalted``."""
        self._consecutive += 1
        self._metrics.consecutive_failures.labels(group=self._group).set(self._consecutive)
        where = f"{failed.topic.value}/{failed.partition}@{failed.offset}"
        if self._consecutive > self._max_consecutive:
            self._report(OpsKind.CONSUMER_HALTED, Severity.CRITICAL, failed, error)
            raise ConsumerHalted(
                f"{self._group}: {self._consecutive} records in a row could not be applied; halting "
                f"at {where} instead of draining the topic into {self.dlq_topic.value}") from error
        record = dead_letter_record(failed, error, group=self._group, attempts=attempts)
        try:
            await self._publisher.publish_record(self.dlq_topic, record)
        except PublishError as dlq_error:
            # Without a durable dead letter the record must stay uncommitted: stop here.
            raise ConsumerHalted(f"{self._group}: dead-letter topic unavailable at {where}") from dlq_error
        self._report(OpsKind.DEAD_LETTER, Severity.WARNING, failed, error)
        labels = {"topic": self._topic.value, "group": self._group}
        self._metrics.dead_letters.labels(**labels, error_class=type(error).__name__).inc()
        self._metrics.consumed.labels(**labels, outcome="dead_lettered").inc()
        log.error("record dead-lettered", extra={
            "topic": failed.topic.value, "partition": failed.partition, "offset": failed.offset,
            "group": self._group, "dlq_topic": self.dlq_topic.value, "error": describe(error),
            "error_class": type(error).__name__})

    def _report(self, kind: OpsKind, severity: Severity, failed: BrokerRecord, error: BaseException) -> None:
        if self._ops is None:
            return
        record_id = header_value(failed.headers, H_ID)
        self._ops.emit_soon(self._ops.event(
            kind, severity, topic=failed.topic.value, group=self._group, partition=failed.partition,
            offset=failed.offset, record_id=record_id[:128] if record_id else None,
            error_class=type(error).__name__, value=float(self._consecutive)))
