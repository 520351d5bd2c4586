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
from contracts.events.input_quarantined import InputQuarantined
from contracts.events.signal_received import (
    AgeRange,
    AttachmentRef,
    ContactDetails,
    DeclaredFacts,
    EmailSource,
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
    Evidence,
    Flag,
    FlagName,
    Jurisdiction,
    Route,
    RoutingTarget,
    SignalTriaged,
)

__all__ = [
    "AgeRange",
    "Answer",
    "AttachmentRef",
    "CallType",
    "Channel",
    "ContactDetails",
    "DeclaredFacts",
    "DeclaredTraffickingType",
    "EmailSource",
    "Evidence",
    "Flag",
    "FlagName",
    "Gender",
    "InputQuarantined",
    "Jurisdiction",
    "Location",
    "Nationality",
    "PhoneSource",
    "RelatedSignal",
    "Reporter",
    "ReporterRole",
    "Route",
    "RoutingTarget",
    "SafeContact",
    "SignalReceived",
    "SignalTriaged",
    "TraffickingType",
    "Urgency",
    "Victim",
    "WebformSource",
]
