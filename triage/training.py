"""``hotline-triage train``: the model fitted from the labelled corpus, reproducibly; thresholds from dev.

The corpus (``triage/corpus``) is JSON lines in the shape ``classify`` reads, with ``labels``;
``train/`` fits the weights, ``dev/`` chooses the two flags' thresholds (the highest that keeps
recall at or above the target, recall first), ``blind/`` holds batches waiting for their one
first score (see ``triage/corpus/README.md``) and is never read here. The same corpus, seed and
code give the same artefact, byte for byte: features are sorted, solvers are deterministic, the
artefact has no timestamp.

Imports scikit-learn, so only this command pays for it; assessment needs numpy alone.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from contracts.events import CallType
from triage.extract import extract
from triage.features import extracted_features, features, words
from triage.model import TEXT_PREFIXES, TriageModel
from triage.offline import signal_from_line
from triage.second_look_training import DevRow, fit_second_look, out_of_fold

CORPUS: Final = Path(__file__).resolve().parent / "corpus"
SPLITS: Final = ("train", "dev", "blind")
NOW: Final = datetime(2026, 3, 16, 14, 30, tzinfo=UTC)  # fixed, so that features never depend on the clock
# Above the 0.97 asked for: blind batches have scored 2-5 points under dev (rounds 42 to 44 at first
# score: 0.956 and 0.962 against dev's 0.980 and 0.986). Raised from 0.98 and 0.985 after round 45
# by a rule fixed before it was read (a miss fewer there for one false flag more); the signals just
# under the threshold go to a person at P2 (low_confidence).
RECALL_TARGETS: Final = {"minor": 0.985, "imminent_danger": 0.99}
CALL_TYPES: Final = tuple(c.value for c in CallType if c is not CallType.CRISIS)
TRAFFICKING_TYPES: Final = ("sex", "labor", "both", "unknown", "none")


@dataclass(frozen=True)
class Case:
    id: str
    line: dict[str, Any]
    split: str
    source: str

    @property
    def labels(self) -> dict[str, Any]:
        labels: dict[str, Any] = self.line["labels"]
        return labels


@dataclass
class Settings:
    seed: int = 0
    c_flags: float = 16.0
    # Each flag's head is two fits averaged in their log-odds (so still one linear head): the plain
    # one, and one over the features scaled by their log-count ratio on the training labels (a
    # naive-Bayes weighting, as in Wang and Manning's NB-SVM), smoothed by ``nb_alpha``; ``nb_share``
    # is the second's part. None: the plain fit alone.
    nb_alpha: float | None = 1.0
    c_nb: float = 64.0
    nb_share: float = 0.5
    c_classes: float = 16.0
    min_df: int = 2
    # What one extractor finding weighs against the text's words and n-grams (whose norm is one):
    # at 1.0 the rules' findings drown the words and the model learns little else (dev, 2026-12).
    x_scale: float = 0.06
    recall_targets: dict[str, float] = field(default_factory=lambda: dict(RECALL_TARGETS))
    # The second look (``triage.second_look``) at these flags: boosted trees fitted on dev, their
    # threshold from out-of-fold probabilities. On rounds 48, 49, 51 and 52 (1,920 cases none of it had
    # seen) false flags fell from 184 to 132 and misses from 15 to 12; for the minor flag it gained nothing.
    second_look: tuple[str, ...] = ("imminent_danger",)
    look_trees: int = 100
    look_rate: float = 0.1
    look_leaves: int = 7
    look_min_count: int = 10  # an extractor feature the trees may test is present in this many dev cases
    look_folds: int = 5
    look_repeats: int = 3  # the out-of-fold probabilities averaged over this many different splits
    progress: Callable[[str], None] = field(default=lambda _: None)


def load_corpus(root: Path = CORPUS, splits: Sequence[str] = ("train", "dev")) -> list[Case]:
    cases: list[Case] = []
    seen: set[str] = set()
    for split in splits:
        for path in sorted((root / split).glob("*.jsonl")):
            for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if not raw.strip():
                    continue
                line = json.loads(raw)
                case_id = str(line.get("id") or f"{path.name}:{number}")
                if case_id in seen:
                    raise ValueError(f"{path}:{number}: case id {case_id} is in the corpus twice")
                if not isinstance(line.get("labels"), dict):
                    raise ValueError(f"{path}:{number}: a corpus line needs 'labels'")
                seen.add(case_id)
                cases.append(Case(case_id, line, split, path.name))
    return cases


def corpus_digest(cases: Iterable[Case]) -> str:
    digest = hashlib.sha256()
    for case in sorted(cases, key=lambda c: c.id):
        digest.update(json.dumps([case.split, case.line], sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def case_features(line: dict[str, Any]) -> list[str]:
    signal = signal_from_line(line, now=NOW)
    return features(signal, extract(signal).found, words(signal))


class Matrix:
    """Feature lists as a sparse matrix over a fixed vocabulary, scaled as ``TriageModel.score`` scales."""

    def __init__(self, vocabulary: list[str], x_scale: float) -> None:
        self.vocabulary = vocabulary
        self.x_scale = x_scale
        self.index = {name: i for i, name in enumerate(vocabulary)}
        self.is_text = [name.startswith(TEXT_PREFIXES) for name in vocabulary]

    def build(self, rows: Sequence[list[str]]) -> Any:
        from scipy.sparse import csr_matrix

        data: list[float] = []
        indices: list[int] = []
        indptr = [0]
        for feats in rows:
            present = sorted({self.index[f] for f in feats if f in self.index})
            text = [i for i in present if self.is_text[i]]
            scale = 1.0 / math.sqrt(len(text)) if text else 0.0
            for i in present:
                indices.append(i)
                data.append(scale if self.is_text[i] else self.x_scale)
            indptr.append(len(indices))
        return csr_matrix((np.asarray(data, dtype=np.float64), indices, indptr),
                          shape=(len(rows), len(self.vocabulary)))


def vocabulary_of(rows: Sequence[list[str]], min_df: int) -> list[str]:
    df: Counter[str] = Counter()
    for feats in rows:
        df.update(set(feats))
    return sorted(f for f, n in df.items() if n >= (min_df if f.startswith(TEXT_PREFIXES) else 1))


def fit(train: Sequence[Case], dev: Sequence[Case],
        settings: Settings) -> tuple[dict[str, Any], npt.NDArray[np.float32]]:
    """The model's header and weights: fitted on ``train``, thresholds from ``dev``."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    # One BLAS thread: parallel sums add in a different order from run to run, and the last bits
    # of the weights (so the artefact's hash) would change with them.
    with threadpool_limits(limits=1):
        return _fit(train, dev, settings, LogisticRegression)


