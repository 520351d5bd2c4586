"""Spans with the OpenTelemetry SDK, and their context in Kafka headers: one trace per signal.

An intake's acceptance of a signal is the root of its trace (``accepting``); every record a
service handles is a consumer span whose parent is read from the record's ``traceparent`` with
OpenTelemetry's W3C propagator (``consuming``); every record it publishes is a producer span,
child of whatever is current, whose context the propagator writes into the record's headers
(``publishing``); work in between is a span of its own (``span``). The acceptance time travels
beside the trace as ``hotline_ingested_at`` (set once, copied unchanged) for end-to-end latency.

Attributes pass ``span_attributes.allowed`` (ids, types and counts only). Exceptions are never
recorded as span events, and a failed span's status has no description: both would carry an
error's message, which may quote input; the error's class is the ``error.type`` attribute.

Spans are always made (logs carry their trace id, and headers their context); they leave the
process only when an OTLP endpoint is configured (``services.runtime.trace_export``). While
nothing takes finished spans (no span processor: no export configured), spans are made without
the SDK's recording machinery (``_start``): the same ids, sampling decision and headers, with
nothing kept that nobody would read.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagators.textmap import Getter, Setter
from opentelemetry.sdk.trace import Tracer, TracerProvider
from opentelemetry.sdk.trace.sampling import Decision
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext, SpanKind, Status, StatusCode, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from contracts import Header, KafkaRecord, Topic
from contracts.envelope import H_TYPE, header_value
from contracts.tracing import H_INGESTED_AT, has_trace, ingested_at_ms
from services.runtime.span_attributes import AttributeValue, allowed

_PROPAGATOR: Final = TraceContextTextMapPropagator()
_INGESTED_AT: Final = otel_context.create_key("hotline.ingested_at_ms")
_SCOPE: Final = "hotline"


class _HeaderGetter(Getter[Sequence[Header]]):
    def get(self, carrier: Sequence[Header], key: str) -> list[str] | None:
        value = header_value(carrier, key)
        return None if value is None else [value]

    def keys(self, carrier: Sequence[Header]) -> list[str]:
        return [name for name, _ in carrier]


class _HeaderSetter(Setter[list[Header]]):
    def set(self, carrier: list[Header], key: str, value: str) -> None:
        carrier.append((key, value.encode()))


_GETTER: Final = _HeaderGetter()
_SETTER: Final = _HeaderSetter()


@dataclass
class _Provider:
    # Until a service configures export, spans are made by a provider that exports nothing:
    # trace ids and headers work the same in tools and tests.
    provider: TracerProvider = field(default_factory=TracerProvider)
    # The provider's tracer, made once: ``get_tracer`` builds a new one on every call (with a
    # warnings filter and a scope object), a few per record on a consumer's hot path.
    tracer: trace.Tracer | None = None


_state = _Provider()


def install_provider(provider: TracerProvider) -> TracerProvider:
    """Make ``provider`` the one this process's spans come from; returns the previous one."""
    previous, _state.provider, _state.tracer = _state.provider, provider, None
    return previous


def tracer() -> trace.Tracer:
    made = _state.tracer
    if made is None:
        made = _state.tracer = _state.provider.get_tracer(_SCOPE)
    return made


def _recorded() -> bool:
    """Whether a finished span goes anywhere: the provider has a span processor (an exporter, a
    test's memory). Read from the SDK's own fields; if they ever move, every span is recorded."""
    processor = getattr(_state.provider, "_active_span_processor", None)
    processors = getattr(processor, "_span_processors", None)
    return not isinstance(processors, tuple) or len(processors) > 0


