"""The protocols' errors: a directory that cannot be used as it stands."""

from __future__ import annotations

from collections.abc import Sequence

from services.reporting.protocols.problems import Problem


class ProtocolError(Exception):
    """Base of the protocol package's errors."""


class ProtocolsInvalid(ProtocolError):
    """At least one region file has an error; ``problems`` says which, where and what (never retriable)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        shown = "\n".join(str(p) for p in self.problems[:20])
        more = f"\n... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the protocols:\n{shown}{more}")
