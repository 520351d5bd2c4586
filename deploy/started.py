"""A local service used in a ``with`` block: started on entering it, stopped on leaving it."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class StartedInBlock:
    """For a class with ``start()`` and ``stop()`` taking their defaults (a broker, a collector)."""

    def start(self) -> object:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
