"""Fixtures shared by unit tests."""

from __future__ import annotations

import pytest

from services.runtime import InMemoryPublisher


@pytest.fixture
async def publisher() -> InMemoryPublisher:
    """A started in-memory publisher (the fake whose behaviour suite also runs against Kafka)."""
    memory = InMemoryPublisher()
    await memory.start()
    return memory
