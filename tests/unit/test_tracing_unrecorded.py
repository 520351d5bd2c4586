"""A new signal's spans while nothing takes finished spans: the ids, sampling decision and headers
the SDK's recording spans would give, and real recording spans as soon as a processor is there.
Also the allow-list's remembered topic names."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased, Sampler, TraceIdRatioBased

from contracts import Topic
from services.runtime import span_attributes
from services.runtime.span_attributes import allowed
from services.runtime.tracing import (
    current_trace_id,
    finished_span,
    install_provider,
    span,
    span_context_of,
    start_accepting,
    start_consuming,
)

pytestmark = pytest.mark.unit

SIGNAL_ID = "0b0e8a4e-3c1f-5d55-9b43-5a4a4f3f2c10"
ACCEPTED = datetime(2026, 12, 6, 2, 30, tzinfo=UTC)


class _Counting(IdGenerator):
    """Ids in a fixed order, so two providers make the same ones."""

    def __init__(self) -> None:
        self._next = 0x1000

    def _bump(self) -> int:
        self._next += 0x10001
        return self._next

    def generate_span_id(self) -> int:
        return self._bump()

    def generate_trace_id(self) -> int:
        return self._bump() << 64 | self._bump()


@pytest.fixture
def restore() -> Iterator[None]:
    previous = install_provider(TracerProvider())
    try:
        yield
    finally:
        install_provider(previous)


def _headers(provider: TracerProvider) -> list[tuple[str, bytes]]:
    install_provider(provider)
    acceptance = start_accepting("webform", Topic.SIGNALS_RECEIVED, SIGNAL_ID, now=ACCEPTED)
    with acceptance.current():
        assert current_trace_id() is not None  # log lines still carry the trace
    acceptance.end()
    return acceptance.headers


@pytest.mark.parametrize("sampler", [ParentBased(ALWAYS_ON), ALWAYS_ON, ALWAYS_OFF, ParentBased(ALWAYS_OFF),
                                     TraceIdRatioBased(0.5)], ids=lambda s: s.get_description())
def test_unrecorded_spans_carry_the_headers_recorded_ones_would(sampler: Sampler, restore: None) -> None:
    bare = TracerProvider(sampler=sampler, id_generator=_Counting())
    recording = TracerProvider(sampler=sampler, id_generator=_Counting())
    memory = InMemorySpanExporter()
    recording.add_span_processor(SimpleSpanProcessor(memory))
    for _ in range(4):  # several trace ids, for the ratio sampler
        assert _headers(bare) == _headers(recording)
    sampled = any(name == "traceparent" and value.endswith(b"-01") for name, value in _headers(recording))
    # The recording provider did record whatever it sampled: the comparison was with real spans.
    assert bool(memory.get_finished_spans()) or not sampled


def test_spans_are_recorded_once_a_processor_is_added(restore: None) -> None:
    provider = TracerProvider()
    install_provider(provider)
    unrecorded = start_accepting("webform", Topic.SIGNALS_RECEIVED, SIGNAL_ID)
    assert not unrecorded.accepted.is_recording() and not unrecorded.sent.is_recording()
    unrecorded.end()
    memory = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    recorded = start_accepting("webform", Topic.SIGNALS_RECEIVED, SIGNAL_ID)
    assert recorded.accepted.is_recording() and recorded.sent.is_recording()
    recorded.end()
    assert sorted(s.name for s in memory.get_finished_spans()) == ["intake accept", "send signals.received"]


def _consumed(headers: list[tuple[str, bytes]]) -> tuple[bool, int]:
    """A consumer span, a span inside it and a batch's finished span: (recording, trace id)."""
    opened = start_consuming(Topic.SIGNALS_RECEIVED, headers, group="triage", partition=0, offset=7)
    with opened.current(), span("triage assess") as inner:
        recording = inner.is_recording()
        assert opened.span.is_recording() is recording
        trace_id = inner.get_span_context().trace_id
        assert opened.span.get_span_context().trace_id == trace_id
    finished_span("review apply", opened, started_ns=1)
    opened.end()
    return recording, trace_id


def test_a_consumers_spans_are_unrecorded_until_a_processor_is_added(restore: None) -> None:
    provider = TracerProvider()
    install_provider(provider)
    acceptance = start_accepting("webform", Topic.SIGNALS_RECEIVED, SIGNAL_ID)
    acceptance.end()
    parent = span_context_of(acceptance.headers)
    assert parent is not None
    assert _consumed(acceptance.headers) == (False, parent.trace_id)  # the intake's trace, continued
    memory = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    assert _consumed(acceptance.headers) == (True, parent.trace_id)
    assert sorted(s.name for s in memory.get_finished_spans()) == [
        "process signals.received", "review apply", "triage assess"]


def test_a_default_provider_still_writes_a_sampled_traceparent(restore: None) -> None:
    headers = dict(_headers(TracerProvider()))
    version, trace_id, span_id, flags = headers["traceparent"].decode().split("-")
    assert (version, len(trace_id), len(span_id)) == ("00", 32, 16)
    assert int(flags, 16) & 0x01
    assert b"hotline_ingested_at" in {name.encode() for name in headers}


# ------------------------------------------------------------------ remembered topic names

NAMES = [t.value for t in Topic] + [f"{prefix}{t.value}" for prefix in ("", "prod.", "bench1a2b3c.")
                                    for t in Topic] + [
    "signals.received.extra", "Signals.Received", "nobody.knows", "", "a" * 300, "1signals.received",
    "x signals.received", "reporter@example.org"]


@pytest.mark.parametrize("name", NAMES)
def test_a_remembered_topic_judgement_is_the_computed_one(name: str) -> None:
    computed = span_attributes._topic_uncached(name)
    assert computed == (span_attributes._NAME.fullmatch(name) is not None
                        and any(name.endswith(topic.value) for topic in Topic))
    for _ in range(2):  # the first judges, the second remembers
        assert (allowed({"messaging.destination.name": name}) == {"messaging.destination.name": name}) \
            is computed


def test_remembered_topic_names_are_bounded() -> None:
    for i in range(span_attributes._TOPICS_SEEN_MAX + 50):
        allowed({"messaging.destination.name": f"flood{i}.signals.received"})
    assert len(span_attributes._TOPICS_SEEN) <= span_attributes._TOPICS_SEEN_MAX
    assert allowed({"messaging.destination.name": "flood99999.signals.received"}) != {}
