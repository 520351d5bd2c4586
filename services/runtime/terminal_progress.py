"""Progress of long commands, drawn by rich on a terminal, and nothing at all anywhere else.

Every long command (a CDR import, ``hotline-ops stats``, ``hotline-triage replay``, ``train``,
``evaluate``) shows its progress the same way: a bar when the total is known, a counter when it
is not, with the time spent and left, on standard error. When that is not a terminal (a pipe, a
log file, CI) the bar is off and nothing is written: logs get the command's own summary lines.
A bar shows counts and names of steps only, never content.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Self, TextIO, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress

T = TypeVar("T")


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a real stream
        return False


class Progress:
    """One task's progress: ``with Progress("reading", total=n) as bar: bar.advance()``."""

    def __init__(self, description: str, *, total: float | None = None, stream: TextIO | None = None,
                 enabled: bool | None = None, count: bool = True) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self._stream) if enabled is None else enabled
        self._description = description
        self._total = total
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None
        self._count = count

    def __enter__(self) -> Self:
        if self.enabled:
            columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                       TaskProgressColumn(), *([MofNCompleteColumn()] if self._count else []),
                       TimeElapsedColumn(), TimeRemainingColumn()]
            self._bar = RichProgress(*columns, console=Console(file=self._stream, force_terminal=True),
                                     transient=False, redirect_stdout=False, redirect_stderr=False)
            self._bar.start()
            self._task = self._bar.add_task(self._description, total=self._total)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def advance(self, amount: float = 1) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, amount)

    def update(self, *, completed: float | None = None, total: float | None = None,
               description: str | None = None) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=completed, total=total, description=description)


def track(items: Iterable[T], description: str, *, total: float | None = None,
          stream: TextIO | None = None) -> Iterator[T]:
    """``items``, one step of the bar each (``total`` for a bar, else a counter)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Progress(description, total=total, stream=stream) as bar:
        for item in items:
            yield item
            bar.advance()
