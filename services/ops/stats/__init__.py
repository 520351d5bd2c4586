"""``hotline-ops stats``: aggregate, non-identifying statistics of the triaged stream, small cells suppressed.

By role: ``counting`` (what is counted, what is set aside), ``suppression`` (what may be shown),
``rendering`` (text, CSV, charts, HTML; given the publication only, never the counts) and
``command`` (the options, the input, the exit codes).
"""

from __future__ import annotations

from services.ops.stats.command import configure_parser, run
from services.ops.stats.counting import (
    GRID,
    HOTLINE_ZONE,
    TABLES,
    Counts,
    count,
    is_set_aside,
    month_of,
    month_range,
    state_of,
)
from services.ops.stats.rendering import (
    FORMATS,
    bar_chart,
    label,
    render_charts,
    render_csv,
    render_html,
    render_text,
    write_outputs,
)
from services.ops.stats.suppression import (
    COMPLEMENTARY,
    DEFAULT_THRESHOLD,
    Publication,
    PublishedGrid,
    PublishedTable,
    Shown,
    suppress,
)

__all__ = [
    "COMPLEMENTARY",
    "DEFAULT_THRESHOLD",
    "FORMATS",
    "GRID",
    "HOTLINE_ZONE",
    "TABLES",
    "Counts",
    "Publication",
    "PublishedGrid",
    "PublishedTable",
    "Shown",
    "bar_chart",
    "configure_parser",
    "count",
    "is_set_aside",
    "label",
    "month_of",
    "month_range",
    "render_charts",
    "render_csv",
    "render_html",
    "render_text",
    "run",
    "state_of",
    "suppress",
    "write_outputs",
]
