"""Spans through the OpenTelemetry SDK: one trace per signal in its headers, nothing personal in a span."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from contracts import CODEC, Topic
from contracts.events import (
    Channel,
    ContactDetails,
    DeclaredFacts,
    Location,
    Reporter,
    ReporterRole,
    SafeContact,
)
from services.runtime import BrokerRecord, InMemoryPublisher, RuntimeSettings
from services.runtime.span_attributes import ALLOWED, allowed
from services.runtime.trace_export import PrivateSpanExporter, configure_tracing, export_endpoint
from services.runtime.tracing import (
    accepting,
    consuming,
    install_provider,
    publishing,
    span,
    span_context_of,
    tracer,
)
from tests.builders import received
from tests.unit.test_triage_processor import _processor

pytestmark = pytest.mark.unit

# What a reporter may type or give: none of it may ever reach a span.
NARRATIVE = ("My neighbour Maria Lopez, 15, is kept at 1420 Elm Street Apt 3, Springfield; "
             "call me on +1 555 010 0199 or write to reporter@example.org")
SENSITIVE = (
    "Maria Lopez", "1420 Elm Street", "Elm Street", "Springfield", "555 010 0199", "+15550100199",
    "5550100199", "reporter@example.org", "Jo Doe", "after 6pm, not at home", "62701",
    "kept at", "neighbour",
)


@pytest.fixture
def exported() -> Iterator[InMemorySpanExporter]:
    """Every span made in the test, as the OTLP exporter would get it (through the private filter)."""
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(PrivateSpanExporter(memory)))
    previous = install_provider(provider)
    try:
        yield memory
    finally:
        install_provider(previous)
        provider.shutdown()


def _revealing_signal():  # type: ignore[no-untyped-def]
    return received(
        narrative=NARRATIVE, subject="Maria Lopez at 1420 Elm Street",
        reporter=Reporter(role=ReporterRole.COMMUNITY_MEMBER, anonymous=False, consent_to_contact=True,
                          contact=ContactDetails(name="Jo Doe", email="reporter@example.org",
                                                 phone="+15550100199"),
                          safe_contact=SafeContact(safe_times="after 6pm, not at home")),
        facts=DeclaredFacts(location=Location(state="IL", city="Springfield", zip_code="62701",
                                              description="1420 Elm Street Apt 3")),
    )


def _strings(span: ReadableSpan) -> list[str]:
    """Everything a span would carry to a collector, as text."""
    texts = [span.name, json.dumps(dict(span.attributes or {}), default=str),
             span.status.description or ""]
    texts += [event.name + json.dumps(dict(event.attributes or {}), default=str) for event in span.events]
    return texts


# ------------------------------------------------------------------ context in the headers


def test_a_trace_is_started_at_acceptance_and_continued_by_each_record_published_in_it(
        exported: InMemorySpanExporter) -> None:
    with accepting("webform") as accepted, publishing(Topic.SIGNALS_RECEIVED) as first:
        pass
    started = span_context_of(first.headers)
    assert started is not None and started.trace_id == accepted.get_span_context().trace_id
    assert dict(first.headers)["hotline_ingested_at"].isdigit()

    record = BrokerRecord(topic=Topic.SIGNALS_RECEIVED, partition=0, offset=7, key=None, value=b"{}",
                          headers=tuple(first.headers))
    with consuming(record.topic, record.headers, group="triage", partition=0, offset=7), \
            publishing(Topic.SIGNALS_TRIAGED) as second:
        pass
    continued = span_context_of(second.headers)
    assert continued is not None
    assert continued.trace_id == started.trace_id and continued.span_id != started.span_id
    assert dict(second.headers)["hotline_ingested_at"] == dict(first.headers)["hotline_ingested_at"]
    names = {s.name: s for s in exported.get_finished_spans()}
    assert names["process signals.received"].parent.span_id == started.span_id  # type: ignore[union-attr]
    assert names["process signals.received"].kind is SpanKind.CONSUMER
    assert names["send signals.triaged"].kind is SpanKind.PRODUCER


@pytest.mark.parametrize("value", [
    b"", b"garbage", b"00-" + b"0" * 32 + b"-" + b"1" * 16 + b"-01",  # all-zero trace id
    b"00-" + b"a" * 32 + b"-" + b"0" * 16 + b"-01",  # all-zero span id
    b"00-" + b"a" * 31 + b"-" + b"b" * 16 + b"-01", b"ff-" + b"a" * 32 + b"-" + b"b" * 16 + b"-01",
    b"\xff\xfe",
])
def test_a_malformed_traceparent_is_ignored_and_a_consumer_starts_a_trace_of_its_own(value: bytes) -> None:
    headers = (("traceparent", value),)
    assert span_context_of(headers) is None
    with consuming(Topic.SIGNALS_RECEIVED, headers, group="triage", partition=0, offset=0) as current, \
            publishing(Topic.SIGNALS_TRIAGED) as publication:
        assert current.get_span_context().is_valid
    assert span_context_of(publication.headers) is not None
    assert "hotline_ingested_at" not in dict(publication.headers)  # not measured from a wrong start


async def test_the_publisher_puts_the_current_trace_on_every_event() -> None:
    publisher = InMemoryPublisher()
    await publisher.start()
    with accepting("email") as accepted:
        await publisher.publish(Topic.SIGNALS_RECEIVED, received())
    [record] = publisher.records(Topic.SIGNALS_RECEIVED)
    parent = span_context_of(record.record.headers)
    assert parent is not None and parent.trace_id == accepted.get_span_context().trace_id


def test_export_is_off_by_default_and_on_with_either_setting() -> None:
    settings = RuntimeSettings()
    assert export_endpoint(settings, environ={}) is None
    assert export_endpoint(settings, environ={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}) == ""
    configured = RuntimeSettings(otlp_endpoint="http://127.0.0.1:4318/")
    assert export_endpoint(configured, environ={}) == "http://127.0.0.1:4318/v1/traces"


def test_configured_tracing_exports_through_the_private_filter() -> None:
    memory = InMemorySpanExporter()
    provider = configure_tracing("triage", RuntimeSettings(), exporter=memory)
    try:
        with span("triage assess", {"hotline.signal_id": "not-a-uuid", "narrative": NARRATIVE}) as current:
            current.set_attribute("reporter.email", "reporter@example.org")  # straight through the SDK
        provider.force_flush()
        [finished] = memory.get_finished_spans()
        assert dict(finished.attributes or {}) == {}
        assert finished.resource.attributes["service.name"] == "triage"
    finally:
        provider.shutdown()
        install_provider(TracerProvider())


# ------------------------------------------------------------------ the allow-list


@pytest.mark.parametrize("name", sorted(ALLOWED))
@pytest.mark.parametrize("value", [*SENSITIVE, NARRATIVE, "HT-ABCD-EFGH1", "10.0.0.7", "Mozilla/5.0"])
def test_no_allowed_attribute_takes_a_narrative_a_contact_detail_or_an_address(name: str, value: str) -> None:
    assert allowed({name: value}) == {}


@pytest.mark.parametrize("name", ["narrative", "reporter.email", "http.client_ip", "user_agent.original",
                                  "hotline.reference_number", "hotline.contact_id", "exception.message",
                                  "url.full", "enduser.id"])
def test_attributes_outside_the_allow_list_are_dropped_whatever_their_value(name: str) -> None:
    assert allowed({name: "x", "hotline.channel": "webform"}) == {"hotline.channel": "webform"}


def test_ids_types_and_counts_pass() -> None:
    kept = {"hotline.signal_id": "b4e71087-1958-59ae-aafc-72a4ea202fc4", "hotline.channel": "phone",
            "hotline.urgency": "p1_act_now", "cloudevents.event_type": "org.hotline.signal.received.v1",
            "messaging.destination.name": "t-1a2b.signals.received", "hotline.flags_raised": 2,
            "messaging.kafka.offset": 12345, "error.type": "BrokerUnavailable"}
    assert allowed(kept) == kept
    assert allowed({"messaging.consumer.group.name": "t-1a2b.review.cases"}) != {}
    assert allowed({"hotline.flags_raised": -1, "hotline.count": True, "hotline.step": 1.5}) == {}


def test_an_error_is_recorded_by_its_class_never_its_message(exported: InMemorySpanExporter) -> None:
    with pytest.raises(ValueError, match="Maria"), span("review apply"):
        raise ValueError(f"cannot store {NARRATIVE}")
    [failed] = exported.get_finished_spans()
    assert failed.status.status_code is StatusCode.ERROR and not failed.status.description
    assert dict(failed.attributes or {}) == {"error.type": "ValueError"}
    assert not failed.events
    leaked = tracer().start_span("x")
    leaked.record_exception(ValueError(NARRATIVE))  # even when some code records one itself
    leaked.end()
    assert all("Maria" not in text for s in exported.get_finished_spans() for text in _strings(s))


# ------------------------------------------------------------------ a whole signal through triage


async def test_a_revealing_signal_through_triage_leaves_nothing_personal_in_any_span(
        exported: InMemorySpanExporter) -> None:
    publisher = InMemoryPublisher()
    await publisher.start()
    signal = _revealing_signal()
    with accepting(Channel.WEBFORM.value), publishing(Topic.SIGNALS_RECEIVED) as publication:
        encoded = CODEC.encode(signal, source="/hotline/intake-webform", extra_headers=publication.headers)
    record = BrokerRecord(topic=Topic.SIGNALS_RECEIVED, partition=0, offset=0, key=encoded.key,
                          value=encoded.value, headers=encoded.headers)
    await _processor(publisher).process(record)

    spans = exported.get_finished_spans()
    assert {s.name for s in spans} >= {"intake accept", "send signals.received", "process signals.received",
                                       "triage assess", "send signals.triaged"}
    assert len({s.context.trace_id for s in spans}) == 1  # one trace, from the intake to the outputs
    for finished in spans:
        assert set(finished.attributes or {}) <= set(ALLOWED), finished.name
        for text in _strings(finished):
            for secret in SENSITIVE:
                assert secret not in text, (finished.name, secret)
    assessment = next(s for s in spans if s.name == "triage assess")
    assert assessment.attributes["hotline.signal_id"] == str(signal.signal_id)  # type: ignore[index]
    assert assessment.attributes["hotline.urgency"] in {"p1_act_now", "p2_same_day"}  # type: ignore[index]
    for published in publisher.records(Topic.SIGNALS_TRIAGED):
        context = span_context_of(published.record.headers)
        assert context is not None and context.trace_id == spans[0].context.trace_id
