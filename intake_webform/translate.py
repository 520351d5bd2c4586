"""Pure translation of a tip submission into a ``SignalReceived`` (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts import signal_id_for
from contracts.events import (
    Answer,
    Channel,
    DeclaredFacts,
    DeclaredTraffickingType,
    Location,
    Reporter,
    ReporterRole,
    SignalReceived,
    Victim,
    WebformSource,
)
from intake_webform.reference_numbers import reference_for


class TipVictim(BaseModel):
    model_config = ConfigDict(extra="forbid")
    age: Annotated[int, Field(ge=0, le=120)] | None = None


class TipSubmission(BaseModel):
    """The JSON body of ``POST /api/v1/tips``. The full form (issue: web tip intake) extends this."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    narrative: Annotated[str, Field(min_length=1, max_length=20_000)]
    state: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    city: Annotated[str, Field(max_length=200)] | None = None
    danger_now: Answer = Answer.NOT_ASKED
    trafficking_type: DeclaredTraffickingType = DeclaredTraffickingType.NOT_STATED
    victims: Annotated[list[TipVictim], Field(max_length=50)] = Field(default_factory=list)
    reporter_role: ReporterRole = ReporterRole.UNKNOWN


def to_signal(
    submission: TipSubmission, *, submission_id: str, received_at: datetime, reference_secret: bytes
) -> SignalReceived:
    dedup_key = f"webform:{submission_id}"
    signal_id = signal_id_for(Channel.WEBFORM, dedup_key)
    location = (
        Location(state=submission.state, city=submission.city)
        if submission.state or submission.city
        else None
    )
    return SignalReceived(
        signal_id=signal_id,
        reference_number=reference_for(str(signal_id), reference_secret),
        channel=Channel.WEBFORM,
        received_at=received_at,
        source=WebformSource(submission_id=submission_id),
        dedup_key=dedup_key,
        reporter=Reporter(role=submission.reporter_role),
        narrative=submission.narrative,
        facts=DeclaredFacts(
            victims=[Victim(age=v.age) for v in submission.victims],
            location=location,
            danger_now=submission.danger_now,
            trafficking_type=submission.trafficking_type,
        ),
    )