def _start(name: str, context: otel_context.Context, kind: SpanKind,
           attributes: Mapping[str, AttributeValue]) -> Span:
    """``tracer().start_span`` for a span whose attributes are allowed already; while nothing takes
    finished spans, a span with the SDK's ids, sampling decision and flags that records nothing.

    Building the recording span (its attribute store, lock, limits, start hooks and end metrics)
    was most of a new signal's tracing cost, a fifth of a CDR row's time, for spans no processor
    would ever see; the ids and flags, which travel in the record's ``traceparent``, are made by
    the same steps the SDK takes (``Tracer.start_span``).
    """
    made = tracer()
    if _recorded() or not isinstance(made, Tracer):
        return made.start_span(name, context=context, kind=kind, attributes=attributes,
                               record_exception=False, set_status_on_exception=False)
    parent = trace.get_current_span(context).get_span_context()
    enabled = getattr(made, "_is_enabled", None)
    if callable(enabled) and not enabled():  # a tracer turned off: what the SDK gives
        return NonRecordingSpan(parent)
    root = not parent.is_valid
    trace_id = made.id_generator.generate_trace_id() if root else parent.trace_id
    sampling = made.sampler.should_sample(context, trace_id, name, kind, attributes)
    flags = TraceFlags.SAMPLED if sampling.decision is Decision.RECORD_AND_SAMPLE else TraceFlags.DEFAULT
    if made.id_generator.is_trace_id_random() if root else parent.trace_flags.random_trace_id:
        flags |= TraceFlags.RANDOM_TRACE_ID
    return NonRecordingSpan(SpanContext(trace_id, made.id_generator.generate_span_id(), is_remote=False,
                                        trace_flags=TraceFlags(flags), trace_state=sampling.trace_state))


# ---------------------------------------------------------------- context in headers


def extract(headers: Sequence[Header]) -> otel_context.Context:
    """The context a record carries: its trace (when its ``traceparent`` is valid) and acceptance time."""
    context = _PROPAGATOR.extract(headers, context=otel_context.Context(), getter=_GETTER)
    ingested = ingested_at_ms(headers)
    return context if ingested is None else otel_context.set_value(_INGESTED_AT, ingested, context)


def inject(context: otel_context.Context | None = None) -> list[Header]:
    """Trace headers for the span current in ``context`` (default: the current context)."""
    headers: list[Header] = []
    _PROPAGATOR.inject(headers, context=context, setter=_SETTER)
    ingested = otel_context.get_value(_INGESTED_AT, context)
    if isinstance(ingested, int):
        headers.append((H_INGESTED_AT, str(ingested).encode()))
    return headers


def span_context_of(headers: Sequence[Header]) -> trace.SpanContext | None:
    """The span a record's headers name as its parent, or None when they carry no valid one."""
    span_context = trace.get_current_span(extract(headers)).get_span_context()
    return span_context if span_context.is_valid else None


def current_trace_id() -> str | None:
    """The trace id of the work in hand (32 hex digits), for log lines."""
    span_context = trace.get_current_span().get_span_context()
    return trace.format_trace_id(span_context.trace_id) if span_context.is_valid else None


# ---------------------------------------------------------------- spans


@contextlib.contextmanager
def _attached(context: otel_context.Context | None) -> Iterator[None]:
    token = None if context is None else otel_context.attach(context)
    try:
        yield
    finally:
        if token is not None:
            otel_context.detach(token)


@contextlib.contextmanager
def span(name: str, attributes: Mapping[str, object] | None = None, *,
         kind: SpanKind = SpanKind.INTERNAL, context: otel_context.Context | None = None) -> Iterator[Span]:
    """A span current for the block, child of ``context``'s span (default: the current one)."""
    parent = otel_context.get_current() if context is None else context
    current = _start(name, parent, kind, allowed(attributes or {}))
    try:
        with _attached(trace.set_span_in_context(current, parent)):
            yield current
    except (asyncio.CancelledError, GeneratorExit):
        raise
    except BaseException as error:
        fail(current, error)
        raise
    finally:
        current.end()


def annotate(target: Span, attributes: Mapping[str, object]) -> None:
    """Add allow-listed attributes to ``target``; anything else is dropped."""
    if target.is_recording():  # a span that records nothing would drop them anyway: not checked
        target.set_attributes(allowed(attributes))


def fail(target: Span, error: BaseException) -> None:
    """Mark ``target`` failed with the error's class only (its message may quote input)."""
    target.set_status(Status(StatusCode.ERROR))
    annotate(target, {"error.type": type(error).__name__})


