"""``hotline-ops stats``: aggregate, non-identifying statistics of the triaged stream, small cells suppressed.

What is counted
    A signal is a ``signal_id``. The stream is at-least-once and a signal re-triaged under new rules
    appears again, so records are deduplicated by ``signal_id``, keeping the assessment with the
    latest ``triaged_at`` (of two with the same triage time, the one read last). A signal's month is
    the month of its ``received_at`` on the hotline's clock (America/New_York); ``--from`` and
    ``--to`` select months by it. A signal without a US state counts as ``unknown``, one located
    outside the US as ``outside_us``.

What is set aside
    A call record or status callback without words (triage routes it ``set_aside`` with reason
    ``no_narrative``) is a fragment of a call whose specialist report arrives as a signal of its own:
    counting it would count the call twice, and it is not an "unrelated" call either. It is left out
    of every table and counted on one line of its own, ``set_aside``. Nothing else is excluded:
    auto-replies and unrelated contacts are counted under their call type, ``unrelated``.

Suppression
    A count from 1 to threshold-1 is shown as ``<threshold``; zero is shown as 0; totals likewise.
    Where a total is shown (a table's total, or a month or channel count over its row or column of
    the month x channel table), the hidden cells under it must add up to at least the threshold, or
    a hidden value could be recovered by subtraction: the next smallest non-zero cell is hidden too,
    shown as ``suppressed``, until they do (with one small cell hidden, that is exactly one more).
    A hidden month or channel count whose cells were all shown would be their sum: one is hidden too.
    Renderers are given the publication only, never the counts, so no table, chart, alt text or
    file can carry a hidden value; a hidden cell is drawn as an empty hatched bar of fixed height.

Outputs
    ``text``: the tables, to stdout unless ``--out``. ``csv``: one long-format file,
    ``statistics.csv``, with the columns ``table,category,count``; ``count`` is what is shown (a
    number, ``<10`` or ``suppressed``); each table ends with a ``total`` row; month x channel cells
    are ``month_channel,2026-03/phone,...``; the set-aside line is ``set_aside,no_narrative,...``.
    ``html``: ``report.html``, self-contained (inline CSS, charts as data URIs). ``all`` (needs
    ``--out``): those three files and one PNG bar chart per table, ``<table>.png``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import csv
import io
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Final, TextIO
from uuid import UUID
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from contracts import CODEC, DecodeError, Envelope, Header, Topic
from contracts.events import (
    CallType,
    Channel,
    FlagName,
    RoutingTarget,
    SignalTriaged,
    TraffickingType,
    Urgency,
)
from services.runtime.exit_codes import EXIT_UNAVAILABLE, EXIT_USAGE
from services.runtime.terminal_progress import Progress, track

DEFAULT_THRESHOLD: Final = 10
COMPLEMENTARY: Final = "suppressed"
FORMATS: Final = ("text", "csv", "html", "all")
HOTLINE_ZONE: Final = "America/New_York"

TABLES: Final = (
    ("month", "Signals per month"),
    ("channel", "Signals by channel"),
    ("state", "Signals by state"),
    ("call_type", "Signals by call type"),
    ("trafficking_type", "Signals by type of exploitation"),
    ("minor", "Signals referencing a minor"),
    ("urgency", "Signals by urgency"),
)
GRID: Final = ("month_channel", "Signals per month and channel")

_LABELS: Final = {
    "webform": "Online form", "email": "Email", "phone": "Phone", "sms": "Text message",
    "crisis": "Crisis", "tip": "Tip", "tta": "Training & technical assistance", "referral": "Referral",
    "general_info": "General information", "at_risk": "At risk", "unrelated": "Unrelated",
    "sex": "Sex", "labor": "Labor", "both": "Sex and labor", "none": "None", "unknown": "Unknown",
    "outside_us": "Outside the US", "yes": "Yes", "no": "No",
    "p1_act_now": "P1 act now", "p2_same_day": "P2 same day", "p3_business_days": "P3 business days",
    "p4_informational": "P4 informational",
}
_MONTH: Final = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_SHOWN_FAILURES: Final = 10

Shown = int | str  # a count, or the mark that hides it
_Key = tuple[str, ...]


# ---------------------------------------------------------------- counting


@dataclass(frozen=True)
class Counts:
    """Raw counts of one period. Never rendered as they are: ``suppress`` makes them publishable."""

    tables: Mapping[str, Mapping[str, int]]  # table -> category -> count, both in display order
    month_channel: Mapping[tuple[str, str], int]
    total: int
    set_aside: int
    records: int
    superseded: int  # repeated records, and older assessments of re-triaged signals


def month_of(signal: SignalTriaged) -> str:
    return signal.received_at.astimezone(ZoneInfo(HOTLINE_ZONE)).strftime("%Y-%m")


def is_set_aside(signal: SignalTriaged) -> bool:
    """A call record without words, set aside until the specialist's report for the call arrives."""
    return signal.call_type is CallType.UNRELATED and any(
        r.target is RoutingTarget.SET_ASIDE and r.reason == "no_narrative" for r in signal.routes)


