"""The learned part of triage: one small linear model over ``features``, loaded once, scored per signal.

The artefact is made by ``hotline-triage train`` from the labelled corpus (``triage.training``) and
committed: a gzip stream (no timestamp, so the same corpus and seed give the same bytes) holding a
JSON header (feature names, heads, classes, thresholds, the corpus digest and the dev figures) and
the float32 weight matrix. Scoring needs numpy only: a dictionary lookup per feature and one
gathered sum, so that loading takes well under a second and a signal a few tens of microseconds.

Heads: ``minor`` and ``imminent_danger`` (logistic, with thresholds chosen on the dev split for
recall first), ``call_type`` over the six non-crisis types (crisis is imminent danger, by the
labelling guide), ``trafficking_type`` over its five values. The header may also hold a second
look at a flag (``triage.second_look``): boosted trees over the heads' outputs and the extractors'
findings, whose probability the flag's threshold is then for (``flag_probability``).
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Final, cast

import numpy as np
import numpy.typing as npt

from triage.features import token_features
from triage.second_look import SecondLook

MAGIC: Final = b"HOTLINE-TRIAGE-MODEL/1\n"
DEFAULT_PATH: Final = Path(__file__).resolve().parent / "model" / "triage.model"
TEXT_PREFIXES: Final = ("w:", "b:", "c:")
Rows = tuple[int, ...]
_WORD_CACHE: Final = 200_000  # words kept with their rows; beyond this, looked up every time


class ModelError(RuntimeError):
    """The model artefact is missing or unreadable."""


@dataclass(frozen=True)
class Head:
    name: str
    classes: tuple[str, ...]
    start: int  # first column in the weight matrix; binary heads have one column

    @property
    def binary(self) -> bool:
        return len(self.classes) == 1

    @property
    def columns(self) -> slice:
        return slice(self.start, self.start + len(self.classes))


@dataclass(frozen=True)
class Scores:
    """One signal's model outputs, and what is needed to explain them."""

    logits: npt.NDArray[np.float32]
    text_rows: tuple[int, ...]  # the known text features present, for reasons
    text_scale: float

    def probability(self, head: Head) -> float:
        z = float(self.logits[head.start])
        return 1.0 / (1.0 + math.exp(-z))

    def most_likely(self, head: Head, leaving_out: str | None = None) -> str:
        """The class ``distribution`` gives the highest probability (the first of equals), but for
        ``leaving_out``: the softmax keeps the logits' order, so their largest decides, and
        assessment skips computing the probabilities it does not show."""
        best, best_logit = "", -math.inf
        for cls, logit in zip(head.classes, self.logits[head.columns].tolist(), strict=True):
            if cls != leaving_out and (not best or logit > best_logit):
                best, best_logit = cls, logit
        return best

    def distribution(self, head: Head) -> dict[str, float]:
        # The ufuncs' reductions are what ndarray.max() and .sum() call, without their Python
        # wrappers; tolist() gives the same floats as float() of each element.
        z = self.logits[head.columns].astype(np.float64)
        e = np.exp(z - np.maximum.reduce(z))
        p = e / np.add.reduce(e)
        return dict(zip(head.classes, p.tolist(), strict=True))


