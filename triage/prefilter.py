"""A cheap gate in front of each rule pattern: the literal words any match must contain.

Python's ``re`` tries every alternative at every position, so a rule with fifty alternatives costs
10-20 µs per narrative even when nothing matches, and most rules match nothing in most signals.
``required_literals`` reads a compiled pattern's syntax tree and returns a set of strings such
that every match contains at least one of them; ``Gate`` checks those with ``str.__contains__``
on the lower-cased text (C speed) and runs the regex only when one is present. Derived from the
pattern itself, so a rule edited later keeps a correct gate without anyone maintaining keywords.
"""

from __future__ import annotations

import importlib
import re
from operator import itemgetter
from typing import Any, Final

import ahocorasick

# The parser behind re (public as sre_parse until 3.11, which deprecated that name).
sre_parse: Any = importlib.import_module("re._parser")
sre_constants: Any = importlib.import_module("re._constants")
# The characters IGNORECASE takes for the same letter though lower-casing keeps them apart ("i" and
# the dotless i U+0131, "s" and the long s U+017F, the Greek sigma and final sigma), by code point.
_EXTRA_CASES: dict[int, tuple[int, ...]] = importlib.import_module("re._casefix")._EXTRA_CASES

MIN_USEFUL: Final = 3  # a gate of one- or two-letter strings passes nearly every text: not worth it
_MAX_STRINGS: Final = 64  # the most strings a run of items is spelled out as
_MAX_REPEAT: Final = 3  # "a{0,3}" is spelled out; longer repeats are not

_LITERAL = sre_constants.LITERAL
_SUBPATTERN = sre_constants.SUBPATTERN
_BRANCH = sre_constants.BRANCH
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)
_ZERO_WIDTH = (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT)

Factor = frozenset[str] | None  # None: no literal is required


def _better(a: Factor, b: Factor) -> Factor:
    if a is None:
        return b
    if b is None:
        return a
    return a if (min(map(len, a)), -len(a)) >= (min(map(len, b)), -len(b)) else b


def _sequence(items: Any) -> Factor:
    best: Factor = None
    # The strings the items since the last break can match together, when few: "h-?2[ab]" gives
    # four, where the longest plain literal was "h".
    run: set[str] | None = {""}

    def flush() -> None:
        nonlocal best, run
        if run and min(map(len, run)):
            best = _better(best, frozenset(run))
        run = {""}

    for op, arg in items:
        if op in _ZERO_WIDTH:
            if op is not sre_constants.AT:
                flush()
            continue
        strings = _exact(op, arg)
        if strings is not None:
            product = {a + b for a in run for b in strings} if run is not None else None
            if product is not None and len(product) <= _MAX_STRINGS:
                run = product
                continue
            flush()
            if len(strings) <= _MAX_STRINGS:
                run = set(strings)
                continue
        flush()
        if op is _SUBPATTERN:
            best = _better(best, _sequence(arg[-1]))
        elif op is _BRANCH:
            best = _better(best, _branch(arg[1]))
        elif op in _REPEATS and arg[0] >= 1:
            best = _better(best, _sequence(arg[2]))
    flush()
    return best


def _exact(op: Any, arg: Any) -> frozenset[str] | None:
    """Every string one item can match (lower-case), when they are few; None otherwise."""
    if op is _LITERAL:
        return frozenset({chr(arg).lower()})
    if op is sre_constants.IN:
        chars: set[str] = set()
        for member, value in arg:
            if member is _LITERAL:
                chars.add(chr(value).lower())
            elif member is sre_constants.RANGE and value[1] - value[0] < _MAX_STRINGS:
                chars.update(chr(c).lower() for c in range(value[0], value[1] + 1))
            else:
                return None  # a negation, a category or a wide range
        return frozenset(chars) if len(chars) <= _MAX_STRINGS else None
    if op is _SUBPATTERN:
        return _exact_sequence(arg[-1])
    if op is _BRANCH:
        found: set[str] = set()
        for alternative in arg[1]:
            strings = _exact_sequence(alternative)
            if strings is None:
                return None
            found |= strings
        return frozenset(found) if len(found) <= _MAX_STRINGS else None
    if op in _REPEATS and arg[1] <= _MAX_REPEAT:
        strings = _exact_sequence(arg[2])
        if strings is None:
            return None
        found = {""} if arg[0] == 0 else set()
        repeated = {""}
        for times in range(1, arg[1] + 1):
            repeated = {a + b for a in repeated for b in strings}
            if len(repeated) > _MAX_STRINGS:
                return None
            if times >= arg[0]:
                found |= repeated
        return frozenset(found) if len(found) <= _MAX_STRINGS else None
    return None


