"""The loaded region files, and the search for a chain: city or county, then state, then national.

Per need and per situation, the most specific file is searched first. In a file, the need's cells
are tried in order and the first whose ``when`` holds **and** that reaches somebody under the
situation wins (a cell with no ``when`` matches everything: put it last). A cell whose conditions
hold but whose contacts are all unavailable (say, a business-hours detective after hours) is passed
over, and the search goes on: the next cell, then the state file, then the national file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from contracts.events import Jurisdiction, ReportNeed
from services.reporting.protocols.availability import available_at, serves
from services.reporting.protocols.conditions import Situation, matches
from services.reporting.protocols.model import Cell, Contact, ProtocolFile, slug
from services.reporting.protocols.yaml_lines import PathPart, YamlDocument


@dataclass(frozen=True)
class LoadedProtocol:
    """A region file that passed the schema, with the line of each of its keys."""

    path: Path
    protocol: ProtocolFile
    document: YamlDocument

    @property
    def key(self) -> str:
        return self.protocol.region.key

    @property
    def level(self) -> int:
        """0 national, 1 state, 2 city or county."""
        region = self.protocol.region
        return 2 if region.local_name else 1 if region.state else 0

    def line(self, *path: PathPart) -> int:
        return self.document.line_of(path)[0]


@dataclass(frozen=True)
class ChosenStep:
    contact: Contact
    wait: timedelta
    defined_in: LoadedProtocol


@dataclass(frozen=True)
class CellRef:
    protocol: LoadedProtocol
    need: ReportNeed
    index: int

    @property
    def line(self) -> int:
        return self.protocol.line("matrix", self.need.value, self.index)


@dataclass(frozen=True)
class Choice:
    """The cell a search settled on (``None``: nothing in the whole line reaches anybody)."""

    cell: CellRef | None
    steps: tuple[ChosenStep, ...]
    skipped: tuple[tuple[str, str], ...]  # (contact id, why it is left out)
    passed_over: tuple[CellRef, ...]


class ProtocolSet:
    """The region files of a directory, by key (``US``, ``US-TX``, ``US-TX-houston``)."""

    def __init__(self, protocols: Iterable[LoadedProtocol] = ()) -> None:
        self._by_key: dict[str, LoadedProtocol] = {}
        for loaded in protocols:
            self._by_key.setdefault(loaded.key, loaded)

    def __iter__(self) -> Iterator[LoadedProtocol]:
        return iter(sorted(self._by_key.values(), key=lambda p: (p.level, p.key)))

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, key: str) -> LoadedProtocol | None:
        return self._by_key.get(key)

    def ancestors(self, loaded: LoadedProtocol) -> list[LoadedProtocol]:
        """The files ``loaded`` falls back to, nearest first: its state, then its country."""
        region = loaded.protocol.region
        keys = []
        if loaded.level == 2 and region.state:
            keys.append(f"{region.country}-{region.state}")
        if loaded.level >= 1:
            keys.append(region.country)
        return [p for p in (self._by_key.get(k) for k in keys) if p is not None]

    def fallback_line(self, jurisdiction: Jurisdiction) -> list[LoadedProtocol]:
        """Most specific first: files for the city (by name, then by ``covers``), the state, the country."""
        line: list[LoadedProtocol] = []
        if jurisdiction.state and jurisdiction.city:
            wanted = slug(jurisdiction.city)
            local = [p for p in self if p.level == 2 and p.protocol.region.country == jurisdiction.country
                     and p.protocol.region.state == jurisdiction.state]
            line += [p for p in local if slug(p.protocol.region.local_name or "") == wanted]
            line += [p for p in local
                     if p not in line and wanted in {slug(c) for c in p.protocol.region.covers}]
        for key in (f"{jurisdiction.country}-{jurisdiction.state}" if jurisdiction.state else None,
                    jurisdiction.country):
            found = self._by_key.get(key) if key else None
            if found is not None:
                line.append(found)
        return line

    def line_from(self, loaded: LoadedProtocol) -> list[LoadedProtocol]:
        return [loaded, *self.ancestors(loaded)]

    def contact(self, line: Sequence[LoadedProtocol],
                contact_id: str) -> tuple[Contact, LoadedProtocol] | None:
        """A contact id as a chain in ``line[0]`` sees it: its own file, then the files it falls back to."""
        for loaded in self.line_from(line[0]) if line else ():
            for contact in loaded.protocol.contacts:
                if contact.id == contact_id:
                    return contact, loaded
        return None

    def choose(self, line: Sequence[LoadedProtocol], need: ReportNeed, situation: Situation,
               at: datetime | None = None) -> Choice:
        passed_over: list[CellRef] = []
        for position, loaded in enumerate(line):
            for index, cell in enumerate(loaded.protocol.matrix.cells(need)):
                if not matches(cell.when, situation):
                    continue
                ref = CellRef(loaded, need, index)
                steps, skipped = self._steps(line[position:], cell, situation, at)
                if steps:
                    return Choice(ref, steps, skipped, tuple(passed_over))
                passed_over.append(ref)
        return Choice(None, (), (), tuple(passed_over))

    def _steps(self, line: Sequence[LoadedProtocol], cell: Cell, situation: Situation,
               at: datetime | None) -> tuple[tuple[ChosenStep, ...], tuple[tuple[str, str], ...]]:
        steps: list[ChosenStep] = []
        skipped: list[tuple[str, str]] = []
        for step in cell.chain:
            found = self.contact(line, step.contact)
            if found is None:
                skipped.append((step.contact, "unknown contact"))
            elif not _reachable(found[0], situation, at):
                when = ("in business hours" if situation.business_hours else "after hours") if at is None \
                    else f"at {at.isoformat()}"
                skipped.append((step.contact, f"not available {when}"))
            else:
                steps.append(ChosenStep(found[0], step.wait, found[1]))
        return tuple(steps), tuple(skipped)


def _reachable(contact: Contact, situation: Situation, at: datetime | None) -> bool:
    if at is None:
        return serves(contact.availability, situation.business_hours)
    return available_at(contact.availability, at)
