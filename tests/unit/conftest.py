"""Fixtures shared by unit tests."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from services.runtime import InMemoryPublisher
from tests.log_capture import captured_log


@pytest.fixture
async def publisher() -> InMemoryPublisher:
    """A started in-memory publisher (the fake whose behaviour suite also runs against Kafka)."""
    memory = InMemoryPublisher()
    await memory.start()
    return memory


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """The service's JSON log lines written during the test (``tests.log_capture.json_lines`` reads them)."""
    with captured_log() as out:
        yield out
