"""Whether Kafka answers this process: each change logged once, and a count of failures in between.

During a broker outage every Kafka client retries on its own: aiokafka reconnects per connection
every 100 ms, the producer per batch, the fetcher per partition, the coordinator per heartbeat,
and the runtime's callers per publish. Each attempt used to be a log line (a web intake wrote
156,254 ERROR lines in 27 s). Here a failed attempt is counted instead; the first one after a good
spell is logged ("Kafka unreachable"), then one line every ``report_every_s`` with the count, and
one when the broker answers again and no attempt has failed for ``settle_s`` ("Kafka reachable
again"), so a partial outage, where some requests succeed, does not flap. (If the broker answered
but no answer came after the quiet ``settle_s``, the next failure first closes that outage.)

aiokafka's own per-attempt records reach the link through ``BrokerLinkFilter`` on the log handler;
the publisher and the consumer loop report failures and successes directly, and code that used
to log each failed attempt reports it here instead. Like logging itself the link is one per
process: aiokafka's loggers cannot be handed an object, so it is found with ``broker_link()``
the way a logger is found by name (``configure_logging`` installs a fresh one).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Final

log = logging.getLogger(__name__)

# aiokafka messages (format strings) logged once per failed attempt to reach a broker.
_UNREACHABLE_TEMPLATES: Final = (
    "Unable connect to",
    "Unable to request metadata from",
    "Unable to update metadata from",
)
# Error names that, quoted in an aiokafka warning or error, mean a broker did not answer. A group
# coordinator that is still loading (a broker just started) is not among them: the broker answers.
_UNREACHABLE_ERRORS: Final = (
    "KafkaConnectionError",
    "NodeNotReadyError",
    "RequestTimedOutError",
    "KafkaTimeoutError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "Connect call failed",
)


class BrokerLink:
    def __init__(
        self, *, report_every_s: float = 60.0, settle_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._report_every_s = report_every_s
        self._settle_s = settle_s
        self._clock = clock
        self._down_since: float | None = None
        self._last_failure = 0.0
        self._answered_at: float | None = None  # the first answer after the last failure
        self._last_report = 0.0
        self._failures = 0  # since the outage began
        self._unreported = 0  # since the last line

    @property
    def down(self) -> bool:
        return self._down_since is not None

    @property
    def failures(self) -> int:
        """Failed attempts since the current (or last) outage began."""
        return self._failures

    def failed(self, component: str, error_class: str) -> None:
        """One attempt to reach the broker failed."""
        now = self._clock()
        if (self._down_since is not None and self._answered_at is not None
                and now - self._last_failure >= self._settle_s):
            # The broker answered, and nothing failed for a while: that outage was over before
            # this one began, though no answer came late enough to say so.
            self._back(component, self._answered_at)
        self._last_failure, self._answered_at = now, None
        self._failures += 1
        if self._down_since is None:
            self._down_since, self._last_report, self._failures, self._unreported = now, now, 1, 0
            log.error("Kafka unreachable; failed attempts are counted, not logged",
                      extra={"component": component, "error_class": error_class})
            return
        self._unreported += 1
        if now - self._last_report >= self._report_every_s:
            log.warning("Kafka still unreachable", extra={
                "component": component, "error_class": error_class, "count": self._unreported,
                "duration_ms": round((now - self._down_since) * 1000)})
            self._last_report, self._unreported = now, 0

    def succeeded(self, component: str) -> None:
        """The broker answered (acknowledged a record, returned a fetch, took a connection)."""
        if self._down_since is None:
            return
        now = self._clock()
        if self._answered_at is None:
            self._answered_at = now
        if now - self._last_failure >= self._settle_s:
            self._back(component, now)
        # else failures are still coming in: a partial outage, or one just ending

    def _back(self, component: str, at: float) -> None:
        if self._down_since is None:  # called only while down; nothing to close otherwise
            return
        log.warning("Kafka reachable again", extra={
            "component": component, "count": self._failures,
            "duration_ms": round((at - self._down_since) * 1000)})
        self._down_since, self._answered_at = None, None


class BrokerLinkFilter(logging.Filter):
    """On the log handler: aiokafka's records of a failed attempt go to the link, not the log."""

    def __init__(self, link: Callable[[], BrokerLink]) -> None:
        super().__init__()
        self._link = link

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or not record.name.startswith("aiokafka"):
            return True
        error_class = unreachable_error(record)
        if error_class is None:
            return True
        self._link().failed(record.name, error_class)
        return False


def unreachable_error(record: logging.LogRecord) -> str | None:
    """The error kind if ``record`` says a broker could not be reached, else None."""
    template = str(record.msg)
    try:
        text = record.getMessage()
    except (TypeError, ValueError):
        text = template
    for name in _UNREACHABLE_ERRORS:
        if name in text:
            return name
    if template.startswith(_UNREACHABLE_TEMPLATES):
        return "KafkaConnectionError"
    return None


_link = BrokerLink()


def broker_link() -> BrokerLink:
    """This process's link (see the module docstring for why it is found rather than passed)."""
    return _link


def install_broker_link(link: BrokerLink) -> BrokerLink:
    """Make ``link`` the process's link (``configure_logging`` does, with a fresh one)."""
    global _link
    _link = link
    return link
