"""Weighted cue words scored from a signal's tokens: words, ``stem*`` prefixes and short phrases.

Scoring a vocabulary of a few hundred cues with one regular expression costs a full scan per
vocabulary; looking tokens up in dictionaries costs a few microseconds. Used where only the sum
of weights matters (trafficking type), not the spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import compress, count
from typing import Final, cast

TOKEN: Final = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_MAX_STEM: Final = 12


class Lexicon:
    def __init__(self, weighted: Iterable[tuple[int, str]]) -> None:
        self._words: dict[str, int] = {}
        self._stems: dict[str, int] = {}
        # Phrases indexed by their first word: most tokens start no phrase and cost one lookup.
        self._phrases: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for weight, cues in weighted:
            for cue in cues.split("|"):
                cue = cue.strip().lower()
                if not cue:
                    continue
                words = tuple(cue.split())
                if len(words) > 1:
                    self._phrases.setdefault(words[0], []).append((words[1:], weight))
                elif cue.endswith("*"):
                    self._stems[cue[:-1]] = weight
                else:
                    self._words[cue] = weight
        self._stem_lengths = sorted({len(s) for s in self._stems if len(s) <= _MAX_STEM})
        self._token_weights: dict[str, int] = {}

    def _weight(self, token: str) -> int:
        weight = self._token_weights.get(token)
        if weight is None:
            weight = self._words.get(token, 0)
            if not weight:
                for n in self._stem_lengths:
                    if n > len(token):
                        break
                    weight = self._stems.get(token[:n], 0)
                    if weight:
                        break
            if len(self._token_weights) < 100_000:  # a bounded cache of the vocabulary seen
                self._token_weights[token] = weight
        return weight

    def score(self, tokens: list[str]) -> int:
        # Whole numbers: the sum is the same in any order, so the words' weights are read in C
        # (from the cache, or each weighed once), then the few tokens that start a phrase.
        cached = list(map(self._token_weights.get, tokens))
        total = sum(map(self._weight, tokens)) if None in cached else sum(cast("list[int]", cached))
        phrases = self._phrases
        for i in compress(count(), map(phrases.__contains__, tokens)):
            for rest, weight in phrases[tokens[i]]:
                if tuple(tokens[i + 1:i + 1 + len(rest)]) == rest:
                    total += weight
        return total


def tokens(lowered: str) -> list[str]:
    return TOKEN.findall(lowered)