def _root(now: datetime | None) -> otel_context.Context:
    """A context without a parent span, stamped with the acceptance time of a new signal."""
    accepted = now or datetime.now(UTC)
    return otel_context.set_value(_INGESTED_AT, int(accepted.timestamp() * 1000), otel_context.Context())


@contextlib.contextmanager
def accepting(channel: str, *, now: datetime | None = None) -> Iterator[Span]:
    """An intake accepting one signal: the root of the signal's trace, stamped with the time."""
    with span("intake accept", {"hotline.channel": channel}, kind=SpanKind.SERVER,
              context=_root(now)) as current:
        yield current


def consume_context(headers: Sequence[Header]) -> otel_context.Context:
    """The parent of a consumer span: the record's trace (or a fresh root when it carries none)."""
    return extract(headers)


@contextlib.contextmanager
def consuming(topic: Topic, headers: Sequence[Header], *, group: str, partition: int,
              offset: int, topic_name: str | None = None) -> Iterator[Span]:
    """Handling one record: a consumer span, child of the span that published it."""
    with span(f"process {topic.value}", _consume_attributes(topic, headers, group, partition, offset,
                                                            topic_name),
              kind=SpanKind.CONSUMER, context=consume_context(headers)) as current:
        yield current


@dataclass(frozen=True)
class OpenSpan:
    """A span that outlives a block: work is done under it in ``current()`` blocks (from any
    task), and it is ended once, by ``end``."""

    span: Span
    context: otel_context.Context

    @contextlib.contextmanager
    def current(self) -> Iterator[Span]:
        with _attached(self.context):
            yield self.span

    def annotate(self, attributes: Mapping[str, object]) -> None:
        annotate(self.span, attributes)

    def end(self, error: BaseException | None = None) -> None:
        if error is not None:
            fail(self.span, error)
        self.span.end()


def start_consuming(topic: Topic, headers: Sequence[Header], *, group: str, partition: int,
                    offset: int, topic_name: str | None = None) -> OpenSpan:
    """A consumer span that outlives a block (triage ends it once the record's outputs are
    acknowledged, after a batch); the caller ends it."""
    parent = consume_context(headers)
    started = _start(f"process {topic.value}", parent, SpanKind.CONSUMER,
                     allowed(_consume_attributes(topic, headers, group, partition, offset, topic_name)))
    return OpenSpan(span=started, context=trace.set_span_in_context(started, parent))


def finished_span(name: str, parent: OpenSpan, *, started_ns: int,
                  attributes: Mapping[str, object] | None = None) -> None:
    """A span under ``parent`` from ``started_ns`` until now, ended at once: work done for several
    records together (a batch in one transaction), shown in each record's own trace. While
    nothing takes finished spans, there is nothing to make."""
    made = tracer()
    if _recorded() or not isinstance(made, Tracer):
        made.start_span(name, context=parent.context, start_time=started_ns,
                        attributes=allowed(attributes or {}), record_exception=False,
                        set_status_on_exception=False).end()


def _consume_attributes(topic: Topic, headers: Sequence[Header], group: str, partition: int,
                        offset: int, topic_name: str | None) -> dict[str, object]:
    return {
        "messaging.system": "kafka", "messaging.operation.type": "process",
        "messaging.destination.name": topic_name or topic.value,
        "messaging.destination.partition.id": partition, "messaging.kafka.offset": offset,
        "messaging.consumer.group.name": group,
        "messaging.message.id": header_value(headers, "ce_id"),
        "cloudevents.event_type": header_value(headers, H_TYPE),
    }


@dataclass
class Publication:
    """One record being published: its producer span and the trace headers to put on it."""

    current: Span
    headers: list[Header]

    def describe(self, record: KafkaRecord) -> None:
        """Name the encoded record on the span (its CloudEvents id and type)."""
        if not self.current.is_recording():
            return
        annotate(self.current, {"messaging.message.id": record.event_id,
                                "cloudevents.event_id": record.event_id,
                                "cloudevents.event_type": header_value(record.headers, H_TYPE)})


