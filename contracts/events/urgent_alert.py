"""``UrgentAlert``: a signal that must reach a supervisor now (a minor, imminent danger); ids, no narrative.

Supervisors read the narrative in the review queue; the alert says which signal, why, how soon
and what must happen, so that it can be pushed to phones and pagers without carrying content.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from contracts._base import Event
from contracts.events._common import CallType, Channel, TraffickingType, Urgency
from contracts.events.signal_received import ReferenceNumber
from contracts.events.signal_triaged import FlagName, RoutingTarget
from contracts.ids import derive_id

StateCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class UrgentAlert(Event):
    """Key: ``signal_id``. One alert per signal: a re-triage under new rules does not page twice."""

    EVENT_TYPE = "org.hotline.alert.urgent"
    VERSION = 1

    signal_id: UUID
    reference_number: ReferenceNumber
    channel: Channel
    received_at: AwareDatetime
    raised_at: AwareDatetime
    rules_version: Annotated[str, Field(min_length=1, max_length=64)]
    urgency: Urgency
    # The urgent flags raised; empty for a crisis call that raised neither (see call_type).
    reasons: Annotated[list[FlagName], Field(max_length=4)]
    required_actions: Annotated[list[RoutingTarget], Field(min_length=1, max_length=10)]
    call_type: CallType
    trafficking_type: TraffickingType
    state: StateCode | None = None
    business_hours: bool
    sla_due_at: AwareDatetime
    linked_signal_ids: Annotated[list[UUID], Field(max_length=20)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _only_urgent(self) -> UrgentAlert:
        if not self.urgency.is_urgent:
            raise ValueError("an urgent alert needs urgency p1 or p2")
        return self

    def event_id(self) -> str:
        return str(derive_id("alert.urgent", str(self.signal_id)))

    def partition_key(self) -> str:
        return str(self.signal_id)
