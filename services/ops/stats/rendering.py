"""Rendering a publication of ``hotline-ops stats``: text, CSV, PNG charts and an HTML report.

``text``: the tables, to stdout unless ``--out``. ``csv``: one long-format file,
``statistics.csv``, with the columns ``table,category,count``; ``count`` is what is shown (a
number, ``<10`` or ``suppressed``); each table ends with a ``total`` row; month x channel cells
are ``month_channel,2026-03/phone,...``; the set-aside line is ``set_aside,no_narrative,...``.
``html``: ``report.html``, self-contained (inline CSS, charts as data URIs). ``all`` (needs
``--out``): those three files and one PNG bar chart per table, ``<table>.png``.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.ops.stats.suppression import COMPLEMENTARY, Publication, Shown

FORMATS: Final = ("text", "csv", "html", "all")
_TEMPLATES: Final = Path(__file__).parents[1] / "templates"

_LABELS: Final = {
    "webform": "Online form", "email": "Email", "phone": "Phone", "sms": "Text message",
    "crisis": "Crisis", "tip": "Tip", "tta": "Training & technical assistance", "referral": "Referral",
    "general_info": "General information", "at_risk": "At risk", "unrelated": "Unrelated",
    "sex": "Sex", "labor": "Labor", "both": "Sex and labor", "none": "None", "unknown": "Unknown",
    "outside_us": "Outside the US", "yes": "Yes", "no": "No",
    "p1_act_now": "P1 act now", "p2_same_day": "P2 same day", "p3_business_days": "P3 business days",
    "p4_informational": "P4 informational",
}


def label(category: str) -> str:
    return _LABELS.get(category, category)


def render_text(publication: Publication) -> str:
    t = publication.threshold
    period = "{} to {}".format(*publication.period) if publication.period else "(no signals)"
    lines = [f"Hotline signals, {period}",
             f'Counts under {t} are shown as "<{t}"; "{COMPLEMENTARY}" hides a larger count that would '
             "reveal one by subtraction.", ""]
    for table in publication.tables:
        rows = [*table.rows, ("total", table.total)]
        width = max(len(c) for c, _ in rows) + 2
        column = max(len(str(s)) for _, s in rows)
        lines += [table.title, *(f"  {c:<{width}}{s!s:>{column}}" for c, s in rows), ""]
    grid = publication.grid
    width = max([len(r) for r in grid.rows] + [len("month")]) + 2
    column = max([len(c) for c in grid.columns] + [len(str(s)) for cells in grid.cells for s in cells]) + 2
    lines += [grid.title, "  " + "month".ljust(width) + "".join(c.rjust(column) for c in grid.columns)]
    lines += ["  " + r.ljust(width) + "".join(str(s).rjust(column) for s in cells)
              for r, cells in zip(grid.rows, grid.cells, strict=True)]
    lines += ["", f"Set aside (call records without words, counted with their specialist report): "
                  f"{publication.set_aside}"]
    return "\n".join(lines) + "\n"


def render_csv(publication: Publication) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("table", "category", "count"))
    for table in publication.tables:
        writer.writerows((table.name, category, shown) for category, shown in table.rows)
        writer.writerow((table.name, "total", table.total))
    grid = publication.grid
    for row, cells in zip(grid.rows, grid.cells, strict=True):
        writer.writerows((grid.name, f"{row}/{column}", shown) for column, shown in zip(grid.columns, cells,
                                                                                         strict=True))
    writer.writerow(("set_aside", "no_narrative", publication.set_aside))
    return buffer.getvalue()


def render_charts(publication: Publication) -> dict[str, bytes]:
    """One PNG bar chart per table, keyed by table name."""
    t = publication.threshold
    charts = {table.name: bar_chart(table.title, [label(c) for c, _ in table.rows],
                                    [("", [s for _, s in table.rows])], threshold=t)
              for table in publication.tables}
    grid = publication.grid
    series = [(label(column), [cells[j] for cells in grid.cells]) for j, column in enumerate(grid.columns)]
    charts[grid.name] = bar_chart(grid.title, list(grid.rows), series, threshold=t)
    return charts


def bar_chart(title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[Shown]]], *,
              threshold: int) -> bytes:
    """Bars for shown counts; a hidden cell is an empty hatched bar as high as the threshold.

    Only shown values reach the axes, so neither the image nor its scale can depend on a hidden one.
    """
    # Imported here: matplotlib takes a while to load and only charts need it. Figure without pyplot
    # keeps no global state and renders with Agg.
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    figure = Figure(figsize=(max(6.0, 0.35 * len(categories) * len(series) + 2), 4.0), dpi=100)
    axes = figure.add_subplot()
    colours = ("#1f4e79", "#c55a11", "#548235", "#7030a0")
    width = 0.8 / max(len(series), 1)
    for i, (_, cells) in enumerate(series):
        colour = colours[i % len(colours)]
        for x, cell in enumerate(cells):
            left = x + (i - (len(series) - 1) / 2) * width
            if isinstance(cell, int):
                axes.bar(left, cell, width, color=colour)
                height, text = cell, str(cell)
            else:
                axes.bar(left, threshold, width, fill=False, hatch="///", edgecolor=colour)
                height, text = threshold, cell
            axes.annotate(text, (left, height), xytext=(0, 2), textcoords="offset points", ha="center",
                          va="bottom", fontsize=7, rotation=90 if len(series) > 1 else 0)
    shown = [cell for _, cells in series for cell in cells if isinstance(cell, int)]
    axes.set_ylim(0, max([*shown, threshold]) * 1.25)
    crowded = len(categories) > 8 or sum(len(c) for c in categories) > 8 * max(len(categories), 1)
    axes.set_xticks(range(len(categories)), list(categories), rotation=35 if crowded else 0,
                    ha="right" if crowded else "center", fontsize=8)
    axes.set_title(title)
    axes.set_ylabel("signals")
    axes.spines[["top", "right"]].set_visible(False)
    handles = [Patch(facecolor=colours[i % len(colours)], label=name) for i, (name, _) in enumerate(series)]
    if len(series) > 1:
        axes.legend(handles=handles, fontsize=8, frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def render_html(publication: Publication, charts: Mapping[str, bytes]) -> str:
    environment = Environment(loader=FileSystemLoader(str(_TEMPLATES)),
                              autoescape=select_autoescape(["html"]))

    def image(name: str) -> str:
        return "data:image/png;base64," + base64.b64encode(charts[name]).decode("ascii")

    sections = []
    for table in publication.tables:
        rows = [(label(c), s) for c, s in table.rows]
        sections.append({"name": table.name, "title": table.title, "rows": rows, "total": table.total,
                         "chart": image(table.name), "alt": _alt(table.title, rows)})
    grid = publication.grid
    flat = [(f"{r} {label(c)}", cells[j]) for r, cells in zip(grid.rows, grid.cells, strict=True)
            for j, c in enumerate(grid.columns)]
    return environment.get_template("stats.html").render(
        publication=publication, sections=sections, grid=grid, columns=[label(c) for c in grid.columns],
        grid_chart=image(grid.name), grid_alt=_alt(grid.title, flat), complementary=COMPLEMENTARY)


def _alt(title: str, cells: Sequence[tuple[str, Shown]]) -> str:
    return f"Bar chart, {title.lower()}: " + "; ".join(f"{name} {shown}" for name, shown in cells)


def write_outputs(publication: Publication, directory: Path, output: str) -> list[Path]:
    """Write ``output`` (one of ``FORMATS``) into ``directory``; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[Path, str | bytes] = {}
    charts = render_charts(publication) if output in ("html", "all") else {}
    if output in ("text", "all"):
        written[directory / "statistics.txt"] = render_text(publication)
    if output in ("csv", "all"):
        written[directory / "statistics.csv"] = render_csv(publication)
    if output in ("html", "all"):
        written[directory / "report.html"] = render_html(publication, charts)
    if output == "all":
        written.update({directory / f"{name}.png": png for name, png in charts.items()})
    for path, content in written.items():
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return list(written)
