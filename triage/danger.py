"""The ``imminent_danger`` flag: someone is in physical danger now or within hours. English and Spanish.

Precedence (also in README, "Triage"):

1. A declared "danger now: yes" raises the flag unless the text clearly takes it back ("I checked
   yes by mistake, nobody is in danger now", "no hay peligro ahora").
2. A strong text rule raises the flag on its own, even against a declared "no": locked in, being
   beaten, a weapon, a threat to kill or hurt, being moved tonight, hiding, being hunted, "ahora
   mismo ... encerrada". The text is the reporter's own account and the form's yes/no is coarse.
3. A plea ("help me", "auxilio") counts only together with "right now" / "tonight" / "esta noche"
   in the same sentence, and never against a declared "no".
4. Matches are dropped when negated in their clause ("nobody is in danger now"), in a sentence
   about the past ("years ago he locked me in"), retold from the news or a film, hypothetical
   ("what should I do if someone is locked in"), or when the signal is about the topic only.
"""

from __future__ import annotations

import re
from typing import Final

from contracts.events import Answer, Evidence, Flag, FlagName, SignalReceived
from triage.danger_rules import PERSON, STRONG
from triage.evidence import declared, from_hit
from triage.situation import SITUATION
from triage.text import (
    MISDIRECTED,
    NOT_REAL,
    YES_NO,
    Hit,
    Scan,
    Segment,
    historical,
    negated,
    recent,
    reported,
)

_I = re.IGNORECASE

# Ongoing violence ("he beats them", "me pega") is danger now when the text places the person
# there now ("they are there right now", "esta noche"), in the same or the next sentence.
_HABITUAL_VIOLENCE: Final = re.compile(
    rf"\b(?:beats?|hits?|rapes?|chokes?|punches|struck|punched|slapped|kicked|choked|beat|grabb(?:ing|ed)|"
    rf"grop(?:ing|ed)|touching|drugs?|drugging|drugged)\s+(?:{PERSON}|her\s+\w+)\b|"
    rf"\b(?:la|lo|las|los|me|nos)\s+(?:drogan|est[aá]n drogando|drog[oó])\b|"
    rf"\bbeat\s+{PERSON}\s+(?:every|when|if|whenever)\b|"
    rf"\b(?:me|la|lo|nos|las|los|les)\s+(?:golpea(?:n)?|pega(?:n)?|viola(?:n)?|lastima(?:n)?|maltrata(?:n)?)\b|"
    rf"\bgolpea(?:n)?\b", _I)
# Someone on the way: "driving there now", "on his way here", "viene para acá".
_PURSUIT: Final = re.compile(
    r"\b(?:driving|coming|heading|on (?:his|their|her) way)\s+(?:over\s+|back\s+)?"
    r"(?:here|there|to (?:get|find) (?:her|me|us|them))\b|"
    r"\btrack(?:s|ing)\s+(?:her|his|my|their)\s+(?:phone|location)\b|"
    # a victim who got away, and the one in control knows where: "he knows I came here"
    r"\b(?:he|they|she|the boss|the crew leader)\s+knows?\s+(?:where\s+(?:i|we)\s+(?:am|are|went|go)|"
    r"(?:that\s+)?(?:i|we)\s+(?:came|went|am|[\u2019']m|are)\s+(?:here|there))\b|"
    r"\b(?:viene|vienen)\s+(?:para\s+ac[aá]|hacia\s+ac[aá]|en camino)\b", _I)
# Going back to the abuser today, afraid: "going home after school today, terrified".
_RETURNING: Final = re.compile(
    r"\b(?:going|goes|go|has to go|have to go|sent|returning|return)\s+(?:back\s+)?(?:home|there)\b"
    r"[^.!?\n]{0,40}\b(?:today|tonight|after school)\b|"
    r"\b(?:regresar|volver|ir)\s+a\s+(?:su |mi )?(?:casa|la casa)\b[^.!?\n]{0,30}\b(?:hoy|esta noche)\b", _I)
_AFRAID: Final = re.compile(r"\b(?:terrified|scared|afraid|fear\w*|miedo|asustad[oa])\b", _I)
# A last, looser net: a physical-harm word and "right now" / "tonight" in the same sentence.
_HARM: Final = re.compile(
    r"\b(?:kill\w*|hurt\w*|beat\w*|hit(?:s|ting)?|gun|knife|weapon|locked(?! out)|trapped|held|"
    r"bleed\w*|drugg\w*|rap(?:e|ed|ing)|"
    r"kidnap\w*|abduct\w*|grab\w*|chok\w*|strangl\w*|attack\w*|assault\w*|screaming|tied|captive|"
    r"matar\w*|golpe\w*|pega\w*|arma|pistola|cuchillo|encerrad\w*|atrapad\w*|sangr\w*|drog\w*|"
    r"secuestr\w*|violar\w*|viol[oó]|gritando|amarrad\w*)\b", _I)
