"""Trace headers on Kafka records: W3C ``traceparent`` and the intake's acceptance time.

An intake starts a trace when it accepts a signal; every service that publishes because of a
record it read continues that trace, so one signal can be followed across services by its trace
id. The runtime reads and writes ``traceparent`` with OpenTelemetry's W3C propagator
(``services.runtime.tracing``); contracts only name the headers, and stay free of any library.
``hotline_ingested_at`` (milliseconds since the epoch, set once by the intake and copied
unchanged) lets each consumer measure end-to-end latency. Both are ids and times only, like
every header (see ``contracts.envelope``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from contracts.envelope import Header, header_value

H_TRACEPARENT: Final = "traceparent"
H_TRACESTATE: Final = "tracestate"
H_INGESTED_AT: Final = "hotline_ingested_at"
TRACE_HEADERS: Final = frozenset({H_TRACEPARENT, H_TRACESTATE, H_INGESTED_AT})


def has_trace(headers: Sequence[Header]) -> bool:
    return any(name == H_TRACEPARENT for name, _ in headers)


def ingested_at_ms(headers: Sequence[Header]) -> int | None:
    """The acceptance time a record carries (ms since the epoch), or None when absent or malformed."""
    value = header_value(headers, H_INGESTED_AT)
    return int(value) if value is not None and value.isascii() and value.isdigit() else None
