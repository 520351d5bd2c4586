"""A record as it sits on the broker (or the in-memory stand-in): where it is, and its undecoded bytes."""

from __future__ import annotations

from dataclasses import dataclass

from contracts import Header, KafkaRecord, Topic
from contracts.envelope import H_ID, header_value


@dataclass(frozen=True, slots=True)
class BrokerRecord:
    """The one raw-record type: what a consumer, a dead-letterer and a groupless reader are given."""

    topic: Topic
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[Header, ...]
    timestamp_ms: int = -1  # the broker's timestamp; -1 where none was read (as Kafka writes "none")

    @property
    def event_id(self) -> str | None:
        """The CloudEvents id, if the record carries one."""
        return header_value(self.headers, H_ID)

    @property
    def record(self) -> KafkaRecord:
        """Its key, value and headers as they were published (a tombstone's value reads as empty)."""
        return KafkaRecord(self.key, self.value or b"", self.headers)
