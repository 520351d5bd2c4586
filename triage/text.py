"""The text a signal carries, cut into sentences and clauses, and the context tests every rule shares.

Rules find a candidate span (``Hit``) and then ask the ``Scan`` about its context: is it negated
within its clause, historical within its sentence, quoted from the news or a hypothetical
question? Pure and allocation-light: this runs for every signal on the hot path.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from operator import methodcaller
from typing import Final

from contracts.events import SignalReceived
from triage.alternatives import alternatives
from triage.lexicon import tokens
from triage.prefilter import LITERALS, gate

_I = re.IGNORECASE

# Sentence ends; clause ends add commas, semicolons and the contrastive conjunctions that
# usually start a new proposition ("she is 15, not 18"; "nobody is in danger, but ...").
_SENTENCE_END: Final = re.compile(r"[.!?¡¿\n]+\s*|\s+-{1,2}\s+")
_CLAUSE_END: Final = re.compile(
    r"[.!?¡¿\n,;:()]+\s*|\s+(?:but|pero|although|though|aunque|however|sin embargo|mientras|and now|"
    r"y ahora|and then)\s+|"
    r"\s+-{1,2}\s+", _I)

# Negation cues, looked for in the few words before a match inside its clause.
# The signal says it is a test of the form or not a real case: its form fields and urgent words are
# nobody's ("TEST SUBMISSION - please ignore", "this is only a test", "none of this is real").
NOT_REAL: Final = (
    r"\b(?:this\s+is\s+(?:only\s+|just\s+)?a\s+test|test(?:ing)?\s+(?:submission|message|entry|post|only)|"
    r"test\s+test|(?:just\s+|only\s+)?testing\s+(?:the|your|our|this|a|new)\s+(?:\w+\s+){0,2}?"
    r"(?:form|site|website|line|system|number|routing|page|hotline)|"
    r"(?:not|isn[\u2019']?t|aren[\u2019']?t)\s+a\s+real\s+(?:case|report|tip|submission|person|victim|"
    r"emergency|situation)|"
    # "it's a STORY not real", "the age and everything I put in are made up"
    r"(?:story|fiction|novel|hypothetical)\W{0,3}(?:and\s+|it'?s\s+)?not\s+real|"
    r"(?:i|we)\s+(?:put|typed|entered|wrote)(?:\s+in)?\s+(?:is|are|was|were)\s+(?:all\s+)?made\s+up|"
    r"none\s+of\s+(?:this|it)\s+is\s+real|no\s+real\s+(?:person|victim|people|case|incident|situation|"
    r"emergency|event)|"
    # an exercise's header as emergency managers write it: "*** EXERCISE EXERCISE EXERCISE ***"
    r"(?:tabletop|safety)\s+(?:drill|exercise)|exercise\W+exercise|"
    r"this\s+is\s+(?:only\s+|just\s+)?an?\s+(?:exercise|drill)|esto\s+es\s+(?:solo\s+)?una\s+prueba|"
    r"mensaje\s+de\s+prueba|no\s+es\s+un\s+caso\s+real)\b"
)
# A form sent to the wrong place ("I clicked the wrong link ... this was supposed to go to the
# bullying report form"): its answers are no one's at risk here.
MISDIRECTED: Final = (
    r"\b(?:clicked|used|filled(?:\s+(?:in|out))?|picked|opened)\s+the\s+wrong\s+"
    r"(?:link|form|page|site|website)\b|"
    r"\b(?:this|it)\s+was\s+(?:supposed|meant)\s+to\s+go\s+to\b"
)
# A "yes/no" question or answer ("switched to yes/no questions: in danger? yes") denies nothing.
# Written after a "\b", which fails fast at most positions: five look-behinds tried first at every
# position were the costliest part of the patterns that use them.
YES_NO: Final = r"(?<!\byes/)(?<!\byes-)(?<!\byes or )(?<!\bs[i\u00ed]/)(?<!\bs[i\u00ed] o )"
_NEGATION: Final = re.compile(
    r"\b" + YES_NO + r"(?:not|no|never|nobody|no one|no-one|none|neither|nor|without|nadie|nunca|ningun[oa]?|"
    r"ningún|tampoco|sin|ni)\b|n[\u2019']t\b", _I)
# "I don't know if she is 15" is uncertainty, not a negation of the age.
_UNCERTAIN_AFTER_NEGATION: Final = re.compile(
    r"\s*(?:\w+\s+)?(?:know|sure|certain|s[eé]|sabemos|estoy segur[oa]|estamos segur[oa]s)\b", _I)

# A sentence about the past ("years ago", "in 2012", "cuando era niña") ...
_HISTORICAL: Final = re.compile(
    r"\b(?:years? ago|months ago|weeks ago|a while ago|long ago|last (?:year|month|summer|spring|fall|"
    r"autumn|winter|decade)|in (?:19|20)\d\d|back (?:then|in (?:19|20)\d\d|in the day)|used to|"
    r"as a (?:child|kid|teen(?:ager)?|"
    r"little girl|little boy|minor)|when (?:i|she|he|we|they) (?:was|were)|no longer|"
    r"(?<!desde )hace (?:\w+ )?(?:\w+ )?(?:a[ñn]os|meses)|el a[ñn]o pasado|en (?:19|20)\d\d|"
    r"cuando (?:era|ten[ií]a|"
    r"[eé]ramos|ten[ií]amos)|de (?:niñ|pequeñ|chic)[oa]|sol[ií]an?|"
    r"ya no (?:est[aá]|estoy|estamos|est[aá]n|trabaj\w+|viv\w+)|desde hace mucho|"
    r"got out|escaped (?:in|last|years|from)|left (?:that|the) (?:situation|place|farm|house)|"
    r"sal[ií] de|ya sal|ended|termin[oó])\b", _I)
# ... unless it also speaks of now ("she escaped last year but he is looking for her tonight").
_PRESENT: Final = re.compile(
    r"\b(?:right now|(?<!safe )(?<!fine )(?<!okay )(?<!ok )(?<!well )(?<!free )(?<!better )now|still|"
    r"tonight|today|this (?:morning|evening|afternoon)|as we speak|at the moment|again|currently|"
    r"ahora|ahorita|todav[ií]a|sigue|siguen|esta noche|hoy|en este momento|just now|"
    r"(?:\d{1,3}\s*|a few\s+|few\s+)?(?:min|mins|minutes) ago|"
    r"a (?:moment|minute) ago|hace (?:un momento|unos minutos|un rato))\b", _I)
# Stories, news, films and hypothetical questions describe no situation of this signal.
_REPORTED: Final = re.compile(
    r"\b(?:documentar(?:y|ies)|documental|movie|film|pel[ií]cula|news|noticias?|article|art[ií]culo|"
    r"podcast|novels?|novelas?|screenplay|fan ?fic(?:tion)?|tv show|on tv|"
    r"read (?:about|a story|an article|a news)|le[ií] (?:una|un|sobre)|"
    r"reportaje|what (?:should|do|would|can) (?:i|we|you|someone) do if|what if|"
    r"if an? (?:\d+|\w+)[- ]year[- ]old|if an? (?:minor|child|teen|girl|boy|adult)|"
    r"how (?:do|can|would) (?:i|we|you|people) (?:know|tell|recognize|identify|spot)|"
    r"qu[eé] (?:hago|hacemos|hacer) si|si alguien|c[oó]mo (?:s[eé]|saber|identificar|reconocer))\b", _I)


class Segment:
    """One text field of the signal; its sentence and clause boundaries are found when first asked."""

    __slots__ = ("_clauses", "_found", "_memo", "_sentences", "_tokens", "field", "lowered", "text",
                 "verdicts")

    def __init__(self, field: str, text: str) -> None:
        self.field = field
        self.text = text
        self.lowered = text.lower()  # for the literal gates of ``prefilter``; spans refer to ``text``
        self._sentences: tuple[int, ...] | None = None
        self._clauses: tuple[int, ...] | None = None
        # Matches per pattern: several rules ask about the same cue words (SITUATION, TOPIC).
        self._memo: dict[int, list[re.Match[str]]] = {}
        self._found: tuple[int, set[int]] | None = None  # the literal index's version, what it found
        self._tokens: list[str] | None = None
        # The context tests' answers per sentence or clause start (("h", start), ("r", start)): a
        # sentence with several hits is judged once; its answer cannot differ between them.
        self.verdicts: dict[tuple[str, int], bool] = {}

    @classmethod
    def of(cls, field: str, text: str) -> Segment:
        return cls(field, text)

    @property
    def sentences(self) -> tuple[int, ...]:
        if self._sentences is None:
            self._sentences = _starts(_SENTENCE_END, self.text)
        return self._sentences

    @property
    def clauses(self) -> tuple[int, ...]:
        if self._clauses is None:
            self._clauses = _starts(_CLAUSE_END, self.text)
        return self._clauses

    def tokens(self) -> list[str]:
        """``lexicon.tokens`` of the lower-cased text, computed once (ages, language and the
        classifiers all read them). Shared: callers must not change the list."""
        if self._tokens is None:
            self._tokens = tokens(self.lowered)
        return self._tokens

    def finditer(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """``pattern.finditer(text)``, skipped at C speed when its required literals are absent.

        Caseless patterns run without IGNORECASE on the lower-cased text when lower-casing kept
        every offset (it does for all but a few exotic characters), so spans stay valid.
        """
        found = self._memo.get(id(pattern))
        if found is None:
            found = self._memo[id(pattern)] = self._scan(pattern)
        return iter(found)

    def may_match(self, pattern: re.Pattern[str]) -> bool:
        """False only when ``pattern`` certainly cannot match here (none of its literals occurs)."""
        return gate(pattern).may_match_found(self.literals_found())

    def literals_found(self) -> set[int]:
        # Call after ``gate``: a new gate may grow the literal index, and what was found under an
        # older index is found again.
        version = LITERALS.ready()
        found = self._found
        if found is None or found[0] != version:
            found = self._found = (version, LITERALS.found(self.lowered))
        return found[1]

    def _scan(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        # One gate lookup and one look at the literals found per pattern and text: this runs some
        # thirty times a signal, and its calls, not the regular expressions, were most of its cost.
        literal_gate = gate(pattern)
        split = alternatives(literal_gate)  # before the literals are looked for: it may add some
        found = self.literals_found()
        if not literal_gate.may_match_found(found):
            return []
        same_length = len(self.lowered) == len(self.text)
        on_lowered = literal_gate.on_lowered if same_length else None
        if split is not None and (on_lowered is not None or (same_length and not any(
                partner in self.lowered for partner in literal_gate.partners))):
            # Only the alternatives whose literals occur (``triage.alternatives``): the same matches.
            kept = split.kept(found)
            if not kept:
                return []
            lowered = on_lowered is not None
            narrowed = split.pattern(kept, lowered)
            return list(narrowed.finditer(self.lowered if lowered else self.text))
        if on_lowered is not None:
            return list(on_lowered.finditer(self.lowered))
        return list(literal_gate.on_text.finditer(self.text))

    def sentence(self, pos: int) -> tuple[int, int]:
        return _bounds(self.sentences, pos, len(self.text))

    def clause(self, pos: int) -> tuple[int, int]:
        return _bounds(self.clauses, pos, len(self.text))

    def sentence_text(self, pos: int) -> str:
        start, end = self.sentence(pos)
        return self.text[start:end]


_END: Final = methodcaller("end")


def _starts(pattern: re.Pattern[str], text: str) -> tuple[int, ...]:
    return (0, *map(_END, pattern.finditer(text)))


def _bounds(starts: tuple[int, ...], pos: int, length: int) -> tuple[int, int]:
    i = bisect_right(starts, pos) - 1
    end = starts[i + 1] if i + 1 < len(starts) else length
    return starts[i], end


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule's match: where it is and what it read. ``value`` carries an age when there is one."""

    rule_id: str
    segment: Segment
    start: int
    end: int
    value: int | None = None

    @property
    def text(self) -> str:
        return self.segment.text[self.start:self.end]


