"""Small-cell suppression for ``hotline-ops stats``: the counts turned into what may be published.

A count from 1 to threshold-1 is shown as ``<threshold``; zero is shown as 0; totals likewise.
Where a total is shown (a table's total, or a month or channel count over its row or column of
the month x channel table), the hidden cells under it must add up to at least the threshold, or
a hidden value could be recovered by subtraction: the next smallest non-zero cell is hidden too,
shown as ``suppressed``, until they do (with one small cell hidden, that is exactly one more).
A hidden month or channel count whose cells were all shown would be their sum: one is hidden too.
Renderers are given the publication only, never the counts, so no table, chart, alt text or
file can carry a hidden value; a hidden cell is drawn as an empty hatched bar of fixed height.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from services.ops.stats.counting import GRID, TABLES, Counts

DEFAULT_THRESHOLD: Final = 10
COMPLEMENTARY: Final = "suppressed"

Shown = int | str  # a count, or the mark that hides it
_Key = tuple[str, ...]


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
