"""A rule pattern narrowed to the top-level alternatives that can match a given text.

A rule written as ``A|B|C|...`` with thirty alternatives is tried alternative by alternative at
every position of the text once its literal gate (``prefilter.Gate``) lets it through, and one
common word ("this", "safe", "not") is enough to let it through. Each alternative has literals of
its own: one none of whose literals occurs in the text cannot match anywhere in it, so leaving it
out changes no match (``finditer`` takes, at each position, the first alternative that matches
there, and a left-out one matches nowhere). The narrowed pattern runs only the alternatives left.

Only patterns without groups (a group's number would change) and without global inline flags or
VERBOSE (their source cannot be cut at its bars) are split. On the original text, IGNORECASE
also matches characters that lower-casing keeps apart (``prefilter.case_partners``): where the
lower-cased text holds one of the pattern's, or lower-casing moved offsets, the whole pattern runs.
"""

from __future__ import annotations

import re
from typing import Final

from triage.prefilter import LITERALS, Gate, led, required_literals

_GLOBAL_FLAGS: Final = re.compile(r"\(\?[aiLmsux]+\)")
_WRAPPED: Final = re.compile(r"(?P<before>(?:\\b)?)\(\?:(?P<inner>.*)\)(?P<after>(?:\\b)?)", re.DOTALL)
# Narrowed patterns kept per rule: texts let few alternatives through, in few combinations; past
# this many, the rest run whole (the same matches, without a compile per new combination).
_MAX_NARROWED: Final = 128


def top_level(source: str) -> list[str] | None:
    """``source`` cut at the bars outside any group or character set (itself alone when none);
    None when its parentheses do not pair up."""
    parts: list[str] = []
    depth, in_set, start, i = 0, False, 0, 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if in_set:
            in_set = char != "]"
        elif char == "[":
            in_set = True
            i += 2 if source.startswith("^]", i + 1) else 1 if source.startswith(("^", "]"), i + 1) else 0
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
        elif char == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    return parts if depth == 0 and not in_set else None


def _wrapped(source: str) -> tuple[str, list[str], str] | None:
    """A pattern of one group of alternatives between word boundaries, ``\\b(?:A|B|C)\\b``, as the
    boundary before, the alternatives and the boundary after; None when it is not one."""
    found = _WRAPPED.fullmatch(source)
    if found is None:
        return None
    parts = top_level(found["inner"])
    if parts is None or len(parts) < 2:
        return None
    return found["before"], parts, found["after"]


class Alternatives:
    """The top-level alternatives of one gated pattern, each with its literals' ids as a bit mask."""

    __slots__ = ("_always", "_around", "_gate", "_ids", "_masks", "_narrowed", "_parts", "everything")

    def __init__(self, literal_gate: Gate, parts: list[str], around: tuple[str, str] | None = None) -> None:
        self._gate = literal_gate
        self._parts = parts
        self._around = around  # the boundaries of a pattern that is one group of alternatives
        self._always = 0  # the alternatives with no literal to look for: always kept
        self._masks: dict[int, int] = {}  # literal id: the alternatives it lets through
        for i, part in enumerate(parts):
            literals = required_literals(re.compile(part, literal_gate.pattern.flags))
            if literals is None:
                self._always |= 1 << i
                continue
            for literal_id in LITERALS.ids(literals):
                self._masks[literal_id] = self._masks.get(literal_id, 0) | 1 << i
        self._ids = frozenset(self._masks)
        self.everything = (1 << len(parts)) - 1
        self._narrowed: dict[tuple[int, bool], re.Pattern[str]] = {}

    def kept(self, found: set[int]) -> int:
        """The alternatives (a bit each) that the literals found in a text let through."""
        mask, masks = self._always, self._masks
        for literal_id in self._ids.intersection(found):
            mask |= masks[literal_id]
        return mask

    def pattern(self, mask: int, lowered: bool) -> re.Pattern[str]:
        """The pattern of the alternatives in ``mask``, for the lower-cased text (``Gate.on_lowered``)
        or the original one (``Gate.on_text``); the whole pattern when ``mask`` keeps them all."""
        literal_gate = self._gate
        whole = literal_gate.on_lowered if lowered else literal_gate.on_text
        if whole is None:
            raise ValueError(f"no pattern for lower-cased text: {literal_gate.pattern.pattern[:40]!r}")
        if mask == self.everything:
            return whole
        found = self._narrowed.get((mask, lowered))
        if found is None:
            if len(self._narrowed) >= _MAX_NARROWED:
                return whole
            flags = literal_gate.pattern.flags & ~re.IGNORECASE if lowered else literal_gate.pattern.flags
            source = "|".join(part for i, part in enumerate(self._parts) if mask >> i & 1)
            if self._around is not None:
                source = f"{self._around[0]}(?:{source}){self._around[1]}"
            found = self._narrowed[(mask, lowered)] = led(re.compile(source, flags))
        return found


_SPLIT: dict[int, tuple[Gate, Alternatives | None]] = {}


def alternatives(literal_gate: Gate) -> Alternatives | None:
    """``split(literal_gate)``, made once per gate. Call before ``LITERALS.ready``: the alternatives'
    literals join the literal index."""
    found = _SPLIT.get(id(literal_gate))
    if found is None or found[0] is not literal_gate:  # the gate is kept: its id is not reused
        found = _SPLIT[id(literal_gate)] = (literal_gate, split(literal_gate))
    return found[1]


def split(literal_gate: Gate) -> Alternatives | None:
    """The alternatives of ``literal_gate``'s pattern, or None when it is not split (one alternative,
    groups, global flags or VERBOSE)."""
    pattern = literal_gate.pattern
    if pattern.groups or pattern.flags & re.VERBOSE or _GLOBAL_FLAGS.search(pattern.pattern):
        return None
    parts = top_level(pattern.pattern)
    wrapped = _wrapped(pattern.pattern) if parts is not None and len(parts) == 1 else None
    try:
        if wrapped is not None:
            before, inner, after = wrapped
            return Alternatives(literal_gate, inner, (before, after))
        if parts is not None and len(parts) > 1:
            return Alternatives(literal_gate, parts)
    except re.error:  # an alternative that is no pattern alone: run the pattern whole
        return None
    return None