def state_of(signal: SignalTriaged) -> str:
    place = signal.jurisdiction
    if place.country != "US":
        return "outside_us"
    return place.state or "unknown"


def count(signals: Iterable[SignalTriaged], *, first: str | None = None, last: str | None = None) -> Counts:
    """Count the latest assessment of each signal received from month ``first`` to ``last`` (inclusive)."""
    latest: dict[UUID, SignalTriaged] = {}
    records = 0
    for signal in signals:
        records += 1
        kept = latest.get(signal.signal_id)
        if kept is None or signal.triaged_at >= kept.triaged_at:
            latest[signal.signal_id] = signal
    dated = [(month_of(s), s) for s in latest.values()]
    chosen = [(m, s) for m, s in dated if (first is None or m >= first) and (last is None or m <= last)]
    counted = [(m, s) for m, s in chosen if not is_set_aside(s)]
    seen = sorted(m for m, _ in chosen)
    start, end = first or (seen[0] if seen else None), last or (seen[-1] if seen else None)
    months = month_range(start, end) if start and end else []
    states = sorted({state_of(s) for _, s in counted} - {"outside_us", "unknown"})
    tables: dict[str, dict[str, int]] = {
        "month": dict.fromkeys(months, 0),
        "channel": dict.fromkeys((c.value for c in Channel), 0),
        "state": dict.fromkeys([*states, "outside_us", "unknown"], 0),
        "call_type": dict.fromkeys((c.value for c in CallType), 0),
        "trafficking_type": dict.fromkeys((t.value for t in TraffickingType), 0),
        "minor": dict.fromkeys(("yes", "no"), 0),
        "urgency": dict.fromkeys((u.value for u in Urgency), 0),
    }
    grid = {(m, c): 0 for m in months for c in tables["channel"]}
    for month, s in counted:
        for name, category in (
            ("month", month), ("channel", s.channel.value), ("state", state_of(s)),
            ("call_type", s.call_type.value), ("trafficking_type", s.trafficking_type.value),
            ("minor", "yes" if s.is_raised(FlagName.MINOR) else "no"), ("urgency", s.urgency.value),
        ):
            tables[name][category] += 1
        grid[month, s.channel.value] += 1
    return Counts(tables=tables, month_channel=grid, total=len(counted),
                  set_aside=len(chosen) - len(counted), records=records, superseded=records - len(latest))


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (YYYY-MM, inclusive), so that empty months show as 0."""
    year, month = int(first[:4]), int(first[5:])
    months: list[str] = []
    while (current := f"{year:04d}-{month:02d}") <= last:
        months.append(current)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# ---------------------------------------------------------------- suppression


@dataclass(frozen=True)
class PublishedTable:
    name: str
    title: str
    rows: tuple[tuple[str, Shown], ...]
    total: Shown


@dataclass(frozen=True)
class PublishedGrid:
    name: str
    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Shown, ...], ...]  # cells[i][j] is rows[i] x columns[j]


@dataclass(frozen=True)
class Publication:
    """What may be shown: every count already replaced by its mark where it must be hidden."""

    threshold: int
    period: tuple[str, str] | None
    tables: tuple[PublishedTable, ...]
    grid: PublishedGrid
    set_aside: Shown

    def table(self, name: str) -> PublishedTable:
        return next(t for t in self.tables if t.name == name)


def suppress(counts: Counts, threshold: int = DEFAULT_THRESHOLD) -> Publication:
    """Hide small cells (primary) and the cells that would reveal them by subtraction (complementary)."""
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    total: _Key = ("total",)
    values: dict[_Key, int] = {total: counts.total, ("set_aside",): counts.set_aside}
    equations: list[tuple[_Key, list[_Key]]] = []
    for name, cells in counts.tables.items():
        values.update({(name, category): n for category, n in cells.items()})
        equations.append((total, [(name, category) for category in cells]))
    months, channels = list(counts.tables["month"]), list(counts.tables["channel"])
    values.update({(GRID[0], m, c): n for (m, c), n in counts.month_channel.items()})
    # The cross-tab's rows and columns add up to the month and channel tables' cells.
    equations += [(("month", m), [(GRID[0], m, c) for c in channels]) for m in months]
    equations += [(("channel", c), [(GRID[0], m, c) for m in months]) for c in channels]
    shown = _protect(values, equations, threshold)
    tables = tuple(PublishedTable(name, title, tuple((c, shown[name, c]) for c in counts.tables[name]),
                                  shown[total]) for name, title in TABLES)
    grid = PublishedGrid(name=GRID[0], title=GRID[1], rows=tuple(months), columns=tuple(channels),
                         cells=tuple(tuple(shown[GRID[0], m, c] for c in channels) for m in months))
    period = (months[0], months[-1]) if months else None
    return Publication(threshold=threshold, period=period, tables=tables, grid=grid,
                       set_aside=shown[("set_aside",)])


def _protect(values: Mapping[_Key, int], equations: Sequence[tuple[_Key, Sequence[_Key]]],
             threshold: int) -> dict[_Key, Shown]:
    primary = {key for key, n in values.items() if 0 < n < threshold}
    hidden = set(primary)
    changed = True
    while changed:  # each pass hides at least one more cell, so this ends
        changed = False
        for total, parts in equations:
            secret = [p for p in parts if p in hidden]
            if total in hidden:
                # A hidden total with every part shown is their sum.
                safe = bool(secret) or not any(values[p] for p in parts)
            else:
                safe = not secret or sum(values[p] for p in secret) >= threshold
            if safe:
                continue
            candidates = [p for p in parts if p not in hidden and values[p] > 0]
            # min() keeps the first of equal counts, so the choice is the same on every run.
            hidden.add(min(candidates, key=lambda p: values[p]) if candidates else total)
            changed = True
    return {key: (f"<{threshold}" if key in primary else COMPLEMENTARY) if key in hidden else n
            for key, n in values.items()}


# ---------------------------------------------------------------- rendering


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
    environment = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
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


# ---------------------------------------------------------------- command


class _UsageError(Exception):
    """A bad option, an unreadable file or an unwritable directory: one line on stderr, exit 2."""


class _TopicUnavailable(Exception):
    """The broker could not be reached or the topic not read in time: one line on stderr, exit 69."""


@dataclass
class _ReadLog:
    """Counts and undecodable records, on stderr (progress is a bar on a terminal). Decode errors name
    fields and kinds, never values."""

    out: TextIO
    read: int = 0
    failed: int = 0

    def record(self) -> None:
        self.read += 1

    def failure(self, where: str, error: DecodeError) -> None:
        self.failed += 1
        if self.failed <= _SHOWN_FAILURES:
            print(f"stats: skipped {where}: {type(error).__name__}: {error}", file=self.out)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", metavar="PATH",
                        help="JSON lines, each a signals.triaged value as the codec writes it ('-': stdin)")
    source.add_argument("--topic", action="store_true",
                        help="read signals.triaged once from the broker (HOTLINE_KAFKA_BOOTSTRAP, "
                             "HOTLINE_TOPIC_PREFIX)")
    parser.add_argument("--from", dest="from_month", metavar="YYYY-MM",
                        help="first month, by when the signal was received (US/Eastern)")
    parser.add_argument("--to", dest="to_month", metavar="YYYY-MM", help="last month, inclusive")
    parser.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD, metavar="N",
                        help=f"counts under this are shown as '<N' (default {DEFAULT_THRESHOLD})")
    parser.add_argument("--out", metavar="DIR", help="write the outputs into DIR instead of stdout")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="text, csv, html, or all (PNG charts too; needs --out). Default: text to "
                             "stdout, all with --out")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                        help="time allowed to read the topic (default 120)")


def run(args: argparse.Namespace) -> int:
    log = _ReadLog(sys.stderr)
    try:
        first, last = _month(args.from_month, "--from"), _month(args.to_month, "--to")
        if first and last and first > last:
            raise _UsageError(f"--from {first} is after --to {last}")
        if args.threshold < 2:
            raise _UsageError("--threshold must be at least 2")
        output = args.format or ("all" if args.out else "text")
        if output == "all" and not args.out:
            raise _UsageError("--format all writes several files: give --out DIR")
        if args.topic:
            counts = count(_topic_signals(args.timeout, log), first=first, last=last)
        else:
            counts = _count_file(args.file, log, first=first, last=last)
    except _UsageError as error:
        print(f"stats: {error}", file=sys.stderr)
        return EXIT_USAGE
    except _TopicUnavailable as error:
        print(f"stats: cannot read {Topic.SIGNALS_TRIAGED.value}: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    print(f"stats: {log.read} records read, {log.failed} undecodable (skipped), {counts.superseded} repeated "
          "or superseded", file=sys.stderr)
    publication = suppress(counts, args.threshold)
    if not args.out:
        render = {"text": render_text, "csv": render_csv}.get(output)
        sys.stdout.write(render(publication) if render else
                         render_html(publication, render_charts(publication)))
        return 0
    try:
        written = write_outputs(publication, Path(args.out), output)
    except OSError as error:
        print(f"stats: cannot write to {args.out}: {error.strerror or type(error).__name__}", file=sys.stderr)
        return EXIT_USAGE
    print(f"stats: wrote {len(written)} files to {args.out}", file=sys.stderr)
    return 0


def _month(raw: str | None, option: str) -> str | None:
    if raw is None:
        return None
    if not _MONTH.match(raw):
        raise _UsageError(f"{option}: expected a month as YYYY-MM, got {raw!r}")
    return raw


def _count_file(path: str, log: _ReadLog, *, first: str | None, last: str | None) -> Counts:
    try:
        with contextlib.ExitStack() as stack:
            stream: BinaryIO = sys.stdin.buffer if path == "-" else stack.enter_context(Path(path).open("rb"))
            size = None if path == "-" else os.fstat(stream.fileno()).st_size
            bar = stack.enter_context(Progress("stats: reading", total=size, count=False))
            return count(_decode_lines(stream, log, bar), first=first, last=last)
    except OSError as error:
        raise _UsageError(f"cannot read {path}: {error.strerror or type(error).__name__}") from None


def _decode_lines(stream: BinaryIO, log: _ReadLog, bar: Progress) -> Iterator[SignalTriaged]:
    # The file holds record values only: give them the headers a signals.triaged record carries, so
    # that lines are decoded by the one codec like records read from the topic.
    envelope = Envelope(id="stats-file", type=SignalTriaged.ce_type(), source="/hotline/ops/stats",
                        time=datetime.now(UTC))
    headers: tuple[Header, ...] = tuple(envelope.to_headers())
    for number, line in enumerate(stream, start=1):
        bar.advance(len(line))
        if not line.strip():
            continue
        log.record()
        try:
            yield CODEC.decode_as(SignalTriaged, line, headers)
        except DecodeError as error:
            log.failure(f"line {number}", error)


def _topic_signals(timeout_s: float, log: _ReadLog) -> list[SignalTriaged]:
    from services.runtime import HotlineError, RuntimeSettings, load_settings
    from services.runtime.topic_reader import read_whole_topic

    settings = load_settings(RuntimeSettings)
    print(f"stats: reading {Topic.SIGNALS_TRIAGED.value} from {settings.kafka_bootstrap}", file=log.out)
    try:
        records = asyncio.run(read_whole_topic(settings, Topic.SIGNALS_TRIAGED, timeout_s=timeout_s))
    except (HotlineError, TimeoutError) as error:  # runtime errors carry kinds and ids only
        raise _TopicUnavailable(str(error)) from error
    signals: list[SignalTriaged] = []
    # In offset order per partition, and a signal's records share one partition.
    for record in track(records, "stats: decoding"):
        log.record()
        try:
            signals.append(CODEC.decode_as(SignalTriaged, record.value, record.headers))
        except DecodeError as error:
            log.failure(f"partition {record.partition} offset {record.offset}", error)
    return signals