_UNCERTAIN: Final = re.compile(
    r"\b(?:not sure|unsure|don[\u2019']?t know|do not know|no s[eé]|no estoy segur[oa])\s+(?:if|"
    r"whether|si)\b", _I)
_SAFE_BEFORE: Final = re.compile(r"\b(?:safe|a salvo|segur[oa]s?|fine|ok|okay|bien)\s*$", _I)

_PLEA: Final = re.compile(
    r"\b(?:help (?:me|us)|please help|send (?:help|someone|the police|police)|call (?:911|the police)|"
    r"need (?:the )?police|sos|auxilio|socorro|ay[uú]denme|ayuda por favor|ayuda urgente|pide ayuda ya|"
    r"please hurry|hurry|come quickly|vengan? r[aá]pido|ap[uú]rense|de prisa)\b|"
    r"\bhelp\s*!+", _I)
_NOW: Final = re.compile(
    r"\b(?:right now|as we speak|at this moment|this minute|tonight|ahora mismo|en este momento|"
    r"esta noche|ahorita|hurry|r[aá]pido|ap[uú]rense|de prisa|still going on|happening (?:right )?now|"
    r"est[aá] pasando)\b", _I)
# Ongoing violence counts when the person is there now: "right now", "tonight", or "still", "now".
_STILL_THERE: Final = re.compile(r"\b(?:now|still|todav[ií]a|sigue|siguen|ahora)\b", _I)
# The text takes a declared "yes" back.
_DENIED: Final = re.compile(
    r"\b" + YES_NO + r"(?:no one|nobody|no-one|none of (?:them|us)|not|no|isn[\u2019']t|aren[\u2019']t|nadie|"
    r"ninguno|ninguna)\b"
    r"[^.!?\n]{0,30}\b(?:in (?:immediate |any |imminent )?danger|imm(?:ediate)? danger|en peligro|peligro)\b|"
    r"\b(?:no hay|sin) peligro\b|\bno corren? peligro\b|"
    # a box ticked by accident or by mistake ("I checked yes on danger by mistake"), not a text
    # sent by mistake ("she sent it to me by mistake")
    r"\b(?:ticked|checked|clicked|marked|selected|picked|hit|pressed|put)\b[^.!?\n]{0,40}?"
    r"\bby (?:accident|mistake)\b|\bmistakenly\s+(?:ticked|checked|clicked|marked|selected|picked)\b|"
    r"\b(?:marqu[eé]|puse|di|seleccion[eé]|hice clic)\b[^.!?\n]{0,40}?\bpor error\b|"
    r"\baccidentally\s+(?:ticked|checked|clicked|marked|selected|picked|hit|pressed)\b|"
    r"\b(?:marqu[eé]|puse|di)\b[^.!?\n]{0,40}?\bsin querer\b|"
    # "I clicked yes but we are ok right now", "puse que sí hay peligro pero no"
    r"\b(?:i|we)\s+(?:ticked|checked|clicked|marked|selected|picked|put)\s+yes\b[^.!?\n]{0,30}\bbut\s+"
    r"(?:we|i|she|he|they)(?:[\u2019']re|[\u2019']m|[\u2019']s|\s+are|\s+am|\s+is)\s+"
    r"(?:ok|okay|fine|alright|all right)\b|"
    r"\b(?:puse|marqu[eé]|di)\s+(?:que\s+)?s[ií]\b[^.!?\n]{0,30}\bpero\s+no\b|"
    r"\b(?:is|are|am|[\u2019']m|est[aá]n?|estoy)\s+(?:now\s+)?(?:safe|a salvo|segur[oa]s?)\b|"
    # "not an emergency lol", "I ticked emergency because it's kind of an emergency for us"
    r"\b(?:not|isn[\u2019']t|no|nothing)\s+(?:(?:really|actually|exactly|like)\s+)?(?:an?\s+)?"
    r"(?:emergency|urgent|emergencia|urgente)\b|"
    # "I ticked yes because ...", "Marked yes for danger bc the form wouldn't let me skip it"
    r"(?:\b(?:i|we)\s+|^\s*|(?<=[.!?\n])\s*)(?:ticked|checked|clicked|marked|selected|picked|put)\s+"
    r"(?:yes|emergency|urgent|danger|the (?:danger|emergency|urgent) (?:box|button|option))"
    r"(?:\s+(?:for|on|to)\s+(?:the\s+)?(?:danger|emergency|urgent)(?:\s+(?:box|question|button|option|field))?)?"
    r"\s+(?:because|cause|cuz|bc|since|just)\b|"
    # "the form wouldn't let me skip it", "it wouldn't submit without the danger question"
    r"\b(?:form|site|website|page|it)\s+(?:wouldn[\u2019']?t|would not|won[\u2019']?t|will not|"
    r"didn[\u2019']?t|did not|doesn[\u2019']?t|does not)\s+"
    r"(?:let\s+(?:me|us)\s+(?:skip|submit|continue|send)|submit|send|go through)\b|"
    # "marqué que sí hay peligro porque me asusté"; "I panicked and filled this out"; "please disregard"
    r"\b(?:marqu[eé]|puse|di)\s+(?:que\s+)?s[ií]\b[^.!?\n]{0,40}\bporque\s+me\s+"
    r"(?:asust|espant|dio\s+miedo|puse\s+nervios|preocup)|"
    r"\bi\s+panicked\b|\bplease\s+disregard\b|\bfalse\s+alarm\b|"
    # "I filled this out in a panic an hour ago"
    r"\b(?:filled|filed|sent|submitted|wrote)\s+(?:this|it|that)(?:\s+(?:out|in))?\s+in\s+a\s+panic\b|"
    # "nobody is physically threatening me", "no one's hitting anyone"
    r"\b(?:no one|nobody|no-one)(?:[\u2019']s|\s+is|\s+has\s+been)\s+(?:\w+ly\s+)?(?:threatening|hitting|"
    r"hurting|harming|touching|attacking|chasing|following|holding)\b|"
    r"\bno es (?:una )?emergencia\b|\bnada urgente\b|"
    # "the form made me fill in an age and the danger box, ignore those"
    r"\b(?:form|site|website)\s+(?:made|forced|asked|required)\s+(?:me|us)\s+(?:to\s+)?(?:fill|tick|check|"
    r"click|pick|answer)\b[^.!?\n]{0,40}\b(?:danger|emergency|urgent)\b|"
    r"\bignore (?:those|that|them|the (?:age|danger|emergency) (?:box|field|answer|question)s?)\b|"
    + MISDIRECTED + "|" + NOT_REAL, _I)
