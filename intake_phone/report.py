"""The call specialist's write-up of a call: the narrative signal triage works on. Pure."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from contracts import signal_id_for
from contracts.events import (
    AgeRange,
    Answer,
    CallType,
    Channel,
    DeclaredFacts,
    DeclaredTraffickingType,
    Gender,
    Interpreter,
    Location,
    Nationality,
    PhoneSource,
    RelatedSignal,
    Reporter,
    ReporterRole,
    SignalReceived,
    Urgency,
    Victim,
)
from contracts.reference_numbers import canonical, reference_for


class ReportedVictim(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: Annotated[int, Field(ge=1, le=10_000)] = 1
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    age_low: Annotated[int, Field(ge=0, le=120)] | None = None
    age_high: Annotated[int, Field(ge=0, le=120)] | None = None
    gender: Gender = Gender.UNKNOWN
    nationality: Nationality = Nationality.UNKNOWN

    @model_validator(mode="after")
    def _range(self) -> ReportedVictim:
        if self.age_low is not None and self.age_high is not None and self.age_low > self.age_high:
            raise ValueError("age_low must not exceed age_high")
        return self


class SpecialistReport(BaseModel):
    """What a call specialist files after a call (the seeds' call-report fields)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    call_id: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    # Chosen by the specialist's client (the form makes one per render): retries are the same report.
    report_id: Annotated[str, Field(min_length=1, max_length=128)]
    call_type: CallType
    caller_role: ReporterRole = ReporterRole.UNKNOWN
    narrative: Annotated[str, Field(min_length=1, max_length=50_000)]
    victims: Annotated[list[ReportedVictim], Field(max_length=50)] = Field(default_factory=list)
    trafficking_type: DeclaredTraffickingType = DeclaredTraffickingType.NOT_STATED
    danger_now: Answer = Answer.NOT_ASKED
    location_state: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    location_city: Annotated[str, Field(max_length=200)] | None = None
    location_zip: Annotated[str, Field(pattern=r"^\d{5}(-\d{4})?$")] | None = None
    location_details: Annotated[str, Field(max_length=2000)] | None = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] | None = None
    interpreter_language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] | None = None
    interpreter_minutes: Annotated[int, Field(ge=0, le=1440)] | None = None
    urgency: Urgency | None = None
    consent_to_share: bool = False
    # A reference number the caller quotes (from the web form, an email or an earlier call), as
    # heard: it links this call to that report's case.
    related_reference: Annotated[str, Field(max_length=40)] | None = None

    @field_validator("related_reference")
    @classmethod
    def _known_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        number = canonical(value)
        if number is None:
            raise ValueError("not a valid reference number (HT- then 4 and 5 characters; the last is a "
                             "check character): read it back to the caller")
        return number


def report_signal(report: SpecialistReport, *, specialist: str, received_at: datetime,
                  secret: bytes) -> SignalReceived:
    """The write-up as a signal, linked to the call by ``call_id`` (the same key as the call's other
    fragments). ``specialist`` is who filed it, kept only as a keyed hash in the dedup key."""
    who = hashlib.sha256(secret + b"\x00" + specialist.encode()).hexdigest()[:16]
    dedup_key = f"report:{who}:{report.report_id}"
    signal_id = signal_id_for(Channel.PHONE, dedup_key)
    victims = [Victim(count=v.count, age=v.age, gender=v.gender, nationality=v.nationality,
                      age_range=AgeRange(low=v.age_low if v.age_low is not None else 0,
                                         high=v.age_high if v.age_high is not None else 120)
                      if v.age_low is not None or v.age_high is not None else None)
               for v in report.victims]
    location = None
    if any((report.location_state, report.location_city, report.location_zip, report.location_details)):
        location = Location(state=report.location_state, city=report.location_city,
                            zip_code=report.location_zip, description=report.location_details)
    interpreter = (Interpreter(language=report.interpreter_language, minutes=report.interpreter_minutes)
                   if report.interpreter_language else None)
    return SignalReceived(
        signal_id=signal_id,
        reference_number=reference_for(str(signal_id), secret),
        channel=Channel.PHONE,
        received_at=received_at,
        source=PhoneSource(call_id=(report.call_id or f"report-{report.report_id}")[:128],
                           fragment="specialist_report", system="specialist", interpreter=interpreter),
        dedup_key=dedup_key,
        reporter=Reporter(role=report.caller_role, consent_to_share=report.consent_to_share,
                          preferred_language=report.language),
        narrative=report.narrative,
        facts=DeclaredFacts(victims=victims, location=location, danger_now=report.danger_now,
                            trafficking_type=report.trafficking_type, call_type=report.call_type,
                            urgency=report.urgency),
        related=(RelatedSignal(relation="follow_up", reference_number=report.related_reference)
                 if report.related_reference else None),
    )