def _fit(train: Sequence[Case], dev: Sequence[Case], settings: Settings,
         LogisticRegression: Any) -> tuple[dict[str, Any], npt.NDArray[np.float32]]:
    settings.progress(f"features of {len(train)} training and {len(dev)} dev cases")
    train_rows = [case_features(c.line) for c in train]
    vocabulary = vocabulary_of(train_rows, settings.min_df)
    matrix = Matrix(vocabulary, settings.x_scale)
    x = matrix.build(train_rows)
    settings.progress(f"{len(vocabulary)} features")
    columns: list[npt.NDArray[np.float64]] = []
    biases: list[float] = []
    heads: list[dict[str, Any]] = []

    def add_head(name: str, classes: Sequence[str], coef: npt.NDArray[np.float64],
                 bias: npt.NDArray[np.float64]) -> None:
        heads.append({"name": name, "classes": list(classes), "start": len(biases)})
        columns.extend(coef)
        biases.extend(float(b) for b in bias)

    for name in ("minor", "imminent_danger"):
        settings.progress(f"fitting {name}")
        y = np.array([bool(c.labels[name]) for c in train])
        add_head(name, ["true"], *flag_head(x, y, settings, LogisticRegression))
    for name, classes in (("call_type", CALL_TYPES), ("trafficking_type", TRAFFICKING_TYPES)):
        settings.progress(f"fitting {name}")
        keep = [i for i, c in enumerate(train) if c.labels[name] in classes]
        y_class = np.array([classes.index(train[i].labels[name]) for i in keep])
        model = LogisticRegression(C=settings.c_classes, solver="lbfgs", max_iter=3000,
                                   random_state=settings.seed)
        model.fit(x[keep], y_class)
        coef, bias = _all_classes(model, len(classes))
        add_head(name, classes, coef, bias)
    weights = np.ascontiguousarray(np.stack(columns, axis=1), dtype=np.float32)
    header: dict[str, Any] = {
        "features": vocabulary, "heads": heads, "bias": biases, "x_scale": settings.x_scale,
        "thresholds": {"minor": 0.5, "imminent_danger": 0.5},
        "corpus": {"train_cases": len(train), "dev_cases": len(dev),
                   "digest": corpus_digest([*train, *dev])},
        "settings": {"seed": settings.seed, "c_flags": settings.c_flags, "c_classes": settings.c_classes,
                     "nb_alpha": settings.nb_alpha, "c_nb": settings.c_nb, "nb_share": settings.nb_share,
                     "min_df": settings.min_df, "x_scale": settings.x_scale,
                     "recall_targets": settings.recall_targets},
    }
    header["version"] = _version(header, weights)
    provisional = TriageModel(header, weights)
    settings.progress("the second look and the thresholds, on dev")
    rows = dev_rows(provisional, dev)
    probabilities = {name: np.array([r.scores.probability(provisional.heads[name]) for r in rows])
                     for name in ("minor", "imminent_danger")}
    looks = []
    for name in settings.second_look:
        look, probabilities[name] = fit_second_look(provisional, rows, name, settings)
        looks.append(look)
    header["thresholds"] = choose_thresholds(provisional, rows, probabilities, settings.recall_targets)
    if looks:
        header["second_looks"] = [
            {**look.to_header(), "dev": out_of_fold(provisional, rows, look.head, probabilities[look.head],
                                                    header["thresholds"][look.head])}
            for look in looks]
    header["version"] = _version(header, weights)
    return header, weights


