"""A region's coverage as a PNG heatmap: needs against the matrix's columns, coloured by the share ok."""

from __future__ import annotations

import io

from services.reporting.protocols.conditions import COLUMNS
from services.reporting.protocols.coverage import RegionCoverage


def render_heatmap(region: RegionCoverage) -> bytes:
    """Green where every situation of a column is ok, red where none is; each cell says how many are not."""
    # Imported here: matplotlib takes a while to load and only this command needs it. Figure without
    # pyplot keeps no global state and renders with Agg.
    from matplotlib.figure import Figure

    rows = [need.need.value.replace("_", " ") for need in region.needs]
    counts = [need.by_column() for need in region.needs]
    shares = [[(total - bad) / total if total else 0.0 for bad, total in row] for row in counts]
    figure = Figure(figsize=(11.0, 4.6), dpi=100)
    axes = figure.add_subplot()
    image = axes.imshow(shares, cmap="RdYlGn", vmin=0.0, vmax=1.0, aspect="auto")
    for y, row in enumerate(counts):
        for x, (bad, total) in enumerate(row):
            axes.text(x, y, f"{bad}/{total}" if bad else "ok", ha="center", va="center", fontsize=7)
    axes.set_xticks(range(len(COLUMNS)), [heading for heading, _, _ in COLUMNS], rotation=35, ha="right",
                    fontsize=8)
    axes.set_yticks(range(len(rows)), rows, fontsize=8)
    axes.set_title(f"{region.key} ({region.label}): situations not ok (thin or empty) per column",
                   fontsize=10)
    figure.colorbar(image, ax=axes, label="share ok")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
