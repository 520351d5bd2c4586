"""The drill's waits: paced by evidence, and at the ceiling a failure that says what was awaited and
what was seen last (which process, which replica, which case state), not only that time ran out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


async def until(predicate: Callable[[], T | Awaitable[T]], *, what: str,
                seen: Callable[[], str | Awaitable[str]], timeout: float, interval: float = 0.5) -> T:
    """Poll ``predicate`` until it is truthy; past ``timeout`` fail with ``what`` and ``seen()``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
            result = await result
        if result:
            return result  # type: ignore[return-value]
        if loop.time() > deadline:
            observed = seen()
            if not isinstance(observed, str):
                observed = await observed
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}; last seen: {observed}")
        await asyncio.sleep(interval)
