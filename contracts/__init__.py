"""Event contracts of the hotline: models, the CloudEvents envelope, the topic registry and the one codec.

Imports nothing from the rest of the repository and no Kafka or web library.
"""

from __future__ import annotations

from contracts._base import ContractModel, Event
from contracts.codec import CODEC, Codec, Decoded, KafkaRecord, Upcaster
from contracts.envelope import Envelope, Header
from contracts.errors import (
    ContractError,
    DecodeError,
    EncodeError,
    MalformedPayload,
    MissingHeader,
    SchemaViolation,
    UnexpectedEventType,
    UnknownEventType,
    UnsupportedVersion,
)
from contracts.ids import derive_id, signal_id_for
from contracts.topics import (
    REGISTRY,
    Service,
    Topic,
    TopicSpec,
    physical_name,
    spec_for,
    topic_for_event,
)

__all__ = [
    "CODEC",
    "REGISTRY",
    "Codec",
    "ContractError",
    "ContractModel",
    "DecodeError",
    "Decoded",
    "EncodeError",
    "Envelope",
    "Event",
    "Header",
    "KafkaRecord",
    "MalformedPayload",
    "MissingHeader",
    "SchemaViolation",
    "Service",
    "Topic",
    "TopicSpec",
    "UnexpectedEventType",
    "UnknownEventType",
    "UnsupportedVersion",
    "Upcaster",
    "derive_id",
    "physical_name",
    "signal_id_for",
    "spec_for",
    "topic_for_event",
]