def _exact_sequence(items: Any) -> frozenset[str] | None:
    strings = {""}
    for op, arg in items:
        if op is sre_constants.AT:
            continue  # zero-width: a word boundary or a line's edge adds no character
        item = _exact(op, arg)
        if item is None:
            return None
        strings = {a + b for a in strings for b in item}
        if len(strings) > _MAX_STRINGS:
            return None
    return frozenset(strings)


def _branch(alternatives: Any) -> Factor:
    found: set[str] = set()
    for alternative in alternatives:
        factor = _sequence(alternative)
        if factor is None:
            return None
        found |= factor
    return frozenset(found)


def required_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` contains (lower-case), or None."""
    factor = _sequence(sre_parse.parse(pattern.pattern, pattern.flags))
    if factor is None or min(map(len, factor)) < MIN_USEFUL:
        return None
    return factor


_ESCAPE: Final = re.compile(r"\\.")
_CATEGORIES: Final = {
    sre_constants.CATEGORY_DIGIT: r"\d", sre_constants.CATEGORY_NOT_DIGIT: r"\D",
    sre_constants.CATEGORY_WORD: r"\w", sre_constants.CATEGORY_NOT_WORD: r"\W",
    sre_constants.CATEGORY_SPACE: r"\s", sre_constants.CATEGORY_NOT_SPACE: r"\S",
}
_GLOBAL_FLAGS: Final = re.compile(r"\(\?[aiLmsux]+\)")


def _first(items: Any) -> tuple[set[str], bool] | None:
    """The characters the first character of a match of a sequence of items is one of, as pieces of
    a character set (``a``, ``\\U...-\\U...``, ``\\d``), and whether the sequence can match the
    empty string; None when some item is beyond this reading (any character, a negated set)."""
    pieces: set[str] = set()
    for op, arg in items:
        found = _first_of(op, arg)
        if found is None:
            return None
        pieces |= found[0]
        if not found[1]:
            return pieces, False
    return pieces, True


def _first_of(op: Any, arg: Any) -> tuple[set[str], bool] | None:
    if op is _LITERAL:
        return {f"\\U{arg:08x}"}, False
    if op is sre_constants.IN:
        pieces: set[str] = set()
        for member, value in arg:
            if member is _LITERAL:
                pieces.add(f"\\U{value:08x}")
            elif member is sre_constants.RANGE:
                pieces.add(f"\\U{value[0]:08x}-\\U{value[1]:08x}")
            elif member is sre_constants.CATEGORY and value in _CATEGORIES:
                pieces.add(_CATEGORIES[value])
            else:
                return None  # a negated set, or a category the sets above do not name
        return pieces, False
    if op is _SUBPATTERN or op is sre_constants.ATOMIC_GROUP:
        return _first(arg[-1] if op is _SUBPATTERN else arg)
    if op is _BRANCH:
        pieces, empty = set(), False
        for alternative in arg[1]:
            found = _first(alternative)
            if found is None:
                return None
            pieces |= found[0]
            empty = empty or found[1]
        return pieces, empty
    if op in _REPEATS or op is sre_constants.POSSESSIVE_REPEAT:
        found = _first(arg[2])
        return None if found is None else (found[0], found[1] or arg[0] == 0)
    if op in _ZERO_WIDTH:
        return set(), True  # a boundary or a look-around: the next item still starts the match
    return None


def led(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` behind a look-ahead for the characters a match of it can start with.

    The same matches: the look-ahead only refuses positions where no match can start. Python's
    ``re`` otherwise tries every alternative of a long ``\\b(?:...|...)`` at every word's start and
    end; one character test at each position skips most of them (a third off a rule's scan).
    ``pattern`` itself when it can match the empty string, when its first character is beyond
    ``_first``, or when its flags or syntax leave no room in front of it.
    """
    if pattern.flags & re.VERBOSE or _GLOBAL_FLAGS.match(pattern.pattern):
        return pattern
    found = _first(sre_parse.parse(pattern.pattern, pattern.flags))
    if found is None or found[1] or not found[0]:
        return pattern
    return re.compile(f"(?=[{''.join(sorted(found[0]))}])(?:{pattern.pattern})", pattern.flags)


_GROUP_NAME: Final = re.compile(r"\(\?P(?:<\w+>|=\w+\))")


def _caseless(pattern: re.Pattern[str]) -> bool:
    """IGNORECASE, and no upper-case letter named outside escapes and group names, and no part
    that turns IGNORECASE off: the pattern matches the same without IGNORECASE on lower-cased text
    but for the characters ``case_partners`` names."""
    source = _GROUP_NAME.sub("", pattern.pattern)
    return bool(pattern.flags & re.IGNORECASE) and "(?-i" not in source and not any(
        c.isupper() for c in _ESCAPE.sub("", source))


def _characters(items: Any, out: set[str]) -> None:
    """Every character a pattern's syntax tree names in a literal or a set (ranges spelled out)."""
    for op, arg in items:
        if op is _LITERAL or op is sre_constants.NOT_LITERAL:
            out.add(chr(arg))
        elif op is sre_constants.IN:
            for member, value in arg:
                if member is _LITERAL:
                    out.add(chr(value))
                elif member is sre_constants.RANGE:
                    out.update(map(chr, range(value[0], value[1] + 1)))
        elif op is _SUBPATTERN:
            _characters(arg[-1], out)
        elif op is _BRANCH:
            for alternative in arg[1]:
                _characters(alternative, out)
        elif op in _REPEATS:
            _characters(arg[2], out)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            _characters(arg[1], out)
        elif op is sre_constants.GROUPREF_EXISTS:
            _characters(arg[1], out)
            if arg[2] is not None:
                _characters(arg[2], out)


def case_partners(pattern: re.Pattern[str]) -> frozenset[str]:
    """The characters that IGNORECASE matches to a character of ``pattern`` though their lower case
    differs from it (the dotless i for an "i"): where the lower-cased text holds none, ``pattern``
    finds on the original text what its ``Gate.on_lowered`` finds on the lower-cased one."""
    named: set[str] = set()
    _characters(sre_parse.parse(pattern.pattern, pattern.flags), named)
    return frozenset(chr(partner) for c in named for partner in _EXTRA_CASES.get(ord(c.lower()), ()))


class _LiteralIndex:
    """Every gate's literals in one Aho-Corasick automaton: one pass over a text finds which occur.

    Checking each gate's literals with ``in`` cost about 130 µs per signal for the 46 rule
    patterns (each literal is a scan of the whole text); one automaton pass costs about 7 µs.
    Gates are made lazily, so the automaton is rebuilt when a new gate brings new literals, and a
    text's findings are kept with the index version they were made under.
    """

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._automaton: Any = None
        self.version = 0

    def ids(self, literals: frozenset[str]) -> frozenset[int]:
        for literal in literals:
            if literal not in self._ids:
                self._ids[literal] = len(self._ids)
                self._automaton = None
        return frozenset(self._ids[literal] for literal in literals)

    def ready(self) -> int:
        """The automaton's version, rebuilt first if a gate brought new literals since."""
        if self._automaton is None:
            automaton = ahocorasick.Automaton()
            for literal, index in self._ids.items():
                automaton.add_word(literal, index)
            if self._ids:
                automaton.make_automaton()
            self._automaton = automaton
            self.version += 1
        return self.version

    def found(self, lowered: str) -> set[int]:
        """The ids of the literals in ``lowered`` (call ``ready`` first)."""
        if not self._ids:
            return set()
        return set(map(_VALUE, self._automaton.iter(lowered)))  # (end, id) pairs, read in C


_VALUE: Final = itemgetter(1)
LITERALS: Final = _LiteralIndex()


class Gate:
    """``may_match(lowered_text)``: False only when ``pattern`` certainly cannot match.

    ``on_text`` is the pattern to scan the text with: the same matches, faster (``led``).
    ``on_lowered`` is the same pattern without IGNORECASE, to run on the lower-cased text (case
    folding doubles the cost of a scan), or None when the pattern names upper-case characters or
    turns IGNORECASE off in part. ``partners``: its ``case_partners`` (made when first asked).
    """

    __slots__ = ("_ids", "_literals", "_partners", "on_lowered", "on_text", "pattern")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        literals = required_literals(pattern)
        self._literals = None if literals is None else tuple(sorted(literals, key=len))
        self._ids = None if literals is None else LITERALS.ids(literals)
        self.on_text = led(pattern)
        self.on_lowered = (led(re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE))
                           if _caseless(pattern) else None)
        self._partners: frozenset[str] | None = None

    @property
    def partners(self) -> frozenset[str]:
        if self._partners is None:
            self._partners = case_partners(self.pattern)
        return self._partners

    def may_match_found(self, found: set[int]) -> bool:
        """``may_match`` from the literals ``LITERALS.found`` saw in the text (one pass for every gate)."""
        return self._ids is None or not self._ids.isdisjoint(found)

    def may_match(self, lowered: str) -> bool:
        if self._literals is None:
            return True
        for literal in self._literals:  # noqa: SIM110 - a plain loop is twice as fast as any() here
            if literal in lowered:
                return True
        return False


# Keyed by id: hashing a compiled pattern hashes its source on every lookup. Patterns are
# module constants, alive for the process, so their ids are never reused.
_GATES: dict[int, Gate] = {}


def gate(pattern: re.Pattern[str]) -> Gate:
    found = _GATES.get(id(pattern))
    if found is None or found.pattern is not pattern:
        found = _GATES[id(pattern)] = Gate(pattern)
    return found
