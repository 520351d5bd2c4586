"""The fault drill's own machinery: processes that exit by themselves are started again and counted,
and SIGINT/SIGTERM kill every process group the drill started before the test unwinds."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import cast

import pytest

from tests.conftest import wait_for
from tests.drill.fleet import Fleet
from tests.drill.interrupt import Interrupts
from tests.drill.keeper import Keeper

pytestmark = pytest.mark.unit


@dataclass
class FakeProcess:
    alive: bool = True
    starts: int = 0
    code: int | None = None

    def running(self) -> bool:
        return self.alive

    def exit_code(self) -> int | None:
        return None if self.alive else self.code

    def start(self) -> None:
        self.starts += 1
        self.alive = True


@dataclass
class FakeFleet:
    processes: dict[str, FakeProcess]


async def test_a_process_that_exited_by_itself_is_started_again_and_counted() -> None:
    system = FakeFleet({"review-1": FakeProcess(), "triage-1": FakeProcess(), "webform": FakeProcess()})
    keeper = Keeper(cast(Fleet, system), interval_s=0.01)
    stop = asyncio.Event()
    running = asyncio.create_task(keeper.run(stop))
    system.processes["review-1"].alive, system.processes["review-1"].code = False, 75
    with keeper.hold("webform"):  # a fault kills and restarts this one itself
        system.processes["webform"].alive = False
        await wait_for(lambda: system.processes["review-1"].starts == 1, what="review-1 started again")
        assert system.processes["webform"].starts == 0
        system.processes["webform"].start()
    stop.set()
    await running
    assert keeper.restarts == [("review-1", 75)]
    assert system.processes["triage-1"].starts == 0
    assert keeper.restarting == []


def _terminate_this_process() -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    signal.pthread_sigmask(signal.SIG_BLOCK, [])  # Python runs the handler before this returns


def test_sigterm_kills_every_process_group_started_then_ends_the_run() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
    interrupts = Interrupts()
    interrupts.on_interrupt("a service", lambda: os.killpg(child.pid, signal.SIGKILL))
    before = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(SystemExit) as ended, interrupts.installed():
            _terminate_this_process()
        assert ended.value.code == 128 + signal.SIGTERM
        assert child.wait(10) == -signal.SIGKILL
        assert signal.getsignal(signal.SIGTERM) == before
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
