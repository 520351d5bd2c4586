"""Where spans go: the OpenTelemetry SDK's tracer provider, exporting over OTLP when asked to.

Export is off by default. It is on when ``HOTLINE_OTLP_ENDPOINT`` is set (the collector's base
URL, e.g. ``http://127.0.0.1:4318``; traces go to ``/v1/traces``) or when the SDK's own
``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is (then the SDK reads
it, with its ``OTEL_EXPORTER_OTLP_*`` headers, certificates and timeouts). Spans are batched
(``OTEL_BSP_*``) and flushed when the service stops. Every span passes the attribute allow-list
again on its way out, its events and links lose their attributes and its status its description
(``PrivateSpanExporter``), whatever code made it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Final

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import Link, Status

from services.runtime.settings import RuntimeSettings
from services.runtime.span_attributes import allowed
from services.runtime.tracing import install_provider

_SDK_ENDPOINTS: Final = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")


class PrivateSpanExporter(SpanExporter):
    """Exports only allow-listed attributes: the last guard before a span leaves the process."""

    def __init__(self, inner: SpanExporter) -> None:
        self._inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self._inner.export([private(s) for s in spans])

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self._inner.force_flush(timeout_millis)


def private(span: ReadableSpan) -> ReadableSpan:
    """``span`` with only allow-listed attributes, attribute-free events and links, and a status
    without its description."""
    return ReadableSpan(
        name=span.name, context=span.context, parent=span.parent, resource=span.resource,
        attributes=allowed(span.attributes or {}),
        events=[Event(event.name, timestamp=event.timestamp) for event in span.events],
        links=[Link(link.context) for link in span.links],
        kind=span.kind, status=Status(span.status.status_code), start_time=span.start_time,
        end_time=span.end_time, instrumentation_scope=span.instrumentation_scope,
    )


def export_endpoint(settings: RuntimeSettings, environ: Mapping[str, str] = os.environ) -> str | None:
    """The OTLP/HTTP traces URL the project's setting names, "" when only the SDK's variables do
    (it reads them itself), None when export is off."""
    if settings.otlp_endpoint:
        return settings.otlp_endpoint.rstrip("/") + "/v1/traces"
    return "" if any(environ.get(name) for name in _SDK_ENDPOINTS) else None


def configure_tracing(service: str, settings: RuntimeSettings,
                      exporter: SpanExporter | None = None) -> TracerProvider:
    """Install this process's tracer provider; returns it, to be shut down (flushed) at the end."""
    resource = Resource.create({
        "service.name": service, "service.namespace": "hotline", "service.instance.id": settings.instance,
        "deployment.environment.name": settings.environment,
    })
    provider = TracerProvider(resource=resource)
    if exporter is None:
        endpoint = export_endpoint(settings)
        if endpoint is not None:
            exporter = OTLPSpanExporter(endpoint=endpoint or None)
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(PrivateSpanExporter(exporter)))
    install_provider(provider)
    return provider