class Scan:
    """The segments of one signal (subject, narrative) and the context questions rules ask."""

    __slots__ = ("_tokens", "segments")

    def __init__(self, segments: list[Segment]) -> None:
        self.segments = segments
        self._tokens: list[str] | None = None

    def tokens(self) -> list[str]:
        """Lower-case word tokens of every segment (computed once)."""
        if self._tokens is None:
            self._tokens = [t for segment in self.segments for t in segment.tokens()]
        return self._tokens

    @classmethod
    def of(cls, signal: SignalReceived) -> Scan:
        segments = []
        if signal.subject:
            segments.append(Segment.of("subject", signal.subject))
        if signal.narrative:
            segments.append(Segment.of("narrative", signal.narrative))
        return cls(segments)

    def find(self, rule_id: str, pattern: re.Pattern[str], group: int = 0) -> Iterator[Hit]:
        for segment in self.segments:
            for match in segment.finditer(pattern):
                yield Hit(rule_id, segment, match.start(group), match.end(group))

    def any(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        for segment in self.segments:
            for found in segment.finditer(pattern):
                return found
        return None

    def count(self, pattern: re.Pattern[str]) -> int:
        return sum(1 for segment in self.segments for _ in segment.finditer(pattern))

    def any_live(self, pattern: re.Pattern[str]) -> bool:
        """``pattern`` occurs somewhere not negated, not retold and not in a sentence about the past."""
        for segment in self.segments:
            for match in segment.finditer(pattern):
                start = match.start()
                if not (negated(segment, start) or reported(segment, start) or historical(segment, start)):
                    return True
        return False


def negated(segment: Segment, pos: int, words: int = 4) -> bool:
    """A negation cue among the ``words`` words before ``pos`` in the same clause."""
    clause_start, _ = segment.clause(pos)
    before = segment.text[clause_start:pos]
    window = " ".join(before.split()[-words:])
    if not window:
        return False
    cues = list(_NEGATION.finditer(window))
    if not cues:
        return False
    return _UNCERTAIN_AFTER_NEGATION.match(window, cues[-1].end()) is None


def historical(segment: Segment, pos: int) -> bool:
    """The sentence around ``pos`` speaks of the past and not also of now."""
    start, end = segment.sentence(pos)
    key = ("h", start)
    found = segment.verdicts.get(key)
    if found is None:
        sentence = segment.text[start:end]
        found = segment.verdicts[key] = (
            _HISTORICAL.search(sentence) is not None and _PRESENT.search(sentence) is None)
    return found


def recent(segment: Segment, pos: int) -> bool:
    """The sentence around ``pos`` speaks of now ("right now", "just now", "esta noche")."""
    return _PRESENT.search(segment.sentence_text(pos)) is not None


def reported(segment: Segment, pos: int) -> bool:
    """The clause around ``pos`` retells news, a film or a hypothetical, not this signal's situation."""
    start, end = segment.clause(pos)
    key = ("r", start)
    found = segment.verdicts.get(key)
    if found is None:
        found = segment.verdicts[key] = _REPORTED.search(segment.text[start:end]) is not None
    return found


def words_before(segment: Segment, pos: int, chars: int = 40) -> str:
    """Up to ``chars`` characters before ``pos`` within the clause, for prefix tests."""
    clause_start, _ = segment.clause(pos)
    return segment.text[max(clause_start, pos - chars):pos]
