"""``ReviewDecision``: what a supervisor or analyst decided on a case, for reporting and ops.

Ids, kinds and reason codes only: who decided is named by role (the person is in review's audit
trail), and nothing of the narrative or the reporter is carried. Key: the case's first signal id,
so every decision on a case lands on one partition in order.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field

from contracts._base import Event
from contracts.events.report_requested import ReportNeed
from contracts.events.signal_received import ReferenceNumber
from contracts.events.signal_triaged import FlagName

Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]{1,63}$")]


class DecisionKind(StrEnum):
    ACKNOWLEDGED = "acknowledged"  # an urgent case was taken up (claimed) by a person
    LE_REPORT_REQUESTED = "le_report_requested"  # waiting for a second person's approval
    LE_REPORT_APPROVED = "le_report_approved"  # sent on to reporting (reports.requested)
    LE_REPORT_REJECTED = "le_report_rejected"
    BREAK_GLASS_REVIEWED = "break_glass_reviewed"  # the report triage sent was looked at
    REFERRAL = "referral"
    MORE_INFO = "more_info"
    LINKED = "linked"
    MERGED = "merged"
    CLOSED = "closed"
    FLAG_OVERRIDDEN = "flag_overridden"  # a label for rule evaluation
    ESCALATED = "escalated"  # an urgent case nobody acknowledged in time


class ReviewDecision(Event):
    EVENT_TYPE = "org.hotline.review.decision"
    VERSION = 1

    decision_id: UUID
    case_id: UUID
    signal_id: UUID  # the case's first signal: the key
    signal_ids: Annotated[list[UUID], Field(min_length=1, max_length=500)]
    reference_number: ReferenceNumber
    kind: DecisionKind
    decided_at: AwareDatetime
    decided_by_role: Annotated[str, Field(pattern=r"^(analyst|supervisor|admin|service|system)$")]
    reason: Code | None = None
    need: ReportNeed | None = None
    report_id: UUID | None = None
    flag: FlagName | None = None
    flag_value: bool | None = None
    other_case_id: UUID | None = None

    def event_id(self) -> str:
        return str(self.decision_id)

    def partition_key(self) -> str:
        return str(self.signal_id)