_NOT_REAL: Final = re.compile(NOT_REAL, _I)
# After a denial, in its sentence: "but" and what changed since.
_CHANGED_SINCE: Final = re.compile(
    r"\b(?:but|pero|mas)\b[^.!?\n]{0,60}?(?:"
    r"\b(?:he|they|the (?:boss|man|guy|owner|trafficker)|[eé]l|ellos|el (?:patr[oó]n|jefe|señor|hombre))\s+"
    r"(?:\w+\s+){0,2}?(?:got back|came back|is back|arrived|showed up|is here|returned)|"
    r"\b(?:he|they)[\u2019'](?:s|re) (?:back|here)|"
    r"\bya (?:lleg[oó]|llegaron|volvi[oó]|volvieron|regres[oó]|est[aá] aqu[ií])|"
    r"\bacaba(?:n)? de (?:llegar|volver|regresar))\b", _I)
_PAST_VERB_BEFORE: Final = re.compile(r"\b(?:was|were|had been|estaba|estaban|estuvo|"
                                      r"estuve|hab[ií]a|hab[ií]an|hubo)\s+(?:\w+\s+)?$", _I)


def danger_flag(signal: SignalReceived, scan: Scan, *, topic_only: bool,
                notes: set[str] | None = None) -> Flag:
    """The rules' verdict; ``notes`` collects what they set aside and why (the model weighs it)."""
    notes = set() if notes is None else notes
    text: list[Evidence] = []
    if not topic_only:
        for rule, pattern in STRONG:
            for hit in scan.find(rule, pattern):
                if _counts(hit, notes):
                    text.append(from_hit(rule, hit))
    declared_yes = signal.facts.danger_now is Answer.YES
    declared_no = signal.facts.danger_now is Answer.NO
    if not topic_only:
        for hit in scan.find("danger.violence_ongoing", _HABITUAL_VIOLENCE):
            if _counts(hit, notes) and _now_near(hit):
                text.append(from_hit(hit.rule_id, hit))
        if not text:
            for hit in scan.find("danger.harm_now", _HARM):
                if _NOW.search(hit.segment.sentence_text(hit.start)) and _counts(hit, notes):
                    text.append(from_hit(hit.rule_id, hit))
        for hit in scan.find("danger.returning_afraid", _RETURNING):
            if _live(hit) and _AFRAID.search(hit.segment.sentence_text(hit.start)):
                text.append(from_hit(hit.rule_id, hit))
        for hit in scan.find("danger.pursued_now", _PURSUIT):
            if _live(hit) and recent(hit.segment, hit.start):
                text.append(from_hit(hit.rule_id, hit))
    if not topic_only and not text and not declared_no and not _taken_back(scan):
        situation = scan.any_live(SITUATION)
        for hit in scan.find("danger.plea_now", _PLEA):
            if situation and _live(hit) and _NOW.search(hit.segment.sentence_text(hit.start)):
                text.append(from_hit(hit.rule_id, hit))
        for hit in scan.find("danger.situation_now", _NOW):
            safe = _SAFE_BEFORE.search(hit.segment.text[max(0, hit.start - 12):hit.start])
            if _live(hit) and not safe and _situation_at(hit):
                text.append(from_hit(hit.rule_id, hit))
    if _taken_back(scan):
        notes.add("danger.taken_back")
    # A test of the form, a drill's scenario or a story's plot ("its a STORY not real ... my main
    # character ... is locked in a basement"): nothing in it is anyone in danger.
    if text and scan.any_live(_NOT_REAL):
        notes.add("danger.not_real")
        text = []
    evidence: list[Evidence] = []
    if declared_yes and (text or not _taken_back(scan)):
        evidence.append(declared("danger.declared_now", "facts.danger_now"))
    evidence.extend(text)
    return Flag.trusted(name=FlagName.IMMINENT_DANGER, raised=bool(evidence), evidence=evidence[:50])


