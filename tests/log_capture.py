"""A service's JSON log lines captured in memory for a test to read, and a clock of plain seconds
for the code that decides when to log."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from services.runtime.structured_logging import configure_logging


@contextmanager
def captured_log(service: str = "test-service") -> Iterator[io.StringIO]:
    """The JSON log lines written while it is open; the log goes back to standard error after."""
    out = io.StringIO()
    configure_logging(service, "INFO", stream=out)
    try:
        yield out
    finally:
        configure_logging(service, "INFO")


def json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


class Seconds:
    """A monotonic clock in seconds, moved by the test (``now``)."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
