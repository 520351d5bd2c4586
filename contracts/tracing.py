"""Trace context carried in Kafka headers: W3C ``traceparent`` and the intake's acceptance time.

An intake starts a trace when it accepts a signal; every service that publishes because of a
record it read continues that trace (same trace id, a new span id), so one signal can be
followed across services by its trace id. ``hotline_ingested_at`` (milliseconds since the epoch,
set once by the intake and copied unchanged) lets each consumer measure end-to-end latency.
Both are ids and times only, like every header (see ``contracts.envelope``).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from contracts.envelope import Header, header_value

H_TRACEPARENT: Final = "traceparent"
H_INGESTED_AT: Final = "hotline_ingested_at"
TRACE_HEADERS: Final = frozenset({H_TRACEPARENT, H_INGESTED_AT})

# version 00: 2 hex version, 32 hex trace id, 16 hex parent id, 2 hex flags (W3C Trace Context).
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_ZERO_TRACE: Final = "0" * 32
_ZERO_SPAN: Final = "0" * 16


def _new_span_id() -> str:
    while (span := secrets.token_hex(8)) == _ZERO_SPAN:
        pass
    return span


@dataclass(frozen=True)
class TraceContext:
    trace_id: str
    span_id: str
    flags: str = "01"
    ingested_at_ms: int | None = None

    @classmethod
    def start(cls, ingested_at: datetime | None) -> TraceContext:
        """A new trace, begun when an intake accepts a signal (``ingested_at``), or by a service
        handling a record that carried none (no acceptance time is known then)."""
        while (trace_id := secrets.token_hex(16)) == _ZERO_TRACE:
            pass
        return cls(trace_id=trace_id, span_id=_new_span_id(),
                   ingested_at_ms=None if ingested_at is None else int(ingested_at.timestamp() * 1000))

    @classmethod
    def from_headers(cls, headers: Sequence[Header]) -> TraceContext | None:
        """The context a record carries, or None when it has none or a malformed one."""
        raw = header_value(headers, H_TRACEPARENT)
        match = _TRACEPARENT.match(raw.strip().lower()) if raw else None
        if match is None or match[1] == _ZERO_TRACE or match[2] == _ZERO_SPAN:
            return None
        ingested = header_value(headers, H_INGESTED_AT)
        ingested_ms = int(ingested) if ingested is not None and ingested.isdigit() else None
        return cls(trace_id=match[1], span_id=match[2], flags=match[3], ingested_at_ms=ingested_ms)

    def child(self) -> TraceContext:
        """The context of a record published because of this one: same trace, new span."""
        return TraceContext(trace_id=self.trace_id, span_id=_new_span_id(), flags=self.flags,
                            ingested_at_ms=self.ingested_at_ms)

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"

    def headers(self) -> list[Header]:
        headers: list[Header] = [(H_TRACEPARENT, self.traceparent.encode())]
        if self.ingested_at_ms is not None:
            headers.append((H_INGESTED_AT, str(self.ingested_at_ms).encode()))
        return headers


def has_trace(headers: Sequence[Header]) -> bool:
    return any(name == H_TRACEPARENT for name, _ in headers)
