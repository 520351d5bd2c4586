"""The retention schedule: how long a closed case keeps each class of content, and when it falls due. Pure.

A period runs from the moment a case (review) or a report (reporting) was closed or settled. ``0``
means "at the next purge after closing"; ``never`` keeps that class for good, and must be said
explicitly. A case under legal hold is never due, whatever its periods.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal, Self

from pydantic import Field, model_validator

from services.runtime.settings import RuntimeSettings

__all__ = ["NEVER", "DataClass", "RetentionSettings", "Schedule"]

NEVER: Final = "never"
Days = int | Literal["never"]


class DataClass(StrEnum):
    """A class of content that leaves a closed case on its own schedule."""

    CONTACT = "contact"  # the reporter's name, number, address, safe-contact words; callers' keys
    ATTACHMENTS = "attachments"  # photos and files in the blob store, and their names
    RAW_EMAIL = "raw_email"  # the whole message as received, in the email intake's blob store
    NARRATIVE = "narrative"  # subjects, narratives, declared facts, triage's evidence, reply texts


# Defaults, and why: contact details are what endangers a reporter if the store leaks, and are
# needed only while staff may still call back (a follow-up usually comes within weeks). Files and
# raw emails back a report or a court's request for about a year. The narrative is the case
# itself: a later tip about the same people links to it, and partners ask back for up to 3 years.
DEFAULT_DAYS: Final[Mapping[DataClass, Days]] = MappingProxyType({
    DataClass.CONTACT: 90,
    DataClass.ATTACHMENTS: 365,
    DataClass.RAW_EMAIL: 365,
    DataClass.NARRATIVE: 3 * 365,
})


class RetentionSettings(RuntimeSettings):
    """The schedule as settings (``HOTLINE_RETAIN_*_DAYS``: whole days, or ``never``)."""

    retain_contact_days: Days = Field(default=DEFAULT_DAYS[DataClass.CONTACT])
    retain_attachments_days: Days = Field(default=DEFAULT_DAYS[DataClass.ATTACHMENTS])
    retain_raw_email_days: Days = Field(default=DEFAULT_DAYS[DataClass.RAW_EMAIL])
    retain_narrative_days: Days = Field(default=DEFAULT_DAYS[DataClass.NARRATIVE])
    # How often the purge runs (one replica at a time), and how many cases each transaction takes.
    purge_interval_hours: float = Field(default=24.0, gt=0)
    purge_batch: int = Field(default=50, ge=1, le=1000)

    @model_validator(mode="after")
    def _usable_schedule(self) -> Self:
        self.retention_schedule()  # raises ValueError naming the class whose period is wrong
        return self

    def retention_schedule(self) -> Schedule:
        return Schedule.from_days({
            DataClass.CONTACT: self.retain_contact_days,
            DataClass.ATTACHMENTS: self.retain_attachments_days,
            DataClass.RAW_EMAIL: self.retain_raw_email_days,
            DataClass.NARRATIVE: self.retain_narrative_days,
        })


@dataclass(frozen=True)
class Schedule:
    """Each class's period; None keeps it for good."""

    periods: Mapping[DataClass, timedelta | None]

    @classmethod
    def from_days(cls, days: Mapping[DataClass, Days]) -> Schedule:
        periods: dict[DataClass, timedelta | None] = {}
        for data_class in DataClass:
            value = days.get(data_class, DEFAULT_DAYS[data_class])
            if value == NEVER:
                periods[data_class] = None
            elif isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                periods[data_class] = timedelta(days=value)
            else:
                raise ValueError(f"the retention of {data_class.value} must be whole days (0 or more) "
                                 f"or 'never', not {value!r}")
        return cls(MappingProxyType(periods))

    def due_at(self, data_class: DataClass, closed_at: datetime) -> datetime | None:
        """When ``data_class`` of a case closed at ``closed_at`` may go; None: never."""
        if closed_at.tzinfo is None:
            raise ValueError("closing times must be timezone-aware")
        period = self.periods.get(data_class)
        return None if period is None else closed_at + period

    def due(self, closed_at: datetime | None, now: datetime, *, held: bool,
            done: Iterable[DataClass] = ()) -> list[DataClass]:
        """The classes to purge now: none for an open case (no ``closed_at``) or a held one, and
        none already purged (``done``)."""
        if closed_at is None or held:
            return []
        finished = frozenset(done)
        return [c for c in DataClass
                if c not in finished and (at := self.due_at(c, closed_at)) is not None and at <= now]

    def earliest(self) -> timedelta | None:
        """The shortest finite period: no case closed more recently than this has anything due."""
        finite = [p for p in self.periods.values() if p is not None]
        return min(finite) if finite else None
