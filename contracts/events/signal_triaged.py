"""``SignalTriaged``: triage's explainable assessment of one signal, and where it must go."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from contracts._base import ContractModel, Event
from contracts.events._common import CallType, Channel, TraffickingType, Urgency
from contracts.events.signal_received import LanguageTag, ReferenceNumber
from contracts.ids import derive_id


class FlagName(StrEnum):
    MINOR = "minor"
    IMMINENT_DANGER = "imminent_danger"
    FOREIGN_NATIONAL = "foreign_national"
    AUTOMATED = "automated"


class Evidence(ContractModel):
    """Why a flag was raised: the rule, and the declared field or the matched span of text."""

    rule_id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]{1,63}$")]
    origin: Literal["declared", "text", "metadata"]
    field: Annotated[str, Field(max_length=128)] | None = None
    start: Annotated[int, Field(ge=0)] | None = None
    end: Annotated[int, Field(ge=0)] | None = None
    matched_text: Annotated[str, Field(max_length=500)] | None = None

    @model_validator(mode="after")
    def _span_is_consistent(self) -> Evidence:
        if (self.start is None) != (self.end is None):
            raise ValueError("evidence span needs both start and end")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError("evidence span start must not exceed end")
        if self.origin == "text" and self.start is None:
            raise ValueError("text evidence needs a span")
        return self


class Flag(ContractModel):
    name: FlagName
    raised: bool
    evidence: list[Evidence] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _raised_flags_have_evidence(self) -> Flag:
        if self.raised and not self.evidence:
            raise ValueError(f"flag {self.name.value} is raised without evidence")
        return self


class RoutingTarget(StrEnum):
    SUPERVISOR_QUEUE = "supervisor_queue"
    URGENT_ALERT = "urgent_alert"
    LAW_ENFORCEMENT_BREAK_GLASS = "law_enforcement_break_glass"
    MANDATORY_REPORT = "mandatory_report"
    SET_ASIDE = "set_aside"


class Route(ContractModel):
    target: RoutingTarget
    reason: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]{1,63}$")]


class HumanTriageReason(StrEnum):
    UNASSESSED_LANGUAGE = "unassessed_language"  # written in a language triage does not read
    LOW_CONFIDENCE = "low_confidence"  # the assessment is too close to call
    GARBLED_TRANSCRIPT = "garbled_transcript"  # a transcript too broken to read


class HumanTriage(ContractModel):
    """Triage could not read this signal well enough: a person must, at once (never set aside)."""

    reason: HumanTriageReason
    # The language the text is written in, when it could be told: so a supervisor can call an interpreter.
    language: LanguageTag | None = None


class Jurisdiction(ContractModel):
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "US"
    state: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    city: Annotated[str, Field(max_length=200)] | None = None
    origin: Literal["declared", "text", "phone_number", "unknown"] = "unknown"


class EntityKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    URL = "url"
    ADDRESS = "address"
    BUSINESS = "business"


class LinkedSignal(ContractModel):
    """An earlier signal that names the same phone, e-mail, URL, address or business (never the value)."""

    signal_id: UUID
    shared: Annotated[list[EntityKind], Field(min_length=1, max_length=5)]


class ReportConditions(ContractModel):
    """The columns of the reporting matrix that pick the contact chain (seed 004).

    Decided once, by triage, for each signal: the break-glass report and the reports review sends
    after a person decided carry the same answer (review keeps a supervisor's word on ``minor``).
    ``business_hours`` is the hotline's clock when the signal was received; whether each contact
    answers is judged again by reporting when each step of a chain comes up.
    """

    urgent: bool
    business_hours: bool
    minor: bool
    foreign_national: bool | None = None  # None: not known (nothing declared, nothing in the text)
    trafficking_type: TraffickingType


class SignalTriaged(Event):
    """Triage's assessment of one ``SignalReceived``. Key: ``signal_id``."""

    EVENT_TYPE = "org.hotline.signal.triaged"
    VERSION = 1

    signal_id: UUID
    reference_number: ReferenceNumber
    channel: Channel
    received_at: AwareDatetime
    triaged_at: AwareDatetime
    rules_version: Annotated[str, Field(min_length=1, max_length=64)]
    flags: Annotated[list[Flag], Field(max_length=20)]
    urgency: Urgency
    call_type: CallType
    trafficking_type: TraffickingType
    language: LanguageTag | None = None
    jurisdiction: Jurisdiction = Jurisdiction()
    business_hours: bool
    sla_due_at: AwareDatetime
    routes: Annotated[list[Route], Field(min_length=1, max_length=20)]
    # Added in v1 (optional, additive): correlation by keyed entity hashes within a window.
    linked_signals: Annotated[list[LinkedSignal], Field(max_length=20)] = Field(default_factory=list)
    # Added in v1 (optional, additive): a signal triage could not read well enough goes to a person.
    needs_human_triage: HumanTriage | None = None
    # Added in v1 (optional, additive): the reporting matrix's conditions, decided here and nowhere
    # else. None only from a triage that did not carry them yet.
    conditions: ReportConditions | None = None

    def event_id(self) -> str:
        # Re-triaging the same signal under the same rules is the same event; a new rules
        # version is a new assessment that consumers must see.
        return str(derive_id("signal.triaged", str(self.signal_id), self.rules_version))

    def partition_key(self) -> str:
        return str(self.signal_id)

    def flag(self, name: FlagName) -> Flag | None:
        return next((f for f in self.flags if f.name is name), None)

    def is_raised(self, name: FlagName) -> bool:
        found = self.flag(name)
        return found is not None and found.raised
