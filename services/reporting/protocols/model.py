"""The protocol file format as pydantic models: the one source of the loader's checks and the JSON Schema.

One YAML file per region (``US.yaml``, ``US-TX.yaml``, ``US-TX-houston.yaml``) holds the region's
contacts, its reporting and referral matrix (seed 004: per need, cells of conditions, each with an
ordered chain "call A; if unable to reach, call B", seed 000) and mandatory reports. Cross-file rules
(contact ids, reachability, staleness) are in ``checks``; matching is in ``conditions``.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    StrictBool,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from contracts.events import ReportNeed
from contracts.events.signal_received import LanguageTag
from services.reporting.protocols.durations import Duration

FORMAT_VERSION: Final = 1
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK: Final = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$|^24:00$")

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$",
                                  description="lower-case letters, digits, '-', '_' and '.'")]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Note = Annotated[str, Field(max_length=2000)]


class ProtocolModel(BaseModel):
    """Frozen, and strict about unknown keys: a misspelt key is an error at its line, never ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def slug(name: str) -> str:
    """``St. Louis`` to ``st-louis``: the city or county part of a file name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# ---------------------------------------------------------------- region


class Region(ProtocolModel):
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
    state: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    city: Text | None = None
    county: Text | None = None
    covers: list[Text] = Field(default_factory=list, description="other city names this file serves")

    @model_validator(mode="after")
    def _one_local_level(self) -> Region:
        if self.city and self.county:
            raise ValueError("a region is a city or a county, not both: make two files")
        if (self.city or self.county) and not self.state:
            raise ValueError("a city or county region needs its state")
        if self.covers and not (self.city or self.county):
            raise ValueError("only a city or county region covers other cities")
        return self

    @property
    def local_name(self) -> str | None:
        return self.city or self.county

    @property
    def key(self) -> str:
        """``US``, ``US-TX`` or ``US-TX-houston``: the file name without ``.yaml``."""
        parts = [self.country, self.state, slug(self.local_name) if self.local_name else None]
        return "-".join(p for p in parts if p)

    @property
    def label(self) -> str:
        return ", ".join(p for p in (self.local_name, self.state, self.country) if p)


# ---------------------------------------------------------------- contacts


class ContactKind(StrEnum):
    LAW_ENFORCEMENT = "law_enforcement"
    FEDERAL_AGENCY = "federal_agency"
    SERVICE_PROVIDER = "service_provider"
    NGO = "ngo"
    HOTLINE = "hotline"


class EmailChannel(ProtocolModel):
    type: Literal["email"]
    address: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)]
    label: Text | None = None


class WebhookChannel(ProtocolModel):
    type: Literal["webhook"]
    url: Annotated[str, Field(pattern=r"^https?://[^\s/?#]+\S*$", max_length=2000)]
    label: Text | None = None


class PhoneChannel(ProtocolModel):
    type: Literal["phone"]
    number: Annotated[str, Field(pattern=r"^\+?[0-9][0-9 ().-]{5,30}[0-9]$",
                                 description="quoted, e.g. '+1 713 555 0101'")]
    label: Text | None = None


Channel = Annotated[EmailChannel | WebhookChannel | PhoneChannel, Field(discriminator="type")]


class AvailabilityMode(StrEnum):
    """When a contact answers, against the hotline's business hours (the report's ``business_hours``)."""

    ALWAYS = "always"
    BUSINESS_HOURS_ONLY = "business_hours_only"
    AFTER_HOURS_ONLY = "after_hours_only"


def _clock_minutes(value: object) -> object:
    if isinstance(value, str):
        match = _CLOCK.match(value.strip())
        if match is None:
            raise ValueError(f"{value!r} is not a time of day such as 08:00 or 17:30 (24:00 ends a day)")
        return 1440 if value.strip() == "24:00" else int(match[1]) * 60 + int(match[2])
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # minutes since midnight, as the models hold it
    raise ValueError(f"{value!r} is not a time of day such as 08:00 or 17:30")


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


ClockTime = Annotated[
    int,
    BeforeValidator(_clock_minutes),
    Field(ge=0, le=1440),
    PlainSerializer(format_clock, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _CLOCK.pattern, "description": "HH:MM, 24-hour"}),
]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Window(ProtocolModel):
    """Weekly hours in the availability's time zone. A night shift is two windows (to and from midnight)."""

    days: Annotated[list[Weekday], Field(min_length=1)]
    start: ClockTime
    end: ClockTime

    @field_validator("days", mode="before")
    @classmethod
    def _known_days(cls, value: object) -> object:
        for day in value if isinstance(value, list) else []:
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r} (use {', '.join(WEEKDAYS)})")
        return value

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: int, info: ValidationInfo) -> int:
        start = info.data.get("start")
        if isinstance(start, int) and end <= start:
            raise ValueError(f"the window ends at {format_clock(end)}, not after it starts at "
                             f"{format_clock(start)} (split a window that runs past midnight in two)")
        return end


