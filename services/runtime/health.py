"""Liveness and readiness of a process, made of named components (a consumer, a producer, a server)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class ComponentState:
    alive: bool = True
    ready: bool = False
    detail: str = "starting"
    since: float = field(default_factory=time.monotonic)


class Health:
    """Each component reports itself; the process is live if all are alive, ready if all are ready."""

    def __init__(self) -> None:
        self._components: dict[str, ComponentState] = {}

    def register(self, name: str) -> None:
        self._components.setdefault(name, ComponentState())

    def set(self, name: str, *, ready: bool, detail: str, alive: bool = True) -> None:
        state = self._components.setdefault(name, ComponentState())
        if (state.ready, state.alive, state.detail) != (ready, alive, detail):
            state.since = time.monotonic()
        state.ready, state.alive, state.detail = ready, alive, detail

    @property
    def live(self) -> bool:
        return all(c.alive for c in self._components.values())

    @property
    def ready(self) -> bool:
        return bool(self._components) and all(c.alive and c.ready for c in self._components.values())

    def snapshot(self) -> dict[str, dict[str, object]]:
        now = time.monotonic()
        return {
            name: {"alive": c.alive, "ready": c.ready, "detail": c.detail,
                   "for_s": round(now - c.since, 1)}
            for name, c in sorted(self._components.items())
        }
