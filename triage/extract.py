"""The extractors over one signal: every rule module's findings with their evidence spans, undecided.

Pure. ``extract`` runs the rule modules (``minor``, ``danger``, ``automated``, ``classify``,
``situation``, ``ages``, ``multilingual``) once; ``rules.assess`` and the model's training both
start from what it returns, so the model learns from exactly what assessment gives it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Final

from contracts.events import Evidence, Flag, FlagName, Nationality, SignalReceived
from triage import immediacy, multilingual
from triage.ages import find_ages
from triage.automated import automated_flag
from triage.classify import call_type, trafficking_type
from triage.danger import danger_flag
from triage.evidence import declared, from_hit
from triage.features import Extracted
from triage.language import ASSESSED, written_in
from triage.minor import children_among, milestones, minor_flag, years_of_birth
from triage.school_years import school_years
from triage.situation import topic_only
from triage.text import Scan, Segment, negated

_FOREIGN: Final = re.compile(
    r"\b(?:H-?2[AB]|visas?|T visa|immigration|inmigraci[oó]n|undocumented|indocumentad\w*|"
    r"brought (?:him|her|them|me|us) (?:over|here)|bringing (?:him|her|them) over|"
    r"(?:came|is|are|from|(?:brought|bringing|smuggled|trafficked|taken)(?: (?:him|her|them|me|us))?) from "
    r"(?:Mexico|Guatemala|Honduras|El Salvador|the Philippines|China|Vietnam|Thailand|Ukraine|Nigeria|"
    r"India|Haiti|Venezuela|Colombia|Latin America)|"
    r"(?:de|desde) (?:M[eé]xico|Guatemala|Honduras|El Salvador|Venezuela|Colombia)|"
    r"lleg[oó] de|vino de|soy de)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class OtherLanguageCue:
    cue: multilingual.Cue
    segment: Segment


@dataclass(frozen=True)
class Extraction:
    scan: Scan
    found: Extracted
    written_in: str | None
    minor_cues: tuple[OtherLanguageCue, ...]  # other languages' cues of a child, with spans
    danger_cues: tuple[OtherLanguageCue, ...]  # and of danger now
    years_of_birth: tuple[Evidence, ...] = ()  # a minor's year of birth (``minor.years_of_birth``)
    children_among: tuple[Evidence, ...] = ()  # "some of them are kids" (``minor.children_among``)
    school_years: tuple[Evidence, ...] = ()  # in a language the rules do not read (``triage.school_years``)
    milestones: tuple[Evidence, ...] = ()  # "not 18 til March", "in 9 grade" (``minor.milestones``)

    @property
    def minor_after_model(self) -> tuple[Evidence, ...]:
        """What makes someone a minor whatever the model says (``triage.rules.standing``): a year of
        birth, a group with children in it, a school year in a language the rules do not read, a
        teen's milestone."""
        return (*self.years_of_birth, *self.children_among, *self.school_years, *self.milestones)

    def left_to_the_model(self) -> Extraction:
        """This extraction without ``minor_after_model``: the threshold is chosen as if the model had
        to find those minors itself (``triage.training.choose_thresholds``)."""
        return replace(self, years_of_birth=(), children_among=(), school_years=(), milestones=())


def extract(signal: SignalReceived) -> Extraction:
    scan = Scan.of(signal)
    about_topic = topic_only(scan)
    ages = list(find_ages(scan))
    notes: set[str] = set()
    minor = minor_flag(signal, scan, topic_only=about_topic, ages=ages, notes=notes)
    danger = danger_flag(signal, scan, topic_only=about_topic, notes=notes)
    automated = automated_flag(signal, scan)
    foreign = foreign_national_flag(signal, scan)
    set_aside = automated.raised and not (minor.raised or danger.raised)
    rule_call = call_type(signal, scan, danger=danger.raised, minor=minor.raised, automated=set_aside,
                          topic_only=about_topic)
    narrative = scan.segments[-1] if scan.segments and scan.segments[-1].field == "narrative" else None
    language = written_in(signal.narrative, None if narrative is None else narrative.tokens())
    # Other languages' cues only where the rules cannot read: in English or Spanish text the same
    # letters are other words ("kind", "police", "bata") and the rules have better evidence.
    unread = language is not None and language not in ASSESSED
    cues = [(c, s) for s in scan.segments for c in multilingual.cues(s.text)] if unread else []
    minor_cues = multilingual.minor_cues([c for c, _ in cues])
    danger_cues = multilingual.danger_cues([c for c, _ in cues])
    timing = set()
    soon = immediacy.soon(scan)
    if soon:
        timing.add("soon")
        if immediacy.due_soon(scan, soon):
            timing.add("due_soon")
    found = Extracted(
        minor=minor, danger=danger, foreign=foreign, automated=automated, topic_only=about_topic,
        rule_call_type=rule_call.value,
        rule_trafficking_type=trafficking_type(signal, scan, rule_call).value,
        language=language,
        ages=tuple(a.age for a in ages if not a.past),
        other_language_cues=frozenset(c.kind for c, _ in cues),
        notes=frozenset(notes),
        timing=frozenset(timing),
    )
    return Extraction(
        scan=scan, found=found, written_in=language,
        minor_cues=tuple(OtherLanguageCue(c, s) for c, s in cues if c in minor_cues),
        danger_cues=tuple(OtherLanguageCue(c, s) for c, s in cues if c in danger_cues),
        years_of_birth=years_of_birth(signal, scan, topic_only=about_topic),
        children_among=children_among(minor),
        milestones=milestones(minor, scan, topic_only=about_topic),
        school_years=tuple(from_hit(h.rule_id, h) for h in school_years(scan)) if unread else (),
    )


def foreign_national_flag(signal: SignalReceived, scan: Scan) -> Flag:
    evidence: list[Evidence] = [
        declared("foreign.declared_nationality", f"facts.victims[{i}].nationality")
        for i, victim in enumerate(signal.facts.victims) if victim.nationality is Nationality.FOREIGN_NATIONAL
    ]
    for hit in scan.find("foreign.text_cue", _FOREIGN):
        if not negated(hit.segment, hit.start):
            evidence.append(from_hit(hit.rule_id, hit))
            break
    return Flag.trusted(name=FlagName.FOREIGN_NATIONAL, raised=bool(evidence), evidence=evidence[:50])
