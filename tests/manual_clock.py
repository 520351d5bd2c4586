"""The clock a test hands the code under test: it says ``now``, which the test sets or moves by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar


class ManualClock:
    """``now`` starts at the subclass's ``start``; a test sets it, or moves it with ``advance``."""

    start: ClassVar[datetime]

    def __init__(self) -> None:
        self.now = self.start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
