"""Weighted cue words scored from a signal's tokens: words, ``stem*`` prefixes and short phrases.

Scoring a vocabulary of a few hundred cues with one regular expression costs a full scan per
vocabulary; looking tokens up in dictionaries costs a few microseconds. Used where only the sum
of weights matters (trafficking type), not the spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

TOKEN: Final = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_MAX_STEM: Final = 12


class Lexicon:
    def __init__(self, weighted: Iterable[tuple[int, str]]) -> None:
        self._words: dict[str, int] = {}
        self._stems: dict[str, int] = {}
        self._phrases: dict[tuple[str, ...], int] = {}
        self._phrase_lengths: set[int] = set()
        for weight, cues in weighted:
            for cue in cues.split("|"):
                cue = cue.strip().lower()
                if not cue:
                    continue
                words = tuple(cue.split())
                if len(words) > 1:
                    self._phrases[words] = weight
                    self._phrase_lengths.add(len(words))
                elif cue.endswith("*"):
                    self._stems[cue[:-1]] = weight
                else:
                    self._words[cue] = weight
        self._stem_lengths = sorted({len(s) for s in self._stems})

    def score(self, tokens: list[str]) -> int:
        total = 0
        words, stems = self._words, self._stems
        for token in tokens:
            hit = words.get(token)
            if hit is None:
                for n in self._stem_lengths:
                    if n > len(token) or n > _MAX_STEM:
                        break
                    hit = stems.get(token[:n])
                    if hit is not None:
                        break
            if hit is not None:
                total += hit
        for n in self._phrase_lengths:
            for i in range(len(tokens) - n + 1):
                total += self._phrases.get(tuple(tokens[i:i + n]), 0)
        return total


def tokens(lowered: str) -> list[str]:
    return TOKEN.findall(lowered)