class TriageModel:
    def __init__(self, header: dict[str, Any], weights: npt.NDArray[np.float32]) -> None:
        self.header = header
        self.version: str = header["version"]
        self.names: list[str] = header["features"]
        self.index: dict[str, int] = {name: i for i, name in enumerate(self.names)}
        # Two lookups instead of one and a test per feature: the text's and the extractors' rows.
        self.text_index = {n: i for n, i in self.index.items() if n.startswith(TEXT_PREFIXES)}
        self.other_index = {n: i for n, i in self.index.items() if not n.startswith(TEXT_PREFIXES)}
        self.weights = weights
        self.bias = np.asarray(header["bias"], dtype=np.float32)
        self.heads: dict[str, Head] = {h["name"]: Head(h["name"], tuple(h["classes"]), h["start"])
                                       for h in header["heads"]}
        self.thresholds: dict[str, float] = header["thresholds"]
        # Flags whose probability is the second look's (``triage.second_look``), not the head's own.
        self.second_looks: dict[str, SecondLook] = {
            raw["head"]: SecondLook.from_header(raw) for raw in header.get("second_looks", [])}
        # The extractors' findings count for this much each; the text's features share a norm of one.
        self.x_scale = float(header.get("x_scale", 1.0))
        self.bigram_index = {n[2:]: i for n, i in self.text_index.items() if n.startswith("b:")}
        # The same pairs by first word then second: a pair of tokens is looked up without joining
        # them. Tokens hold no "_", so a name of exactly two parts is the only one a pair can match.
        self.bigram_pairs: dict[str, dict[str, int]] = {}
        for pair, row in self.bigram_index.items():
            parts = pair.split("_")
            if len(parts) == 2:
                self.bigram_pairs.setdefault(parts[0], {})[parts[1]] = row
        # Rows whose name can be shown to a person as a reason (words and small numbers).
        self.showable = np.array([n[:2] in ("w:", "b:") and _showable(n[2:]) for n in self.names], dtype=bool)
        # A word's own rows (the word and its n-grams) are the same every time it is seen: kept per word.
        self._word_rows: dict[str, Rows] = {}
        # The names ``first_look`` gives each head's numbers, made once.
        self._look_names = tuple(
            (head, (f"p:{head.name}",) if head.binary else tuple(f"d:{head.name}.{c}" for c in head.classes))
            for head in self.heads.values())

    # ------------------------------------------------------------------ loading and saving

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> TriageModel:
        try:
            raw = gzip.decompress(path.read_bytes())
        except (OSError, EOFError) as error:
            raise ModelError(f"cannot read the triage model {path}: {error}") from None
        if not raw.startswith(MAGIC):
            raise ModelError(f"{path} is not a triage model")
        header_end = raw.index(b"\n", len(MAGIC))
        header = json.loads(raw[len(MAGIC):header_end])
        n_rows, n_cols = len(header["features"]), len(header["bias"])
        weights = np.frombuffer(raw, dtype="<f4", offset=header_end + 1).reshape(n_rows, n_cols)
        # Copied out of the buffer: the header's length leaves the view unaligned, and numpy gathers
        # rows from an unaligned array several times slower.
        weights = weights.astype(np.float32, copy=True)
        weights.flags.writeable = False
        return cls(header, weights)

    @staticmethod
    def dump(header: dict[str, Any], weights: npt.NDArray[np.float32]) -> bytes:
        body = MAGIC + json.dumps(header, sort_keys=True, separators=(",", ":")).encode() + b"\n"
        body += np.ascontiguousarray(weights, dtype="<f4").tobytes()
        return gzip.compress(body, compresslevel=9, mtime=0)

    # ------------------------------------------------------------------ scoring

    def score(self, features: list[str]) -> Scores:
        # Sorted: a sum in float32 depends on its order, and a set's order on the hash seed.
        text_index, other_index = self.text_index, self.other_index
        text_rows = set(map(text_index.get, features))
        text_rows.discard(None)
        other_rows = set(map(other_index.get, features))
        other_rows.discard(None)
        text = sorted(r for r in text_rows if r is not None)
        other = sorted(r for r in other_rows if r is not None)
        return self._scores(np.array(text, dtype=np.intp), other)

    def score_words(self, tokens: list[str], extracted: list[str]) -> Scores:
        """``score(features(...))`` without building every feature name: the same rows, the same sums."""
        cache = self._word_rows
        distinct = set(tokens)
        cached = list(map(cache.get, distinct))
        # Words not seen before: their rows are looked up once, then kept.
        known = [self._rows_of(token) for token in distinct] if None in cached else cast("list[Rows]", cached)
        text_rows: set[int] = set().union(*known)
        pairs = self.bigram_pairs
        for first, second in pairwise(tokens):
            following = pairs.get(first)
            if following is not None:
                row = following.get(second)
                if row is not None:
                    text_rows.add(row)
        other = sorted({i for i in map(self.other_index.get, extracted) if i is not None})
        rows = np.fromiter(text_rows, dtype=np.intp, count=len(text_rows))
        rows.sort()  # numpy's sort of a few hundred rows is faster than sorted()'s
        return self._scores(rows, other)

    def _rows_of(self, token: str) -> Rows:
        """A word's own rows (the word and its n-grams), kept per word up to ``_WORD_CACHE`` words."""
        rows = self._word_rows.get(token)
        if rows is None:
            index = self.text_index
            rows = tuple(i for i in map(index.get, token_features(token)) if i is not None)
            if len(self._word_rows) < _WORD_CACHE:
                self._word_rows[token] = rows
        return rows

    def _scores(self, rows: npt.NDArray[np.intp], other: list[int]) -> Scores:
        """``rows``: the text's rows in ascending order (a sum in float32 depends on its order)."""
        text: tuple[int, ...] = tuple(rows.tolist())
        scale = 1.0 / math.sqrt(len(text)) if text else 0.0
        logits = self.bias.copy()
        if text:
            # np.add.reduce is what ndarray.sum calls, without its Python wrapper: the same sums;
            # take() gathers the same rows as indexing, faster.
            logits += np.add.reduce(self.weights.take(rows, axis=0), axis=0) * scale
        if other:
            logits += np.add.reduce(self.weights.take(other, axis=0), axis=0) * self.x_scale
        return Scores(logits=logits, text_rows=text, text_scale=scale)

    def first_look(self, scores: Scores) -> dict[str, float]:
        """The numbers a second look reads: each flag's log-odds, each class head's distribution."""
        out: dict[str, float] = {}
        for head, names in self._look_names:
            if head.binary:
                out[names[0]] = float(scores.logits[head.start])
            else:
                out.update(zip(names, scores.distribution(head).values(), strict=True))
        return out

    def flag_probability(self, head_name: str, scores: Scores, extracted: list[str]) -> float:
        """The probability a flag's threshold is for: the second look's where there is one, else the
        head's. ``extracted``: the extractors' features the scores were made with."""
        look = self.second_looks.get(head_name)
        if look is None:
            return scores.probability(self.heads[head_name])
        return look.probability(look.values(self.first_look(scores), extracted))

    def reasons(self, scores: Scores, head: Head, cls: str | None = None, top: int = 3) -> list[str]:
        """The words (and word pairs) present that pushed ``head`` (its class ``cls``) up the most."""
        column = head.start if cls is None else head.start + head.classes.index(cls)
        rows = np.fromiter(scores.text_rows, dtype=np.intp, count=len(scores.text_rows))
        words = rows[self.showable[rows]]
        if not len(words):
            return []
        contributions = self.weights[words, column]
        order = np.argsort(-contributions, kind="stable")[:top]
        # The top few read out as Python numbers at once, not an array element at a time.
        best = zip(words[order].tolist(), contributions[order].tolist(), strict=True)
        return [self.names[row][2:] for row, weight in best if weight > 0]


def _showable(term: str) -> bool:
    """Words and small numbers (an age) only: never a phone number or the digits of an address."""
    return all(part.isalpha() or (part.isdigit() and len(part) <= 2) for part in term.split("_"))


@cache
def default_model() -> TriageModel:
    return TriageModel.load(DEFAULT_PATH)
