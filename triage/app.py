"""The faust app: one agent (concurrency 1) reading raw records of ``signals.received`` in small batches.

Records are read as raw bytes so that the one codec decodes them and so that a record that
cannot be decoded reaches the dead-letter topic byte for byte. ``take_events`` acks a batch only
after the loop body returns, and the processor returns only once every output is durable, so
an offset is never committed ahead of its outputs (at-least-once).
"""

from __future__ import annotations

from typing import Any

import faust

from contracts import Topic, physical_name
from services.runtime import FailedRecord
from triage.config import TriageSettings
from triage.processor import GROUP, TriageProcessor


def create_app(settings: TriageSettings, processor: TriageProcessor) -> faust.App:
    app = faust.App(
        settings.group_id(GROUP),
        broker=f"kafka://{settings.kafka_bootstrap}",
        broker_request_timeout=max(90.0, settings.kafka_request_timeout_ms / 1000 + 1),
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
    source = app.topic(
        physical_name(Topic.SIGNALS_RECEIVED, settings.topic_prefix),
        key_serializer="raw",
        value_serializer="raw",
    )

    # concurrency=1: with more, faust can commit past events still in flight (a known bug).
    # Batches (up to batch_max, or what came within batch_window_s) let the outputs of many
    # signals share a broker round trip; a lone urgent signal waits at most batch_window_s.
    @app.agent(source, concurrency=1, name="triage_signals")
    async def triage_signals(stream: Any) -> None:
        async for events in stream.take_events(settings.batch_max, within=settings.batch_window_s):
            await processor.process_batch([_record(event.message) for event in events])

    return app


def _record(message: Any) -> FailedRecord:
    return FailedRecord(topic=Topic.SIGNALS_RECEIVED, partition=message.partition, offset=message.offset,
                        key=message.key, value=message.value, headers=_headers(message.headers))


def _headers(raw: Any) -> tuple[tuple[str, bytes], ...]:
    if raw is None:
        return ()
    items = raw.items() if isinstance(raw, dict) else raw
    return tuple((str(k), bytes(v) if v is not None else b"") for k, v in items)
