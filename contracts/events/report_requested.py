"""``ReportRequested``: a report to law-enforcement or service contacts, by break-glass or after review.

Carries the conditions the region's reporting and referral protocol is looked up by (seed 004:
urgent or not, business hours or after, minor or adult, foreign national or US citizen, labor or
sex) and ids to reach the case, never the narrative or the reporter's contact details.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Final, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from contracts._base import Event
from contracts.events._common import Urgency
from contracts.events.signal_received import ReferenceNumber
from contracts.events.signal_triaged import Jurisdiction, ReportConditions
from contracts.ids import derive_id


class ReportNeed(StrEnum):
    """The rows of the reporting and referral matrix (seed 004)."""

    TIP_REPORTING = "tip_reporting"
    VICTIM_EXTRACTION = "victim_extraction_le_intervention"
    SHELTER_EMERGENCY = "shelter_emergency"
    SHELTER_TRANSITIONAL = "shelter_transitional"
    CASE_MANAGEMENT = "case_management"
    LEGAL_SERVICES = "legal_services"
    MENTAL_HEALTH = "mental_health"
    IMMIGRATION_SERVICES = "immigration_services"


# How staff say each need: review's case page and reporting's call tasks show the same words.
NEED_WORDS: Final[Mapping[str, str]] = MappingProxyType({
    ReportNeed.TIP_REPORTING: "tip report to law enforcement",
    ReportNeed.VICTIM_EXTRACTION: "law-enforcement intervention (victim extraction)",
    ReportNeed.SHELTER_EMERGENCY: "emergency shelter",
    ReportNeed.SHELTER_TRANSITIONAL: "transitional shelter",
    ReportNeed.CASE_MANAGEMENT: "case management",
    ReportNeed.LEGAL_SERVICES: "legal services",
    ReportNeed.MENTAL_HEALTH: "mental health services",
    ReportNeed.IMMIGRATION_SERVICES: "immigration services",
})


def need_words(need: str) -> str:
    """A matrix need in words; one newer than this table (from a newer producer) without its underscores."""
    return NEED_WORDS.get(need) or need.replace("_", " ")  # a StrEnum member is looked up by its value


class ReportRequested(Event):
    """Key: ``report_id``. A break-glass report's id derives from its signal: one per signal."""

    EVENT_TYPE = "org.hotline.report.requested"
    VERSION = 1

    report_id: UUID
    signal_id: UUID
    reference_number: ReferenceNumber
    kind: Literal["break_glass", "approved"]
    requested_by: Literal["triage", "review"]
    reason: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]{1,63}$")]
    need: ReportNeed
    requested_at: AwareDatetime
    urgency: Urgency
    conditions: ReportConditions
    jurisdiction: Jurisdiction
    rules_version: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    # Added in v1 (optional, additive): whether this report is to make the mandatory reports its
    # victims bring (NCMEC, the FBI for a minor). Review owes them once per case, not once per
    # report: "notify" on the approved report that discharges the case's obligation, "skip" on
    # every other report or referral of the case. None (break-glass reports, and every request
    # published before the field): reporting makes whatever mandatory reports the protocol owes.
    mandatory_reports: Literal["notify", "skip"] | None = None

    @staticmethod
    def break_glass_id(signal_id: UUID) -> UUID:
        # Not tied to the rules version: a re-triage must not send law enforcement a second report.
        return derive_id("report.break_glass", str(signal_id))

    def event_id(self) -> str:
        return str(self.report_id)

    def partition_key(self) -> str:
        return str(self.report_id)
