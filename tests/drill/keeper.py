"""Starts again, as Kubernetes would, every process of the fleet that exited by itself, and counts it.

It runs the whole drill long (faults and the settling after them), checking every second. A fault
holds the processes it kills and starts again itself, so the keeper leaves those alone. A
restart that fails (the process exits again while starting) is tried again at the next check,
and counted again: a crash loop shows in the figures, never as a hang.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from tests.drill.fleet import Fleet


@dataclass
class Keeper:
    system: Fleet
    interval_s: float = 1.0
    restarts: list[tuple[str, int | None]] = field(default_factory=list)  # (process, its exit code)
    _held: set[str] = field(default_factory=set)
    _starting: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    @contextlib.contextmanager
    def hold(self, *names: str) -> Iterator[None]:
        """The caller kills and restarts these itself."""
        self._held.update(names)
        try:
            yield
        finally:
            self._held.difference_update(names)

    @property
    def restarting(self) -> list[str]:
        return sorted(self._starting)

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                self.check()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.interval_s)
        finally:
            for task in self._starting.values():
                task.cancel()
            await asyncio.gather(*self._starting.values(), return_exceptions=True)

    def check(self) -> None:
        for name, managed in self.system.processes.items():
            if name in self._held or name in self._starting or managed.running():
                continue
            code = managed.exit_code()
            self.restarts.append((name, code))
            print(f"drill: {name} exited by itself (exit code {code}); starting it again", flush=True)
            self._starting[name] = asyncio.create_task(self._start(name))

    async def _start(self, name: str) -> None:
        try:
            await asyncio.to_thread(self.system.processes[name].start)
        except AssertionError as error:  # exited while starting, or never ready: the next check sees it
            print(f"drill: {name} did not start again: {str(error)[:300]}", flush=True)
        finally:
            self._starting.pop(name, None)