class WeeklyAvailability(ProtocolModel):
    timezone: Annotated[str, Field(description="IANA time zone, e.g. America/Chicago")]
    windows: Annotated[list[Window], Field(min_length=1)]

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as America/Chicago)"
                             ) from None
        return value


def _availability_tag(value: object) -> str:
    return "named" if isinstance(value, str) else "weekly"


Availability = Annotated[
    Annotated[AvailabilityMode, Tag("named")] | Annotated[WeeklyAvailability, Tag("weekly")],
    Discriminator(_availability_tag),
]


class Contact(ProtocolModel):
    id: Identifier
    name: Text
    title: Text | None = None
    organisation: Text
    kind: ContactKind
    channels: Annotated[list[Channel], Field(min_length=1, description="in the order they are tried")]
    availability: Availability
    last_verified: date
    languages: list[LanguageTag] = Field(default_factory=list)
    notes: Note | None = None


# ---------------------------------------------------------------- matrix


class When(ProtocolModel):
    """A cell's conditions: every one given must hold; an absent one matches anything."""

    urgent: StrictBool | None = None
    business_hours: StrictBool | None = None
    foreign_national: StrictBool | None = None
    minor: StrictBool | None = None
    gender: Literal["male", "female"] | None = None
    trafficking_type: Literal["sex", "labor", "both"] | None = Field(
        default=None, description="sex or labor also match a situation of both; both matches only both")


class Step(ProtocolModel):
    contact: Identifier
    wait: Annotated[Duration, Field(description="how long to wait for an acknowledgement before going on")]


class Cell(ProtocolModel):
    when: When = Field(default_factory=When)
    chain: Annotated[list[Step], Field(min_length=1)]
    note: Note | None = None


Cells = Annotated[list[Cell], Field(description="tried in order; the first whose conditions hold wins")]


class Matrix(ProtocolModel):
    """The rows of seed 004's matrix. A need with no matching cell falls back to the wider region."""

    tip_reporting: Cells = Field(default_factory=list)
    victim_extraction_le_intervention: Cells = Field(default_factory=list)
    shelter_emergency: Cells = Field(default_factory=list)
    shelter_transitional: Cells = Field(default_factory=list)
    case_management: Cells = Field(default_factory=list)
    legal_services: Cells = Field(default_factory=list)
    mental_health: Cells = Field(default_factory=list)
    immigration_services: Cells = Field(default_factory=list)

    def cells(self, need: ReportNeed) -> list[Cell]:
        return {
            ReportNeed.TIP_REPORTING: self.tip_reporting,
            ReportNeed.VICTIM_EXTRACTION: self.victim_extraction_le_intervention,
            ReportNeed.SHELTER_EMERGENCY: self.shelter_emergency,
            ReportNeed.SHELTER_TRANSITIONAL: self.shelter_transitional,
            ReportNeed.CASE_MANAGEMENT: self.case_management,
            ReportNeed.LEGAL_SERVICES: self.legal_services,
            ReportNeed.MENTAL_HEALTH: self.mental_health,
            ReportNeed.IMMIGRATION_SERVICES: self.immigration_services,
        }[need]


class MandatoryReport(ProtocolModel):
    """A report the hotline owes whatever the need, e.g. to NCMEC and the FBI when a minor is involved."""

    id: Identifier
    when: When
    contact: Identifier
    within: Annotated[Duration, Field(description="the deadline, counted from the report request")]
    basis: Annotated[str, Field(min_length=1, max_length=500, description="why: the rule or agreement")]


class ProtocolFile(ProtocolModel):
    """One region's protocol: ``deploy/protocols/<COUNTRY>[-<STATE>[-<city or county>]].yaml``."""

    version: Literal[1] = FORMAT_VERSION
    region: Region
    contacts: list[Contact] = Field(default_factory=list)
    matrix: Matrix = Field(default_factory=Matrix)
    mandatory_reports: list[MandatoryReport] = Field(default_factory=list)
    notes: Note | None = None
