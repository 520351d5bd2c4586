"""Ctrl-C (SIGINT) or SIGTERM during the drill: everything it started is killed before it unwinds.

The brokers, PostgreSQL, Dovecot and every service run in process groups of their own, so a
terminal's Ctrl-C never reached most of them, and a SIGTERM to pytest (a CI job cancelled) reached
none; an interrupted test also does not always get as far as its teardown. The handler kills each
thing started so far (a SIGKILL to its process group), then interrupts the test as the signal would have.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType


class Interrupts:
    def __init__(self) -> None:
        self._kills: list[tuple[str, Callable[[], None]]] = []

    def on_interrupt(self, what: str, kill: Callable[[], None]) -> None:
        self._kills.append((what, kill))

    def kill_everything(self) -> None:
        for what, kill in reversed(self._kills):  # the services before what they stand on
            try:
                kill()
            except Exception as error:
                print(f"drill: could not kill {what}: {error}", file=sys.stderr, flush=True)

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """While inside, SIGINT and SIGTERM kill everything registered first (main thread only:
        Python delivers signals there)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        signals = (signal.SIGINT, signal.SIGTERM)
        previous = {number: signal.getsignal(number) for number in signals}

        def handler(number: int, _frame: FrameType | None) -> None:
            for restored, before in previous.items():
                signal.signal(restored, before)
            print(f"drill: {signal.Signals(number).name}: killing every process it started",
                  file=sys.stderr, flush=True)
            self.kill_everything()
            if number == signal.SIGINT:
                raise KeyboardInterrupt
            raise SystemExit(128 + number)

        for number in signals:
            signal.signal(number, handler)
        try:
            yield
        finally:
            for number, before in previous.items():
                signal.signal(number, before)
