"""``start_accepting``: an intake's two spans per signal without two nested blocks, shaped as
``accepting`` and ``publishing`` shape them, in the web intake's hand-off and the CDR import's."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from contracts import Topic
from intake_phone.handler import KafkaSink
from services.runtime import InMemoryPublisher
from services.runtime.durable import DurableSender, Outcome
from services.runtime.spool import Spool
from services.runtime.tracing import (
    accepting,
    annotate,
    current_trace_id,
    install_provider,
    publishing,
    span_context_of,
    start_accepting,
)
from tests.builders import received

pytestmark = pytest.mark.unit


@pytest.fixture
def exported() -> Iterator[InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    previous = install_provider(provider)
    try:
        yield memory
    finally:
        install_provider(previous)
        provider.shutdown()


def _shape(spans: tuple[ReadableSpan, ...]) -> list[tuple[str, SpanKind, str | None, dict[str, object]]]:
    """Each span's name, kind, parent's name and attributes: what a trace reader sees."""
    by_id = {s.context.span_id: s.name for s in spans if s.context is not None}
    return sorted((s.name, s.kind, by_id.get(s.parent.span_id) if s.parent else None,
                   dict(s.attributes or {})) for s in spans)


def test_the_two_spans_are_those_of_the_two_blocks(exported: InMemorySpanExporter) -> None:
    signal_id = "0b0e8a4e-3c1f-5d55-9b43-5a4a4f3f2c10"
    with accepting("phone") as accepted, publishing(Topic.SIGNALS_RECEIVED) as publication:
        annotate(accepted, {"hotline.signal_id": signal_id})
    blocks = exported.get_finished_spans()
    block_headers = dict(publication.headers)
    exported.clear()

    acceptance = start_accepting("phone", Topic.SIGNALS_RECEIVED, signal_id)
    acceptance.end()
    made = exported.get_finished_spans()
    assert _shape(made) == _shape(blocks)
    assert set(dict(acceptance.headers)) == set(block_headers) >= {"traceparent", "hotline_ingested_at"}
    parent = span_context_of(acceptance.headers)
    sent = next(s for s in made if s.name == "send signals.received")
    assert parent is not None and sent.context is not None and parent.span_id == sent.context.span_id


def test_a_failure_marks_both_spans_and_a_cancellation_neither(exported: InMemorySpanExporter) -> None:
    start_accepting("phone", Topic.SIGNALS_RECEIVED, "x").end(ConnectionError("refused"))
    assert {s.status.status_code for s in exported.get_finished_spans()} == {StatusCode.ERROR}
    exported.clear()
    start_accepting("phone", Topic.SIGNALS_RECEIVED, "x").end(asyncio.CancelledError())
    assert {s.status.status_code for s in exported.get_finished_spans()} == {StatusCode.UNSET}


def test_the_producer_span_is_current_inside_its_block(exported: InMemorySpanExporter) -> None:
    acceptance = start_accepting("webform", Topic.SIGNALS_RECEIVED, "x")
    with acceptance.current():
        inside = current_trace_id()
    acceptance.end()
    assert inside is not None and inside == format(acceptance.sent.get_span_context().trace_id, "032x")
    assert current_trace_id() is None


async def test_a_web_tip_is_the_root_of_its_trace_and_its_record_names_the_send_span(
        exported: InMemorySpanExporter, tmp_path: Path) -> None:
    publisher = InMemoryPublisher()
    await publisher.start()
    sender = DurableSender(publisher, Spool(tmp_path, max_records=10, max_bytes=1 << 20), publish_timeout=5)
    signal = received()
    assert await sender.accept(Topic.SIGNALS_RECEIVED, signal, source="/hotline/intake-webform") \
        is Outcome.PUBLISHED
    [stored] = publisher.records(Topic.SIGNALS_RECEIVED)
    spans = {s.name: s for s in exported.get_finished_spans()}
    root, sent = spans["intake accept"], spans["send signals.received"]
    assert root.parent is None and sent.parent is not None and root.context is not None
    assert sent.parent.span_id == root.context.span_id
    assert dict(root.attributes or {})["hotline.outcome"] == "published"
    assert dict(sent.attributes or {})["messaging.message.id"] == str(signal.signal_id)
    named = span_context_of(stored.record.headers)
    assert named is not None and sent.context is not None and named.span_id == sent.context.span_id


async def test_each_imported_row_is_the_root_of_its_own_trace(exported: InMemorySpanExporter) -> None:
    publisher = InMemoryPublisher(source="/hotline/intake-phone")
    await publisher.start()
    signals = [received(), received(), received()]
    await KafkaSink(publisher).send(signals, [])
    records = publisher.records(Topic.SIGNALS_RECEIVED)
    roots = [s for s in exported.get_finished_spans() if s.name == "intake accept"]
    assert len(roots) == 3 and all(s.parent is None for s in roots)
    assert len({s.context.trace_id for s in roots if s.context is not None}) == 3
    traces = {span_context_of(r.record.headers).trace_id for r in records}  # type: ignore[union-attr]
    assert traces == {s.context.trace_id for s in roots if s.context is not None}
    assert {dict(r.record.headers)["ce_source"] for r in records} == {b"/hotline/intake-phone"}
