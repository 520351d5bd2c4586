"""Triage's assessment of one signal: the extractors' evidence weighed by the learned model. Pure.

``extract`` runs the rule modules and keeps their evidence spans; ``model`` turns those findings
plus the words of the signal into probabilities; this module decides, the labelling guide's way
(``triage/LABELS.md``):

- ``minor`` and ``imminent_danger`` are raised when the model's probability reaches the threshold
  chosen on the dev split for recall first (for ``imminent_danger`` the probability is the second
  look's, ``triage.second_look``, which weighs the first look's outputs with the extractors'
  findings and whose threshold comes from out-of-fold probabilities on dev), or when a declared
  form field says so and the text does not take it back, or (in a language the model does not
  read) when the other-language cues say so (for a minor: an age or a school year, not a bare word
  for a child). Every raised flag carries its evidence: the extractors' spans, the declared
  field, and the words that pushed the model's probability up the most (``model.<flag>``).
- ``call_type``: the specialist's declared type; else crisis when imminent danger is raised (and
  only then); else the automated set-aside; else the model's most likely non-crisis type.
- ``trafficking_type``: declared; ``none`` for calls that describe no situation; else the model's.
- ``needs_human_triage``: a signal in a language triage does not read, a garbled transcript, or
  an assessment too close to call goes to a person at P2 or higher, never set aside.

Urgency and required actions:

- P1 act now: imminent danger. Supervisor page, law-enforcement break-glass report.
- P2 same day: a minor may be a victim (mandatory-report obligations), a crisis call, or a signal
  that needs a person to read it.
- P3 within 1-3 business days: tips, referrals, at-risk callers.
- P4 informational: training requests, general information; unrelated and automated mail is set aside.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Final

from contracts.events import (
    CallType,
    DeclaredTraffickingType,
    Evidence,
    Flag,
    FlagName,
    HumanTriage,
    HumanTriageReason,
    Route,
    RoutingTarget,
    SignalReceived,
    SignalTriaged,
    TraffickingType,
    Urgency,
)
from triage.business_hours import is_business_hours, sla_due
from triage.conditions import report_conditions
from triage.extract import Extraction, OtherLanguageCue, extract
from triage.features import extracted_features, fold, words
from triage.jurisdiction import jurisdiction
from triage.language import ASSESSED, detected
from triage.model import Scores, TriageModel, default_model

# Bump on every change to a rule; the model's own version is appended to it in every assessment,
# so consumers see a re-triage under new rules or a retrained model as a new assessment.
RULES_VERSION: Final = "2026.12.81"

_INFORMATIONAL: Final = frozenset({CallType.TTA, CallType.GENERAL_INFO})
_NO_SITUATION: Final = frozenset({CallType.TTA, CallType.GENERAL_INFO, CallType.UNRELATED})
_DECLARED_TYPE: Final = {
    DeclaredTraffickingType.SEX: TraffickingType.SEX,
    DeclaredTraffickingType.LABOR: TraffickingType.LABOR,
    DeclaredTraffickingType.BOTH: TraffickingType.BOTH,
}
# Speech-recognition and transcription marks for what could not be heard.
_NOISE: Final = re.compile(
    r"\[(?:inaudible|unintelligible|crosstalk|static|noise|garbled|indiscernible|no audio|silence|"
    r"inaudible \d+:\d+|ininteligible|inaudible[^\]]{0,20})\]|\((?:inaudible|unintelligible|ininteligible)\)|"
    r"\*{3,}|\?{3,}", re.IGNORECASE)
_FLAGS: Final = ("minor", "imminent_danger")
# A specialist's note that the caller could not talk freely: danger whatever the model says.
_SPECIALIST_SAW: Final = frozenset({"danger.coded_call"})
# Evidence the guide names as danger in itself (a threat, a weapon, someone hiding): it stands on its
# own only in a signal of a sentence or two (at most this many characters), where nothing else says
# otherwise; in a longer one the model weighs it with the rest.
_ALONE: Final = frozenset({"danger.threat", "danger.weapon", "danger.hiding", "danger.sextortion"})
_ALONE_CHARS: Final = 200
_MACHINE_SENT: Final = frozenset({"automated.auto_reply", "automated.bounce"})
# An assessment this close to a flag's threshold is too close to call: a person reads it.
_LOW_CONFIDENCE_SHARE: Final = 0.5
_EVEN_ODDS: Final = 0.5


def version(model: TriageModel) -> str:
    return f"{RULES_VERSION}+{model.version}"


def assess(signal: SignalReceived, *, now: datetime, model: TriageModel | None = None) -> SignalTriaged:
    model = model or default_model()
    extraction = extract(signal)
    found = extraction.found
    tokens = words(signal)
    extracted = extracted_features(signal, found)
    scores = model.score_words(tokens, extracted)
    probabilities = {name: model.flag_probability(name, scores, extracted) for name in _FLAGS}
    unread = extraction.written_in is not None and extraction.written_in not in ASSESSED
    asking = informational(scores, model)
    minor = _flag(FlagName.MINOR, "minor", found.minor, scores, probabilities["minor"], model, signal,
                  extraction.minor_cues, standing(extraction, "minor", asking=asking),
                  also=extraction.minor_after_model)
    danger = _flag(FlagName.IMMINENT_DANGER, "imminent_danger", found.danger, scores,
                   probabilities["imminent_danger"], model, signal,
                   extraction.danger_cues, standing(extraction, "imminent_danger", asking=asking))
    # A child who is only the reason for calling ("my 14 yr old isn't home... nvm, she's at Maddie's").
    if minor.raised and not danger.raised and _reason_for_calling(
            signal, probabilities["minor"], extraction.minor_cues, asking=asking):
        minor = Flag.trusted(name=FlagName.MINOR, raised=False)
    # An auto-reply quoting a real tip is not set aside: urgent flags win, and so does the rules'
    # evidence of one the model does not confirm (it reads mostly the machine's words around it).
    set_aside = found.automated.raised and not (minor.raised or danger.raised or found.minor.raised
                                                or found.danger.raised)
    kind = _call_type(signal, scores, model, danger=danger.raised, automated=set_aside)
    # A machine's reply that quotes what the rules read as an emergency, which the model does not
    # raise: a person reads it the same day, whatever the model makes of its call type.
    quoted = found.automated.raised and not set_aside and not (minor.raised or danger.raised)
    human = _human_triage(extraction, probabilities, model, tokens, unread=unread, set_aside=set_aside,
                          quoted=quoted)
    urgency = _urgency(kind, minor=minor.raised, danger=danger.raised)
    if human is not None and urgency.rank > Urgency.P2_SAME_DAY.rank:
        urgency = Urgency.P2_SAME_DAY
    # A call specialist's judged urgency can raise the assessed urgency, never lower it.
    judged = signal.facts.urgency
    if judged is not None and judged.rank < urgency.rank:
        urgency = judged
    trafficking_type = _trafficking_type(signal, scores, model, kind)
    business_hours = is_business_hours(signal.received_at)
    if now.tzinfo is None:  # built trusted, from the validated signal and the rules' own values: but for this
        raise ValueError("triage needs a timezone-aware clock")
    return SignalTriaged.trusted(
        signal_id=signal.signal_id,
        reference_number=signal.reference_number,
        channel=signal.channel,
        received_at=signal.received_at,
        triaged_at=now,
        rules_version=version(model),
        flags=[minor, danger, found.foreign, found.automated],
        urgency=urgency,
        call_type=kind,
        trafficking_type=trafficking_type,
        language=detected(signal.reporter.preferred_language, extraction.written_in),
        jurisdiction=jurisdiction(signal, extraction.scan),
        business_hours=business_hours,
        sla_due_at=sla_due(signal.received_at, urgency),
        routes=_routes(kind, urgency, minor=minor.raised, danger=danger.raised,
                       has_text=bool(signal.narrative.strip()), human=human),
        needs_human_triage=human,
        conditions=report_conditions(signal, urgency=urgency, business_hours=business_hours, minor=minor,
                                     foreign=found.foreign, trafficking_type=trafficking_type),
    )


def warm_up() -> None:
    """Assess sample signals so that the model, pattern gates and language models load before real traffic."""
    from contracts import signal_id_for
    from contracts.events import Channel, WebformSource

    for text in ("A 15 year old girl is locked in a room at the motel tonight, please help.",
                 "Una muchacha de 15 años está encerrada y la van a llevar esta noche a otro estado.",
                 "Bonjour, je voudrais signaler une situation grave dans un restaurant."):
        signal = SignalReceived(
            signal_id=signal_id_for("webform", "warm-up"), reference_number="WARM-UP",
            channel=Channel.WEBFORM,
            received_at=datetime.now(UTC), source=WebformSource(submission_id="warm-up"),
            dedup_key="warm-up-signal", narrative=text)
        assess(signal, now=signal.received_at)


@dataclass(frozen=True, slots=True)
class Standing:
    """What the labelling guide's precedence says of a flag before the model's probability is weighed."""

    forced: bool  # raised whatever the model says
    vetoed: bool  # the model alone cannot raise it


def _reason_for_calling(signal: SignalReceived, probability: float, cues: Sequence[OtherLanguageCue], *,
                        asking: bool) -> bool:
    """The child is the reason for calling, not a potential victim: the signal reads as a question or
    a training request (the model's call type, or the specialist's), nobody is in danger, and the
    model itself puts a minor at risk below even odds. "My daughter is 14 and got her first
    babysitting job, is this fine?", "some of my students are only 13". The model's threshold
    (0.288 for v59) is set for recall over reports, where an age is rarely idle; in questions it had
    raised 48 false flags in the blind rounds 48 to 79 and 36 in train and dev, and not one true
    flag. Not a reading of "unrelated": a short tip about a child kept at an address can read so.
    An age or a school year in a language triage does not read still raises the flag: there the
    model's reading of the call type is itself a guess. ``asking``: ``informational``, the model's
    reading, which a specialist's declared call type overrides.
    """
    if probability >= _EVEN_ODDS or any(c.cue.kind != "child" for c in cues):
        return False
    declared = signal.facts.call_type
    return asking if declared is None else declared in _INFORMATIONAL


def informational(scores: Scores, model: TriageModel) -> bool:
    """The model reads the signal as a question for information or a request for training, not a report."""
    return CallType(scores.most_likely(model.heads["call_type"])) in _INFORMATIONAL


def standing(extraction: Extraction, head_name: str, *, asking: bool = False) -> Standing:
    """A declared field stands unless the text takes it back, which the extractor has weighed: its
    declared evidence is then its verdict; so does a year of birth that makes someone a minor ("born
    in 2011", "DOB 3/2010", ``Extraction.years_of_birth``), which the model does not read, and the
    rules' finding that some of the people are children ("algunos son niños", "some r kids",
    ``Extraction.children_among``), which it reads as one term among many, and a school year in a
    language the rules do not read ("8वीं कक्षा", "上高一", ``Extraction.school_years``); so do, in a
    language triage does not read, the
    other-language cues (for a minor, an age or a school year; a bare word for a child is the
    model's to weigh); so does a specialist's note that the caller could not talk freely. The rules'
    own findings in English and Spanish that the guide names as danger in itself (a threat, a
    weapon, someone hiding) force the flag only in a signal of a sentence or two: in a longer one
    the model weighs them with the rest, and its second look with what the first look made of it.
    Forced whatever the length, they had raised 30 false flags in the dev split and rounds 48 to 52
    (conditional threats in accounts of people now safe, past threats) and not one true flag the
    model had missed. The text's own clear word against a flag ("she is not a minor, she is 22",
    "nobody is in danger now, I ticked yes by mistake") stands against the model's guess when the
    rules found nothing for it, and so does a text whose every danger cue is about the past ("years
    ago he locked me in; I'm fine now").

    ``asking``: the model reads the signal as a question or a training request. The form's fields
    and the rules' findings then force nothing: a student's own age typed in the box of a project
    question, a drill's scenario or a novelist's plot are no one at risk, and the model alone
    decides. Cues of a language triage does not read still force: there the
    model's reading of the call type is itself a guess."""
    found = extraction.found
    rule = found.minor if head_name == "minor" else found.danger
    cues = extraction.minor_cues if head_name == "minor" else extraction.danger_cues
    # A bare word for a child in a language triage does not read ("my daughter wanted to write", the
    # employer's "anak") is no one at risk by itself: the model weighs it, and the signal reaches a
    # person for its language either way. An age under 18 or a school year still forces the flag.
    short = sum(len(segment.text) for segment in extraction.scan.segments) <= _ALONE_CHARS
    papers = extraction.minor_after_model if head_name == "minor" else ()
    forced = any(c.cue.kind != "child" for c in cues) or (not asking and (bool(papers) or any(
        e.origin == "declared" or e.rule_id in _SPECIALIST_SAW or (short and e.rule_id in _ALONE)
        for e in rule.evidence)))
    denial = "minor.denied" if head_name == "minor" else "danger.taken_back"
    # Every danger cue the rules found is about the past, and no time in the text is within hours.
    past_only = (head_name == "imminent_danger" and "danger.dropped_historical" in found.notes
                 and "soon" not in found.timing)
    # An auto-reply or a bounce: the model alone cannot make it urgent ("I'm driving right now, I'll
    # text you back"). Where the rules find evidence in a tip it quotes, the model weighs it as usual,
    # and ``assess`` does not set it aside either way. Not spam words alone: "gift card" is also a
    # groomer's bait.
    automatic = any(e.rule_id in _MACHINE_SENT or e.rule_id.startswith("automated.email_")
                    for e in found.automated.evidence)
    vetoed = (denial in found.notes or past_only or automatic) and not rule.raised
    return Standing(forced=forced, vetoed=vetoed)


def _flag(name: FlagName, head_name: str, rule: Flag, scores: Scores, probability: float, model: TriageModel,
          signal: SignalReceived, other_language: Sequence[OtherLanguageCue], stands: Standing,
          also: Sequence[Evidence] = ()) -> Flag:
    """``probability``: the model's for the flag (``TriageModel.flag_probability``), for its threshold;
    ``also``: evidence that stands after the model (``Extraction.minor_after_model``), shown whenever
    the flag is raised; what the rules' own evidence already shows is not shown twice."""
    head = model.heads[head_name]
    by_model = probability >= model.thresholds[head_name] and not stands.vetoed
    if not (by_model or stands.forced):
        return Flag.trusted(name=name, raised=False)
    evidence = list(rule.evidence) if rule.raised else []
    evidence += [e for e in also if e not in evidence]
    evidence += [Evidence.trusted(rule_id=f"multilingual.{c.cue.kind}", origin="text", field=c.segment.field,
                          start=c.cue.start, end=c.cue.end,
                          matched_text=c.segment.text[c.cue.start:c.cue.end])
                 for c in other_language]
    if by_model:
        evidence += _model_evidence(f"model.{head_name}", model.reasons(scores, head), signal, probability)
    return Flag.trusted(name=name, raised=True, evidence=evidence[:50])


def _model_evidence(rule_id: str, terms: list[str], signal: SignalReceived,
                    probability: float) -> list[Evidence]:
    """The model's strongest words, as spans of the text; its probability when no word can be shown."""
    found: list[Evidence] = []
    # Folded once per field, not once per term; a field whose folding moved offsets (a few exotic
    # characters) gives no span.
    given = (("subject", signal.subject), ("narrative", signal.narrative)) if terms else ()
    fields = [(field, text, folded) for field, text in given
              if text and len(folded := fold(text)) == len(text)]
    for term in terms:
        pattern = _term_pattern(term)
        for field, text, folded in fields:
            match = next((m for m in pattern.finditer(folded) if not _in_address(folded, m)), None)
            if match is not None:
                found.append(Evidence.trusted(
                    rule_id=rule_id, origin="text", field=field, start=match.start(), end=match.end(),
                    matched_text=text[match.start():match.end()][:500]))
                break
    if not found:
        found.append(Evidence.trusted(rule_id=rule_id, origin="metadata", field="model",
                              matched_text=f"probability {probability:.2f}"))
    return found


@lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern[str]:
    """A model term ("locked_in") as the words of a text, compiled once: the terms come from the model's
    vocabulary, and ``re``'s own cache of 512 patterns is shared with every other caller."""
    return re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, term.split("_"))) + r"(?!\w)")


