"""What the learned model sees of a signal: words, word pairs, character n-grams and the extractors' findings.

Pure and shared by training and assessment, so that the model is fed the same features in both.
Features are short strings with a prefix naming their kind, so that the model's weights can be
read by a person (``hotline-triage model --top``):

- ``w:word``, ``b:word_word``: words of the subject and narrative, lower-cased, accents folded;
- ``c:abc``: character 3- and 4-grams of each word with its boundaries (typos, shorthand,
  inflections and languages the word list has not seen);
- ``x:...``: what the extractors found: each evidence rule that fired (``x:minor.text_age``),
  ages by band, the declared form fields, the rules' own call and trafficking types, the topic
  gate, the channel, the language, cues of the other languages (``x:ml.weapon``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from contracts.events import Answer, Flag, SignalReceived

_WORD: Final = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)?")

# Accents folded with one translate() call (C speed): "años" and "anos", "está" and "esta" are
# written both ways by the same people. Only one-to-one replacements, so that offsets are kept.
_FOLD: Final = str.maketrans(
    "áàâäãåāăąéèêëēęěíìîïīıóòôöõōőúùûüūůűñńňçćčýÿďğľłřśşšťźżž",
    "aaaaaaaaaeeeeeeeiiiiiiooooooouuuuuuunnncccyydgllrssstzzz",
)
_CHAR_NS: Final = (3, 4)
_MAX_WORDS: Final = 600  # a long email's first 600 words carry the story; the rest costs time only


def fold(text: str) -> str:
    """Lower-cased with accents folded; the same length as ``text`` for the scripts the folding covers."""
    return text.lower().translate(_FOLD)


@dataclass(frozen=True, slots=True)
class Extracted:
    """What the extractors found in a signal, as the model reads it."""

    minor: Flag
    danger: Flag
    foreign: Flag
    automated: Flag
    topic_only: bool
    rule_call_type: str
    rule_trafficking_type: str
    language: str | None
    ages: tuple[int, ...]
    other_language_cues: frozenset[str]
    notes: frozenset[str] = frozenset()  # what the rules set aside, and why ("danger.dropped_historical")
    timing: frozenset[str] = frozenset()  # "soon" (a time within hours), "due_soon" (and what happens then)


# Texting shorthand, read as the words it stands for (English and Spanish). Only unambiguous forms:
# "4" or "2" are as often counts and ages as "for" and "to", and stay numbers.
_SHORTHAND: Final = {
    "u": ("you",), "ur": ("your",), "r": ("are",), "n": ("and",), "pls": ("please",), "plz": ("please",),
    "rn": ("right", "now"), "tn": ("tonight",), "tnite": ("tonight",), "tonite": ("tonight",),
    "2nite": ("tonight",), "2night": ("tonight",), "tmrw": ("tomorrow",), "tmr": ("tomorrow",),
    "tmrow": ("tomorrow",), "2moro": ("tomorrow",), "2day": ("today",), "bc": ("because",),
    "cuz": ("because",), "coz": ("because",), "idk": ("i", "don't", "know"), "im": ("i'm",),
    "dont": ("don't",), "cant": ("can't",), "wont": ("won't",), "didnt": ("didn't",), "doesnt": ("doesn't",),
    "isnt": ("isn't",), "hes": ("he's",), "shes": ("she's",), "theyre": ("they're",), "ppl": ("people",),
    "b4": ("before",), "lil": ("little",), "thx": ("thanks",), "sis": ("sister",), "bro": ("brother",),
    "gf": ("girlfriend",), "bf": ("boyfriend",), "prolly": ("probably",), "gonna": ("going", "to"),
    "wanna": ("want", "to"), "gotta": ("got", "to"), "sum1": ("someone",), "ne1": ("anyone",),
    "asap": ("now",), "smth": ("something",), "abt": ("about",), "w": ("with",), "yrs": ("years",),
    "q": ("que",), "k": ("que",), "xq": ("porque",), "pq": ("porque",), "porq": ("porque",),
    "x": ("por",), "xfa": ("por", "favor"), "porfa": ("por", "favor"), "xfavor": ("por", "favor"),
    "tmb": ("tambien",), "tb": ("tambien",), "d": ("de",), "dnd": ("donde",), "toy": ("estoy",),
    "ta": ("esta",), "tons": ("entonces",), "bn": ("bien",), "mnn": ("manana",), "aki": ("aqui",),
    "kiero": ("quiero",), "nd": ("nada",), "sta": ("esta",), "msj": ("mensaje",), "xk": ("porque",),
    "hr": ("hora",), "hrs": ("horas",), "ntp": ("no", "te", "preocupes"),
}


def words(signal: SignalReceived) -> list[str]:
    text = signal.narrative if not signal.subject else f"{signal.subject}\n{signal.narrative}"
    found: list[str] = _WORD.findall(fold(text))[:_MAX_WORDS]
    if _SHORTHAND.keys().isdisjoint(found):  # most texts: no shorthand to expand, checked in C
        return found
    out: list[str] = []
    for token in found:
        expanded = _SHORTHAND.get(token)
        if expanded is None:
            out.append(token)
        else:
            out.extend(expanded)
    return out


def features(signal: SignalReceived, extracted: Extracted, tokens: list[str] | None = None) -> list[str]:
    tokens = words(signal) if tokens is None else tokens
    out = [f"b:{a}_{b}" for a, b in pairwise(tokens)]
    for token in set(tokens):
        out += token_features(token)
    out += extracted_features(signal, extracted)
    return out


def token_features(token: str) -> list[str]:
    """A word's own features: the word and its character n-grams (``TriageModel`` caches them per word)."""
    padded = f" {token} "
    out = [f"w:{token}"]
    for n in _CHAR_NS:
        out += [f"c:{padded[i:i + n]}" for i in range(len(padded) - n + 1)]
    return out


def extracted_features(signal: SignalReceived, found: Extracted) -> list[str]:
    out = [f"x:channel.{signal.channel.value}", f"x:rule_call.{found.rule_call_type}",
           f"x:rule_type.{found.rule_trafficking_type}", f"x:lang.{found.language or 'none'}"]
    for flag in (found.minor, found.danger, found.foreign, found.automated):
        out += [f"x:{e.rule_id}" for e in flag.evidence]
        if flag.raised:
            out.append(f"x:raised.{flag.name.value}")
    if found.topic_only:
        out.append("x:topic_only")
    out += [f"x:age.{_band(age)}" for age in found.ages]
    out += [f"x:ml.{kind}" for kind in sorted(found.other_language_cues)]
    out += [f"x:note.{note}" for note in sorted(found.notes)]
    out += [f"x:time.{kind}" for kind in sorted(found.timing)]
    facts = signal.facts
    if facts.danger_now is not Answer.NOT_ASKED:
        out.append(f"x:form.danger_{facts.danger_now.value}")
    for victim in facts.victims:
        if victim.age is not None:
            out.append(f"x:form.age_{_band(victim.age)}")
    if facts.location is not None:
        out.append("x:form.location")
    if signal.subject:
        out.append("x:has_subject")
    length = len(signal.narrative)
    out.append("x:len.short" if length < 80 else "x:len.long" if length > 800 else "x:len.mid")
    return out


def _band(age: int) -> str:
    if age < 13:
        return "child"
    if age < 16:
        return "13_15"
    if age < 18:
        return "16_17"
    if age < 21:
        return "18_20"
    return "adult"