def dev_rows(model: TriageModel, dev: Sequence[Case]) -> list[DevRow]:
    rows = []
    for case in dev:
        signal = signal_from_line(case.line, now=NOW)
        extraction = extract(signal)
        scores = model.score(features(signal, extraction.found, words(signal)))
        rows.append(DevRow(case.labels, extraction, scores, extracted_features(signal, extraction.found)))
    return rows


def flag_head(x: Any, y: npt.NDArray[np.bool_], settings: Settings,
              LogisticRegression: Any) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """A flag's weights and bias: the plain fit, or (``nb_alpha`` set) the plain fit and the
    naive-Bayes-weighted one averaged in their log-odds, ``nb_share`` the second's part. The second
    is fitted on the features scaled by their log-count ratio and stored on the plain ones, so the
    head is one set of weights: assessment and the evidence (weight times feature) are unchanged."""
    from scipy.sparse import diags

    plain = LogisticRegression(C=settings.c_flags, class_weight="balanced", solver="liblinear",
                               random_state=settings.seed, max_iter=1000).fit(x, y)
    if settings.nb_alpha is None:
        return plain.coef_, plain.intercept_
    ratio = log_count_ratio(x, y, settings.nb_alpha)
    weighted = LogisticRegression(C=settings.c_nb, class_weight="balanced", solver="liblinear",
                                  random_state=settings.seed, max_iter=1000).fit(x @ diags(ratio), y)
    share = settings.nb_share
    return ((1 - share) * plain.coef_ + share * weighted.coef_ * ratio,
            (1 - share) * plain.intercept_ + share * weighted.intercept_)


def log_count_ratio(x: Any, y: npt.NDArray[np.bool_], alpha: float) -> npt.NDArray[np.float64]:
    """Per feature, log of how much likelier it is among the positive cases than the negative ones
    (presence counted, ``alpha`` added to every count): the naive-Bayes weight of the feature."""
    present = x > 0
    p = alpha + np.asarray(present[y].sum(axis=0), dtype=np.float64).ravel()
    q = alpha + np.asarray(present[~y].sum(axis=0), dtype=np.float64).ravel()
    return np.asarray(np.log((p / p.sum()) / (q / q.sum())), dtype=np.float64)


def _version(header: dict[str, Any], weights: npt.NDArray[np.float32]) -> str:
    """``m`` and the first hex digits of the artefact's digest (with an empty version in it)."""
    return "m" + hashlib.sha256(TriageModel.dump({**header, "version": ""}, weights)).hexdigest()[:10]