def _live(hit: Hit) -> bool:
    return _dropped_because(hit) is None


def _counts(hit: Hit, notes: set[str]) -> bool:
    why = _dropped_because(hit)
    if why is not None:
        notes.add(f"danger.dropped_{why}")
    return why is None


def _dropped_because(hit: Hit) -> str | None:
    """Why a match does not count (negated, retold, about the past, uncertain), or None when it does."""
    segment, start = hit.segment, hit.start
    if negated(segment, start, words=6):
        return "negated"
    if reported(segment, start):
        return "reported"
    if historical(segment, start):
        return "historical"
    clause_start, _ = segment.clause(start)
    if _UNCERTAIN.search(segment.text[clause_start:start]):
        return "uncertain"
    past = _PAST_VERB_BEFORE.search(segment.text[max(0, start - 20):start]) is not None
    return "past" if past and not (recent(segment, start) or _now_near(hit)) else None


def _situation_at(hit: Hit) -> bool:
    """Exploitation in the clause of ``hit``, or in the sentence before a short sentence that places it
    now ("... makes her sleep with guests. She is working there tonight.")."""
    segment = hit.segment
    start, end = segment.clause(hit.start)
    if SITUATION.search(segment.text[start:end]):
        return True
    sentence_start, sentence_end = segment.sentence(hit.start)
    if sentence_start == 0 or sentence_end - sentence_start > 80:
        return False
    # The two sentences before, within a short distance.
    previous_start, _ = segment.sentence(sentence_start - 1)
    if previous_start > 0 and sentence_start - previous_start < 120:
        previous_start, _ = segment.sentence(previous_start - 1)
    before = segment.text[max(previous_start, sentence_start - 250):sentence_start]
    return SITUATION.search(before) is not None


def _now_near(hit: Hit) -> bool:
    """"Right now", "tonight", "ahora mismo" in the sentence of ``hit`` or the next one."""
    segment = hit.segment
    start, end = segment.sentence(hit.start)
    _, next_end = segment.sentence(end) if end < len(segment.text) else (end, end)
    window = segment.text[start:next_end]
    # "he choked me Saturday, but I'm safe now": a "now" that says the person is safe is not the
    # violence's now.
    return any(not _SAFE_BEFORE.search(window[max(0, m.start() - 12):m.start()])
               for pattern in (_NOW, _STILL_THERE) for m in pattern.finditer(window))


def _taken_back(scan: Scan) -> bool:
    for segment in scan.segments:
        for match in segment.finditer(_DENIED):
            if not (reported(segment, match.start()) or _asked(segment, match.start())
                    or _overtaken(segment, match.end())):
                return True
    return False


def _asked(segment: Segment, pos: int) -> bool:
    """The words are a question ("¿Ella está segura ahora mismo?", a chat's hotline asking): no answer."""
    start, end = segment.sentence(pos)
    sentence = segment.text[start:end].rstrip()
    return sentence.endswith("?") or "¿" in segment.text[start:pos]


def _overtaken(segment: Segment, pos: int) -> bool:
    """The rest of the sentence says things changed since ("I put no danger because he wasn't here,
    but he just got back"; "puse que no hay peligro ... pero ya llegó"): the denial no longer holds."""
    _, end = segment.sentence(pos)
    return _CHANGED_SINCE.search(segment.text, pos, end) is not None