@contextlib.contextmanager
def publishing(topic: Topic, *, now: datetime | None = None,
               operation: str = "send") -> Iterator[Publication]:
    """A producer span for one record, child of the current span; without one (a decision taken
    in a web request, a command-line import) it starts a trace, stamped ``now`` as acceptance.
    ``operation``: ``send`` when the block awaits the broker, ``create`` when it only writes the
    record (to an outbox or a spool) for later."""
    parent = otel_context.get_current()
    if not trace.get_current_span(parent).get_span_context().is_valid:
        parent = _root(now)
    with span(f"{operation} {topic.value}", {
            "messaging.system": "kafka", "messaging.operation.type": operation,
            "messaging.destination.name": topic.value}, kind=SpanKind.PRODUCER, context=parent) as current:
        yield Publication(current=current, headers=inject())


@dataclass(frozen=True)
class Acceptance:
    """A new signal's two spans, its root (``intake accept``) and its producer span (``send
    <topic>``), open until the record is acknowledged, with the trace headers the record carries.

    The spans ``accepting`` and ``publishing`` make, for a caller that publishes many records at
    once (an import's batch): neither is made current, so nothing is attached and detached per
    record, and each is ended by ``end`` once its record is durable or refused.
    """

    accepted: Span
    sent: Span
    headers: list[Header]
    context: otel_context.Context  # the producer span's, under the root

    def describe(self, record: KafkaRecord) -> None:
        """Name the encoded record on the producer span (its CloudEvents id and type)."""
        Publication(current=self.sent, headers=self.headers).describe(record)

    @contextlib.contextmanager
    def current(self) -> Iterator[None]:
        """The producer span current for the block (log lines carry its trace id): one attach."""
        with _attached(self.context):
            yield

    def end(self, error: BaseException | None = None) -> None:
        """End both spans, failed by ``error`` (as ``span`` fails them, a cancellation aside)."""
        if error is not None and not isinstance(error, asyncio.CancelledError | GeneratorExit):
            fail(self.sent, error)
            fail(self.accepted, error)
        self.sent.end()
        self.accepted.end()


def start_accepting(channel: str, topic: Topic, signal_id: str, *, now: datetime | None = None) -> Acceptance:
    """``accepting`` and ``publishing`` for one new signal, without a block: the caller ends them."""
    root = _root(now)
    accepted = _start("intake accept", root, SpanKind.SERVER,
                      allowed({"hotline.channel": channel, "hotline.signal_id": signal_id}))
    accepted_context = trace.set_span_in_context(accepted, root)
    sent = _start(f"send {topic.value}", accepted_context, SpanKind.PRODUCER, _send_attributes(topic))
    sent_context = trace.set_span_in_context(sent, accepted_context)
    return Acceptance(accepted=accepted, sent=sent, headers=inject(sent_context), context=sent_context)


_SENDS: dict[Topic, dict[str, AttributeValue]] = {}


def _send_attributes(topic: Topic) -> dict[str, AttributeValue]:
    """A producer span's attributes, the same for every record to ``topic``: checked once."""
    found = _SENDS.get(topic)
    if found is None:
        found = _SENDS[topic] = allowed({"messaging.system": "kafka", "messaging.operation.type": "send",
                                         "messaging.destination.name": topic.value})
    return found


def trace_headers(topic: Topic, *, now: datetime | None = None) -> list[Header]:
    """Headers of a record written now and published later (an outbox row): a ``create`` span."""
    with publishing(topic, now=now, operation="create") as publication:
        return publication.headers


def with_trace(extra_headers: Sequence[Header], publication: Publication) -> list[Header]:
    """``extra_headers`` plus the publication's trace headers, unless the caller already set them
    (a record written earlier, with the trace it was written in)."""
    headers = list(extra_headers)
    if not has_trace(headers):
        headers.extend(publication.headers)
    return headers


def ingestion_age_s(headers: Sequence[Header], now: datetime | None = None) -> float | None:
    """Seconds since the intake accepted the signal this record descends from, when known."""
    ingested = ingested_at_ms(headers)
    if ingested is None:
        return None
    age = (now or datetime.now(UTC)).timestamp() - ingested / 1000
    return max(age, 0.0)