def _in_address(text: str, match: re.Match[str]) -> bool:
    """The word is part of an e-mail address, a URL or a handle, which a reason must never quote."""
    before, after = text[max(0, match.start() - 1):match.start()], text[match.end():match.end() + 1]
    return before in ("@", ".", "/", ":", "_") or after in ("@", "/", "_") or (
        after == "." and text[match.end() + 1:match.end() + 2].isalnum())


def _call_type(signal: SignalReceived, scores: Scores, model: TriageModel, *, danger: bool,
               automated: bool) -> CallType:
    """The declared call type wins (a call specialist's choice), then the labelling guide's order."""
    if signal.facts.call_type is not None:
        return signal.facts.call_type
    if danger:
        return CallType.CRISIS
    if automated:
        return CallType.UNRELATED
    return CallType(scores.most_likely(model.heads["call_type"]))


def _trafficking_type(signal: SignalReceived, scores: Scores, model: TriageModel,
                      kind: CallType) -> TraffickingType:
    declared_type = _DECLARED_TYPE.get(signal.facts.trafficking_type)
    if declared_type is not None:
        return declared_type
    if kind in _NO_SITUATION:
        return TraffickingType.NONE
    # A situation was reported (not only a risk): its type may be unknown, never none.
    leaving_out = TraffickingType.NONE.value if kind is not CallType.AT_RISK else None
    return TraffickingType(scores.most_likely(model.heads["trafficking_type"], leaving_out))


