"""Fixtures shared by unit tests."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from services.runtime import InMemoryPublisher
from tests.log_capture import captured_log
from tests.sms_support import Sms, build_sms


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


@pytest.fixture
async def sms(tmp_path: Path, publisher: InMemoryPublisher) -> AsyncIterator[Sms]:
    """The SMS intake over the in-memory publisher, with its store in ``tmp_path`` (``tests.sms_support``)."""
    built = build_sms(tmp_path, publisher)
    yield built
    built.close()
