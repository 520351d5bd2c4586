"""The SLA check's failures in the log: each change of state once, and a count of failures in between.

The clock ticks every ``sla_check_s`` (a second in the fault drill); while PostgreSQL is down every
tick fails the same way, and logging each one buried the one line an operator needs ("the SLA
check is failing since ...") under hundreds. As for Kafka (``services.runtime.broker_link``): the
first failure after a good spell is logged, then one line every ``report_every_s`` with the count,
and one when a check succeeds again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger("services.review.main")


class CheckFailures:
    def __init__(self, *, report_every_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._report_every_s = report_every_s
        self._clock = clock
        self._failing_since: float | None = None
        self._last_report = 0.0
        self._failures = 0  # since the check began failing
        self._unreported = 0  # since the last line

    @property
    def failing(self) -> bool:
        return self._failing_since is not None

    def failed(self, error_class: str) -> None:
        now = self._clock()
        if self._failing_since is None:
            self._failing_since, self._last_report, self._failures, self._unreported = now, now, 1, 0
            log.error("SLA check failed; later failures are counted, not logged",
                      extra={"error_class": error_class})
            return
        self._failures += 1
        self._unreported += 1
        if now - self._last_report >= self._report_every_s:
            log.warning("SLA check still failing", extra={
                "error_class": error_class, "count": self._unreported,
                "duration_ms": round((now - self._failing_since) * 1000)})
            self._last_report, self._unreported = now, 0

    def succeeded(self) -> None:
        if self._failing_since is None:
            return
        log.warning("SLA check working again", extra={
            "count": self._failures, "duration_ms": round((self._clock() - self._failing_since) * 1000)})
        self._failing_since = None
