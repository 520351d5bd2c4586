"""What is wrong with a protocol file, where: ``file:line: severity: message``, as compilers print it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.reporting.protocols.yaml_lines import PathPart


class Severity(StrEnum):
    ERROR = "error"  # the file is not used as it stands, or a report could go to the wrong place
    WARNING = "warning"  # worth a protocol owner's look: stale or unused contacts, nobody after hours


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


def dotted(path: Sequence[PathPart]) -> str:
    """``('contacts', 2, 'channels', 0)`` to ``contacts[2].channels[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
