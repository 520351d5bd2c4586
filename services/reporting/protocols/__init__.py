"""Reporting and referral protocols as data: the region file format, its loader, and region fallback."""

from __future__ import annotations

from services.reporting.protocols.conditions import Situation
from services.reporting.protocols.errors import ProtocolError, ProtocolsInvalid
from services.reporting.protocols.loader import DEFAULT_MAX_AGE, LoadResult, load_directory, load_protocols
from services.reporting.protocols.model import (
    AvailabilityMode,
    Cell,
    Contact,
    ContactKind,
    EmailChannel,
    MandatoryReport,
    Matrix,
    PhoneChannel,
    ProtocolFile,
    Region,
    Step,
    WebhookChannel,
    WeeklyAvailability,
    When,
    Window,
)
from services.reporting.protocols.problems import Problem, Severity
from services.reporting.protocols.regions import LoadedProtocol, ProtocolSet

__all__ = [
    "DEFAULT_MAX_AGE",
    "AvailabilityMode",
    "Cell",
    "Contact",
    "ContactKind",
    "EmailChannel",
    "LoadResult",
    "LoadedProtocol",
    "MandatoryReport",
    "Matrix",
    "PhoneChannel",
    "Problem",
    "ProtocolError",
    "ProtocolFile",
    "ProtocolSet",
    "ProtocolsInvalid",
    "Region",
    "Severity",
    "Situation",
    "Step",
    "WebhookChannel",
    "WeeklyAvailability",
    "When",
    "Window",
    "load_directory",
    "load_protocols",
]
