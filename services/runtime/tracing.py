"""The trace a process is working under: set while a record is handled, continued by what it publishes.

``EncodingPublisher.publish`` adds trace headers to every event it encodes: the child of the
record being handled (so triage's outputs continue the intake's trace), or a new trace when
nothing is being handled (an intake accepting a signal). Logs carry the trace id.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime

from contracts import Header
from contracts.tracing import TraceContext, has_trace

_current: ContextVar[TraceContext | None] = ContextVar("hotline_trace", default=None)


def current_trace() -> TraceContext | None:
    return _current.get()


@contextlib.contextmanager
def continuing(headers: Sequence[Header]) -> Iterator[TraceContext | None]:
    """Work done inside this block belongs to the trace ``headers`` carry (if any)."""
    token = _current.set(TraceContext.from_headers(headers))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def trace_headers(*, parent: Sequence[Header] | None = None, now: datetime | None = None) -> list[Header]:
    """Headers for a record about to be published: a child of ``parent`` (or of the record being
    handled), else the start of a new trace stamped with the acceptance time ``now``."""
    if parent is not None:
        context = TraceContext.from_headers(parent)
        if context is None:  # a record from before tracing, or a foreign producer
            return TraceContext.start(None).headers()
    else:
        context = _current.get()
    context = TraceContext.start(now or datetime.now(UTC)) if context is None else context.child()
    return context.headers()


def with_trace(extra_headers: Sequence[Header]) -> list[Header]:
    """``extra_headers`` plus trace headers, unless the caller already set them."""
    headers = list(extra_headers)
    if not has_trace(headers):
        headers.extend(trace_headers())
    return headers


def ingestion_age_s(headers: Sequence[Header], now: datetime | None = None) -> float | None:
    """Seconds since the intake accepted the signal this record descends from, when known."""
    context = TraceContext.from_headers(headers)
    if context is None or context.ingested_at_ms is None:
        return None
    age = (now or datetime.now(UTC)).timestamp() - context.ingested_at_ms / 1000
    return max(age, 0.0)
