"""A service's tasks under the runtime's supervision: the first failure stops them all and is raised."""

from __future__ import annotations

import asyncio

import pytest

from services.runtime.lifecycle import supervise

pytestmark = pytest.mark.unit


class Halted(Exception):
    pass


async def test_the_first_failure_stops_every_task_and_is_raised() -> None:
    stop = asyncio.Event()
    stopped: list[str] = []

    async def steady(name: str) -> None:
        await stop.wait()
        stopped.append(name)

    async def halts() -> None:
        await asyncio.sleep(0)
        raise Halted("a consumer halted itself")

    with pytest.raises(Halted):
        await supervise(stop, {"a": steady("a"), "b": steady("b"), "consumer": halts()})
    assert stop.is_set() and sorted(stopped) == ["a", "b"]


async def test_tasks_that_end_on_stop_end_the_supervision_quietly() -> None:
    stop = asyncio.Event()
    names: list[str] = []

    async def until_stopped() -> None:
        current = asyncio.current_task()
        names.append(current.get_name() if current else "")
        await stop.wait()

    async def stopper() -> None:
        await asyncio.sleep(0)
        stop.set()

    await supervise(stop, {"outbox": until_stopped(), "sla": until_stopped(), "stop": stopper()})
    assert sorted(names) == ["outbox", "sla"]
