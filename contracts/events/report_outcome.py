"""``ReportOutcome``: what happened to one step of a report's contact chain.

A report (one ``ReportRequested``) is resolved per potential victim to a chain of contacts; each
step is delivered (email, signed webhook) or becomes a call for a specialist, and is acknowledged,
falls back to the next contact, or fails. Ids, codes and times only: never the report's text or
the contact's address. Key: ``report_id``, so a report's outcomes stay in order.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from contracts._base import Event
from contracts.events.report_requested import ReportNeed
from contracts.events.signal_received import ReferenceNumber
from contracts.ids import derive_id

Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.:-]{0,79}$")]


class OutcomeKind(StrEnum):
    DELIVERED = "delivered"  # the contact's system took it (SMTP accepted, webhook 2xx)
    ACKNOWLEDGED = "acknowledged"  # a person confirmed through the one-time link
    REACHED = "reached"  # phone step: the specialist reached them
    NO_ANSWER = "no_answer"
    VOICEMAIL_LEFT = "voicemail_left"
    CALLBACK_PROMISED = "callback_promised"
    SKIPPED_UNAVAILABLE = "skipped_unavailable"  # outside the contact's availability window
    TIMED_OUT = "timed_out"  # no acknowledgement within the step's wait: the chain moves on
    FAILED = "failed"  # delivery refused or impossible
    EXHAUSTED = "exhausted"  # every step tried, nobody acknowledged: escalated to people
    COMPLETED = "completed"  # the report (or a mandatory-report obligation) is done


class ReportOutcome(Event):
    EVENT_TYPE = "org.hotline.report.outcome"
    VERSION = 1

    report_id: UUID
    signal_id: UUID
    reference_number: ReferenceNumber
    need: ReportNeed
    # Which potential victim's lookup (0-based) and which step of its chain; None for the report.
    victim: Annotated[int, Field(ge=0, le=200)] | None = None
    step: Annotated[int, Field(ge=0, le=50)] | None = None
    contact_id: Code | None = None
    channel: Literal["email", "webhook", "phone"] | None = None
    # Set when ``victim`` is a mandatory report's lookup (e.g. "ncmec-minor"), not a chain of the matrix.
    obligation: Code | None = None
    kind: OutcomeKind
    reason: Code | None = None
    occurred_at: AwareDatetime

    def event_id(self) -> str:
        # One outcome of a kind per step: a redelivery after a crash is the same record.
        return str(derive_id("report.outcome", str(self.report_id), str(self.victim), str(self.step),
                             self.kind.value))

    def partition_key(self) -> str:
        return str(self.report_id)