def _all_classes(model: Any, n: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per-class weights and biases; a class missing from the training labels gets a very low bias."""
    coef = np.zeros((n, model.coef_.shape[1]))
    bias = np.full(n, -30.0)
    present = list(model.classes_)
    if len(present) == 2 and model.coef_.shape[0] == 1:  # sklearn's binary shape
        coef[present[1]], bias[present[1]] = model.coef_[0], model.intercept_[0]
        coef[present[0]], bias[present[0]] = 0.0, 0.0
        return coef, bias
    for row, cls in enumerate(present):
        coef[cls], bias[cls] = model.coef_[row], model.intercept_[row]
    return coef, bias


def choose_thresholds(model: TriageModel, rows: Sequence[DevRow],
                      probabilities: dict[str, npt.NDArray[np.float64]],
                      targets: dict[str, float]) -> dict[str, float]:
    """Per flag, the highest threshold at which recall on dev stays at or above its target, counting
    the cases the guide's precedence raises anyway and those it forbids the model to raise.
    ``probabilities``: each flag's, per row (a second look's out of fold)."""
    from triage.rules import informational, standing

    # What stands after the model (``Extraction.minor_after_model``: a year of birth, a group with
    # children in it, a school year the rules cannot read, a teen's milestone) forces the minor flag in
    # the assessment, but the threshold is chosen as if the model had to find those cases itself: the
    # few dev minors told only that way are among its hardest, and
    # counting them as found would raise the threshold (0.288 to 0.305 for v59, for the years alone)
    # for every minor told some other way.
    unforced = [r.extraction.left_to_the_model() for r in rows]
    thresholds: dict[str, float] = {}
    for name in ("minor", "imminent_danger"):
        positives = [(standing(extraction, name, asking=informational(r.scores, model)), p)
                     for r, extraction, p in zip(rows, unforced, probabilities[name].tolist(), strict=True)
                     if r.labels[name]]
        if not positives:
            thresholds[name] = 0.5
            continue
        # Missed whatever the threshold: vetoed and not forced. Found whatever: forced.
        always_missed = sum(1 for st, _ in positives if st.vetoed and not st.forced)
        open_ = sorted(p for st, p in positives if not st.forced and not st.vetoed)
        allowed = math.floor(len(positives) * (1 - targets[name])) - always_missed
        if not open_ or allowed >= len(open_):
            thresholds[name] = 0.5 if not open_ else float(open_[-1])
            continue
        threshold = open_[max(allowed, 0)]  # probabilities below it are missed: ``allowed`` of them
        thresholds[name] = float(np.nextafter(np.float32(threshold), np.float32(0)))
    return thresholds


def write(path: Path, header: dict[str, Any], weights: npt.NDArray[np.float32]) -> str:
    data = TriageModel.dump(header, weights)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


# The steps ``fit`` reports: features, vocabulary, the two flags' heads, the two classes', thresholds.
FIT_STEPS: Final = 7


def train_and_write(corpus: Path, out: Path, *, seed: int = 0, check: bool = False) -> int:
    """The ``train`` command: 0 when written (or, with ``check``, when the fitted model equals ``out``)."""
    import sys

    from services.runtime.terminal_progress import Progress

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    cases = load_corpus(corpus)
    train = [c for c in cases if c.split == "train"]
    dev = [c for c in cases if c.split == "dev"]
    if not train or not dev:
        say(f"{corpus} needs labelled cases in train/ and dev/")
        return 2
    with Progress("train", total=FIT_STEPS) as bar:
        def step(message: str) -> None:
            # On a terminal the bar names the step; elsewhere each step is a line, as before.
            if bar.enabled:
                bar.update(description=f"train: {message}")
                bar.advance()
            else:
                say(message)

        header, weights = fit(train, dev, Settings(seed=seed, progress=step))
    data = TriageModel.dump(header, weights)
    digest = hashlib.sha256(data).hexdigest()
    if check:
        committed = out.read_bytes() if out.exists() else b""
        same = hashlib.sha256(committed).hexdigest() == digest
        say(f"{out}: {'the same' if same else 'DIFFERENT'} (fitted {digest[:16]})")
        return 0 if same else 1
    write(out, header, weights)
    say(f"wrote {out} ({len(data):,} bytes, sha256 {digest[:16]}, version {header['version']}); "
        f"thresholds {header['thresholds']}")
    return 0
