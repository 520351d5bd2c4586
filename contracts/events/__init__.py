"""The event models carried on the hotline's topics, and the vocabularies they share."""

from __future__ import annotations

from contracts.events._common import (
    Answer,
    CallType,
    Channel,
    DeclaredTraffickingType,
    Gender,
    Nationality,
    ReporterRole,
    TraffickingType,
    Urgency,
)
from contracts.events.entities_sighted import EntitiesSighted, SightedEntity
from contracts.events.input_quarantined import InputQuarantined
from contracts.events.ops_event import OpsEvent, OpsKind, Severity
from contracts.events.report_outcome import OutcomeKind, ReportOutcome
from contracts.events.report_requested import ReportConditions, ReportNeed, ReportRequested
from contracts.events.review_decision import DecisionKind, ReviewDecision
from contracts.events.signal_received import (
    AgeRange,
    AttachmentRef,
    CallDetails,
    ContactDetails,
    DeclaredFacts,
    EmailSource,
    Interpreter,
    Location,
    PhoneSource,
    RelatedSignal,
    Reporter,
    SafeContact,
    SignalReceived,
    Victim,
    WebformSource,
)
from contracts.events.signal_triaged import (
    EntityKind,
    Evidence,
    Flag,
    FlagName,
    HumanTriage,
    HumanTriageReason,
    Jurisdiction,
    LinkedSignal,
    Route,
    RoutingTarget,
    SignalTriaged,
)
from contracts.events.urgent_alert import UrgentAlert

__all__ = [
    "AgeRange",
    "Answer",
    "AttachmentRef",
    "CallDetails",
    "CallType",
    "Channel",
    "ContactDetails",
    "DecisionKind",
    "DeclaredFacts",
    "DeclaredTraffickingType",
    "EmailSource",
    "EntitiesSighted",
    "EntityKind",
    "Evidence",
    "Flag",
    "FlagName",
    "Gender",
    "HumanTriage",
    "HumanTriageReason",
    "InputQuarantined",
    "Interpreter",
    "Jurisdiction",
    "LinkedSignal",
    "Location",
    "Nationality",
    "OpsEvent",
    "OpsKind",
    "OutcomeKind",
    "PhoneSource",
    "RelatedSignal",
    "ReportConditions",
    "ReportNeed",
    "ReportOutcome",
    "ReportRequested",
    "Reporter",
    "ReporterRole",
    "ReviewDecision",
    "Route",
    "RoutingTarget",
    "SafeContact",
    "Severity",
    "SightedEntity",
    "SignalReceived",
    "SignalTriaged",
    "TraffickingType",
    "Urgency",
    "UrgentAlert",
    "Victim",
    "WebformSource",
]
