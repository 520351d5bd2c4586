"""The model in words, for ``hotline-triage model``: where it came from and what weighs most in each head."""

from __future__ import annotations

import numpy as np

from triage.model import TriageModel


def describe(model: TriageModel, top: int = 10) -> str:
    header = model.header
    corpus = header.get("corpus", {})
    lines = [
        f"triage model {model.version}: {len(model.names):,} features, "
        f"{corpus.get('train_cases', '?')} training and {corpus.get('dev_cases', '?')} dev cases "
        f"(corpus {str(corpus.get('digest', '?'))[:12]})",
        "thresholds (chosen on dev, recall first): "
        + ", ".join(f"{name} {value:.3f}" for name, value in sorted(model.thresholds.items())),
        f"settings: {header.get('settings', {})}",
    ]
    for look in model.second_looks.values():
        lines.append(
            f"second look at {look.head}: {len(look.trees)} trees over {len(look.inputs)} inputs; "
            f"on dev, out of fold: precision {look.dev.get('precision', 0):.3f}, "
            f"recall {look.dev.get('recall', 0):.3f}")
    for head in model.heads.values():
        for i, cls in enumerate(head.classes):
            column = model.weights[:, head.start + i]
            order = np.argsort(-column)[:top]
            label = head.name if head.binary else f"{head.name} = {cls}"
            strongest = ", ".join(f"{model.names[j]} {column[j]:+.2f}" for j in order)
            lines.append(f"{label}: {strongest}")
    return "\n".join(lines)
