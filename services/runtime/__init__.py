"""The shared Kafka runtime every service is composed from; the only code that imports aiokafka.

Settings, the one idempotent publisher of a process, the one consumer loop with its dead-letter
policy, health and metrics endpoints, JSON logging, and topic provisioning.
"""

from __future__ import annotations

from services.runtime.consumer import (
    BatchHandler,
    ConsumerLoop,
    ConsumerPolicy,
    ConsumerSpec,
    Handler,
    Message,
)
from services.runtime.dead_letters import DeadLetterer, dead_letter_record, dlq_topic_for
from services.runtime.errors import (
    BrokerUnavailable,
    ConsumerHalted,
    HotlineError,
    InvalidMessage,
    PublisherClosed,
    PublishError,
    RetriableError,
)
from services.runtime.exit_codes import EXIT_CONFIG, EXIT_HALTED
from services.runtime.health import Health
from services.runtime.http_server import HttpServer, ops_app
from services.runtime.lifecycle import ServiceContext, load_settings, run_service
from services.runtime.memory import InMemoryPublisher
from services.runtime.metrics import RuntimeMetrics
from services.runtime.ops_reporter import OpsReporter
from services.runtime.publisher import Delivery, KafkaPublisher, Publisher
from services.runtime.records import BrokerRecord
from services.runtime.settings import RuntimeSettings

__all__ = [
    "EXIT_CONFIG",
    "EXIT_HALTED",
    "BatchHandler",
    "BrokerRecord",
    "BrokerUnavailable",
    "ConsumerHalted",
    "ConsumerLoop",
    "ConsumerPolicy",
    "ConsumerSpec",
    "DeadLetterer",
    "Delivery",
    "Handler",
    "Health",
    "HotlineError",
    "HttpServer",
    "InMemoryPublisher",
    "InvalidMessage",
    "KafkaPublisher",
    "Message",
    "OpsReporter",
    "PublishError",
    "Publisher",
    "PublisherClosed",
    "RetriableError",
    "RuntimeMetrics",
    "RuntimeSettings",
    "ServiceContext",
    "dead_letter_record",
    "dlq_topic_for",
    "load_settings",
    "ops_app",
    "run_service",
]
