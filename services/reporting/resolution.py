"""Who hears of a report: a contact chain per victim's situation, and the mandatory reports owed.

Pure functions over the contract models and a loaded ``ProtocolSet``. One signal can describe
several victims with different needs (an adult man in labor trafficking and a foreign-national girl
in sex trafficking): each victim gets the matrix columns that are his or hers (minor from age,
gender, foreign national from nationality), victims in the same situation share one lookup, and
each lookup says which region file and cell its chain came from. What a victim does not declare
comes from the request's conditions (triage's assessment of the whole signal). A minor, declared or
found by triage in the text, brings the mandatory reports of every file on the region's line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from pydantic import AwareDatetime

from contracts.events import (
    Gender,
    Jurisdiction,
    Nationality,
    ReportConditions,
    ReportNeed,
    ReportRequested,
    TraffickingType,
    Victim,
)
from services.reporting.protocols.conditions import GenderCondition, Situation, TraffickingCondition, matches
from services.reporting.protocols.durations import Duration
from services.reporting.protocols.model import Contact, ProtocolModel
from services.reporting.protocols.regions import CellRef, LoadedProtocol, ProtocolSet

ADULT_AGE: Final = 18
_TRAFFICKING: Final[dict[TraffickingType, TraffickingCondition]] = {
    TraffickingType.SEX: "sex", TraffickingType.LABOR: "labor", TraffickingType.BOTH: "both"}
_GENDER: Final[dict[Gender, GenderCondition]] = {Gender.MALE: "male", Gender.FEMALE: "female"}
_FOREIGN: Final = {Nationality.FOREIGN_NATIONAL: True, Nationality.US_CITIZEN: False}


class VictimProfile(ProtocolModel):
    """What is known of one victim for the matrix; ``None`` is not known."""

    minor: bool | None = None
    gender: GenderCondition | None = None
    foreign_national: bool | None = None
    trafficking_type: TraffickingCondition | None = None

    @classmethod
    def from_victim(cls, victim: Victim, *,
                    trafficking_type: TraffickingCondition | None = None) -> VictimProfile:
        """A declared victim. An age range reaching below 18 counts as a minor (as triage counts it)."""
        minor = None
        if victim.age is not None:
            minor = victim.age < ADULT_AGE
        elif victim.age_range is not None:
            minor = victim.age_range.low < ADULT_AGE
        return cls(minor=minor, gender=_GENDER.get(victim.gender),
                   foreign_national=_FOREIGN.get(victim.nationality), trafficking_type=trafficking_type)


class Origin(ProtocolModel):
    region: str
    file: str
    line: int


class CellSource(Origin):
    need: ReportNeed
    cell: int


class ChainStep(ProtocolModel):
    contact: Contact
    wait: Duration
    region: str  # the file the contact is defined in


class SkippedStep(ProtocolModel):
    contact_id: str
    reason: str


class Lookup(ProtocolModel):
    """The chain for the victims in one situation (``victims``: indexes in the list given; may be empty)."""

    victims: tuple[int, ...]
    situation: Situation
    source: CellSource | None  # None: no cell on the region's line reaches anybody; a supervisor must act
    chain: tuple[ChainStep, ...]
    skipped: tuple[SkippedStep, ...] = ()
    passed_over: tuple[CellSource, ...] = ()  # cells that matched but reached nobody


class Obligation(ProtocolModel):
    """A mandatory report to make and track, e.g. to NCMEC when a minor may be a victim."""

    id: str
    contact_id: str
    contact: Contact | None
    within: Duration
    due_at: AwareDatetime | None
    basis: str
    source: Origin
    victims: tuple[int, ...]


class Resolution(ProtocolModel):
    need: ReportNeed
    regions: tuple[str, ...]  # the region line searched, most specific first
    lookups: tuple[Lookup, ...]
    obligations: tuple[Obligation, ...]


def situation_for(profile: VictimProfile, conditions: ReportConditions) -> Situation:
    return Situation(
        urgent=conditions.urgent,
        business_hours=conditions.business_hours,
        minor=conditions.minor if profile.minor is None else profile.minor,
        foreign_national=(conditions.foreign_national if profile.foreign_national is None
                          else profile.foreign_national),
        gender=profile.gender,
        trafficking_type=profile.trafficking_type or _TRAFFICKING.get(conditions.trafficking_type),
    )


def resolve(protocols: ProtocolSet, *, need: ReportNeed, conditions: ReportConditions,
            jurisdiction: Jurisdiction, victims: Sequence[Victim | VictimProfile] = (),
            at: datetime | None = None) -> Resolution:
    """One lookup per distinct victim situation, and the obligations they bring.

    ``at`` (the request time) reads availability at that moment (weekly windows, and the named
    modes against the hotline's business hours then) and dates the obligations; without it,
    availability follows ``conditions.business_hours``. The ledger reads it again as each step
    comes up.
    """
    line = protocols.fallback_line(jurisdiction)
    groups: dict[Situation, list[int]] = {}
    for index, victim in enumerate(victims):
        profile = victim if isinstance(victim, VictimProfile) else VictimProfile.from_victim(victim)
        groups.setdefault(situation_for(profile, conditions), []).append(index)
    if not groups or (conditions.minor and not any(s.minor for s in groups)):
        # No victim declared, or triage found a minor that no declared victim accounts for.
        groups.setdefault(situation_for(VictimProfile(), conditions), [])
    lookups = tuple(_lookup(protocols, line, need, situation, tuple(indexes), at)
                    for situation, indexes in groups.items())
    return Resolution(need=need, regions=tuple(p.key for p in line), lookups=lookups,
                      obligations=_obligations(protocols, line, groups, at))


def resolve_request(protocols: ProtocolSet, request: ReportRequested,
                    victims: Sequence[Victim | VictimProfile] = ()) -> Resolution:
    """``resolve`` for a request. A request that says ``mandatory_reports: skip`` makes none: review
    owes them once per case, and this report (a referral, a second report) is not the one that
    makes them, so NCMEC and the FBI are not told again."""
    resolution = resolve(protocols, need=request.need, conditions=request.conditions,
                         jurisdiction=request.jurisdiction, victims=victims, at=request.requested_at)
    if request.mandatory_reports == "skip":
        return resolution.model_copy(update={"obligations": ()})
    return resolution


def _lookup(protocols: ProtocolSet, line: Sequence[LoadedProtocol], need: ReportNeed, situation: Situation,
            victims: tuple[int, ...], at: datetime | None) -> Lookup:
    choice = protocols.choose(line, need, situation, at)
    return Lookup(
        victims=victims, situation=situation,
        source=_cell_source(choice.cell) if choice.cell else None,
        chain=tuple(ChainStep(contact=s.contact, wait=s.wait, region=s.defined_in.key) for s in choice.steps),
        skipped=tuple(SkippedStep(contact_id=c, reason=r) for c, r in choice.skipped),
        passed_over=tuple(_cell_source(ref) for ref in choice.passed_over),
    )


def _cell_source(ref: CellRef) -> CellSource:
    return CellSource(region=ref.protocol.key, file=str(ref.protocol.path), line=ref.line,
                      need=ref.need, cell=ref.index)


def _obligations(protocols: ProtocolSet, line: Sequence[LoadedProtocol], groups: dict[Situation, list[int]],
                 at: datetime | None) -> tuple[Obligation, ...]:
    owed: dict[tuple[str, str], Obligation] = {}
    for situation, indexes in groups.items():
        for loaded in line:
            for position, report in enumerate(loaded.protocol.mandatory_reports):
                if not matches(report.when, situation):
                    continue
                key = (loaded.key, report.id)
                known = owed.get(key)
                if known is not None:
                    merged = tuple(sorted({*known.victims, *indexes}))
                    owed[key] = known.model_copy(update={"victims": merged})
                    continue
                found = protocols.contact([loaded], report.contact)
                owed[key] = Obligation(
                    id=report.id, contact_id=report.contact, contact=found[0] if found else None,
                    within=report.within, due_at=at + report.within if at else None, basis=report.basis,
                    source=Origin(region=loaded.key, file=str(loaded.path),
                                  line=loaded.line("mandatory_reports", position)),
                    victims=tuple(indexes))
    return tuple(owed.values())
