"""The faust app: one agent (concurrency 1) reading raw records of ``signals.received`` in small batches.

Records are read as raw bytes so that the one codec decodes them and so that a record that
cannot be decoded reaches the dead-letter topic byte for byte. ``take_events`` acks a batch only
after the loop body returns, and the processor returns only once every output is durable, so
an offset is never committed ahead of its outputs (at-least-once).
"""

from __future__ import annotations

from typing import Any

import faust
from faust.types import TP
from mode.types.signals import BaseSignalT

from contracts import Topic, physical_name
from services.runtime import BrokerRecord
from services.runtime.kafka_options import ssl_context
from services.runtime.progress import ProgressWatch
from triage.config import TriageSettings
from triage.faust_consumer import App
from triage.processor import GROUP, TriageProcessor


def create_app(settings: TriageSettings, processor: TriageProcessor, progress: ProgressWatch) -> faust.App:
    timeouts = settings.group_timeouts()
    # Its consumer reads again from the start a partition nothing was committed on (faust_consumer).
    app = App(
        settings.group_id(GROUP),
        broker=[f"kafka://{host.strip()}" for host in settings.kafka_bootstrap.split(",") if host.strip()],
        # The group's timings are the runtime's, as for every other consumer: faust's own (60 s)
        # would leave a crashed worker's partitions idle for a minute before anyone took them.
        broker_session_timeout=timeouts.session_ms / 1000,
        broker_heartbeat_interval=timeouts.heartbeat_ms / 1000,
        broker_rebalance_timeout=timeouts.rebalance_ms / 1000,
        broker_request_timeout=max(90.0, settings.kafka_request_timeout_ms / 1000 + 1),
        broker_credentials=credentials(settings),
        # How this process appears among the group's members (its readiness looks for it there).
        broker_client_id=client_id(settings),
        broker_commit_interval=settings.commit_interval_s,
        consumer_auto_offset_reset="earliest",
        processing_guarantee="at_least_once",  # never exactly_once: see DESIGN, delivery semantics
        producer_acks=-1,
        store="memory://",
        datadir=str(settings.faust_datadir / settings.group_id(GROUP)),
        web_enabled=False,
        topic_disable_leader=True,
        autodiscover=False,
    )
    source_name = physical_name(Topic.SIGNALS_RECEIVED, settings.topic_prefix)
    source = app.topic(source_name, key_serializer="raw", value_serializer="raw")

    # faust sends these around each rebalance; they feed the readiness check (ProgressWatch).
    def revoked(_: Any, /, *__: Any, signal: BaseSignalT[Any], **___: Any) -> None:
        progress.revoked()

    def assigned(_: Any, /, *args: Any, signal: BaseSignalT[Any], **__: Any) -> None:
        partitions: set[TP] = args[0]
        progress.assigned(tp.partition for tp in partitions if tp.topic == source_name)

    app.on_partitions_revoked.connect(revoked)
    app.on_partitions_assigned.connect(assigned)

    # concurrency=1: with more, faust can commit past events still in flight (a known bug).
    # Batches (up to batch_max, or what came within batch_window_s) let the outputs of many
    # signals share a broker round trip; a lone urgent signal waits at most batch_window_s.
    @app.agent(source, concurrency=1, name="triage_signals")
    async def triage_signals(stream: Any) -> None:
        async for events in stream.take_events(settings.batch_max, within=settings.batch_window_s):
            await processor.process_batch([_record(event.message) for event in events])
            done: dict[int, int] = {}
            for event in events:
                done[event.message.partition] = max(done.get(event.message.partition, 0),
                                                    event.message.offset + 1)
            for partition, next_offset in done.items():
                progress.finished(partition, next_offset)

    return app


def client_id(settings: TriageSettings) -> str:
    return f"{settings.group_id(GROUP)}.{settings.instance}"


def credentials(settings: TriageSettings) -> faust.types.auth.CredentialsT | None:
    """The runtime's Kafka security settings in faust's terms (None: plaintext)."""
    context = ssl_context(settings)
    protocol = settings.kafka_security_protocol
    if protocol.startswith("SASL"):
        password = settings.kafka_sasl_password
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=password.get_secret_value() if password is not None else None,
            mechanism=settings.kafka_sasl_mechanism or "PLAIN", ssl_context=context)
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def _record(message: Any) -> BrokerRecord:
    return BrokerRecord(topic=Topic.SIGNALS_RECEIVED, partition=message.partition, offset=message.offset,
                        key=message.key, value=message.value, headers=_headers(message.headers))


def _headers(raw: Any) -> tuple[tuple[str, bytes], ...]:
    if raw is None:
        return ()
    items = raw.items() if isinstance(raw, dict) else raw
    return tuple((str(k), bytes(v) if v is not None else b"") for k, v in items)