def _human_triage(extraction: Extraction, probabilities: dict[str, float], model: TriageModel,
                  tokens: list[str], *,
                  unread: bool, set_aside: bool, quoted: bool = False) -> HumanTriage | None:
    language = extraction.written_in
    if unread:
        return HumanTriage.trusted(reason=HumanTriageReason.UNASSESSED_LANGUAGE, language=language)
    if set_aside:
        return None
    text = "\n".join(segment.text for segment in extraction.scan.segments)
    noise = len(_NOISE.findall(text))
    if noise >= 3 or (noise and len(tokens) < 12 * noise):
        return HumanTriage.trusted(reason=HumanTriageReason.GARBLED_TRANSCRIPT, language=language)
    if quoted:
        return HumanTriage.trusted(reason=HumanTriageReason.LOW_CONFIDENCE, language=language)
    for head_name in _FLAGS:
        threshold = model.thresholds[head_name]
        if threshold * _LOW_CONFIDENCE_SHARE <= probabilities[head_name] < threshold:
            return HumanTriage.trusted(reason=HumanTriageReason.LOW_CONFIDENCE, language=language)
    return None


def _urgency(kind: CallType, *, minor: bool, danger: bool) -> Urgency:
    if danger:
        return Urgency.P1_ACT_NOW
    if minor or kind is CallType.CRISIS:
        return Urgency.P2_SAME_DAY
    if kind in _INFORMATIONAL or kind is CallType.UNRELATED:
        return Urgency.P4_INFORMATIONAL
    return Urgency.P3_BUSINESS_DAYS


def _routes(kind: CallType, urgency: Urgency, *, minor: bool, danger: bool, has_text: bool,
            human: HumanTriage | None) -> list[Route]:
    if kind is CallType.UNRELATED and not urgency.is_urgent and human is None:
        # A call record or status callback has no words to judge: set aside until the specialist's
        # report for the same call arrives, but not called unrelated.
        return [Route.trusted(target=RoutingTarget.SET_ASIDE,
                              reason="unrelated" if has_text else "no_narrative")]
    routes = [Route.trusted(target=RoutingTarget.SUPERVISOR_QUEUE, reason="substantive")]
    if urgency.is_urgent:
        reason = ("imminent_danger" if danger else "minor" if minor else
                  "crisis" if kind is CallType.CRISIS else
                  "needs_human_triage" if human is not None else "specialist_judgement")
        routes.append(Route.trusted(target=RoutingTarget.URGENT_ALERT, reason=reason))
    if danger:
        routes.append(Route.trusted(target=RoutingTarget.LAW_ENFORCEMENT_BREAK_GLASS,
                                    reason="imminent_danger"))
    if minor:
        routes.append(Route.trusted(target=RoutingTarget.MANDATORY_REPORT, reason="minor"))
    return routes
