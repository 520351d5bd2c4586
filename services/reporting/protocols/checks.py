"""The rules a schema cannot say: contact ids across files, chains that reach somebody, stale contacts.

A chain may name a contact of its own file or of a file it falls back to (its state, its country),
so a city file need not repeat the FBI field office. Contact ids are unique along that line.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from contracts.events import ReportNeed
from services.reporting.protocols.availability import serves
from services.reporting.protocols.conditions import shadows
from services.reporting.protocols.model import Availability, AvailabilityMode, Cell, Identifier
from services.reporting.protocols.problems import Problem, Severity
from services.reporting.protocols.regions import LoadedProtocol, ProtocolSet
from services.reporting.protocols.yaml_lines import PathPart


def run(protocols: ProtocolSet, *, today: date, max_age: timedelta) -> list[Problem]:
    problems: list[Problem] = []
    for loaded in protocols:
        problems += _contact_ids(protocols, loaded)
        problems += _references(protocols, loaded)
        problems += _chains(protocols, loaded)
        problems += _staleness(loaded, today, max_age)
        problems += _fallback(protocols, loaded)
    problems += _unused(protocols)
    return problems


def _problem(loaded: LoadedProtocol, path: tuple[PathPart, ...], severity: Severity, message: str) -> Problem:
    return Problem(str(loaded.path), loaded.line(*path), severity, message)


def _contact_ids(protocols: ProtocolSet, loaded: LoadedProtocol) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for index, contact in enumerate(loaded.protocol.contacts):
        path = ("contacts", index, "id")
        if contact.id in first:
            yield _problem(loaded, path, Severity.ERROR, f"duplicate contact id {contact.id!r} "
                           f"(first defined at line {loaded.line('contacts', first[contact.id], 'id')})")
            continue
        first[contact.id] = index
        for ancestor in protocols.ancestors(loaded):
            if any(c.id == contact.id for c in ancestor.protocol.contacts):
                yield _problem(loaded, path, Severity.ERROR, f"duplicate contact id {contact.id!r}: already "
                               f"defined in {ancestor.path.name}, which this file falls back to")
    seen: dict[str, int] = {}
    for index, report in enumerate(loaded.protocol.mandatory_reports):
        if report.id in seen:
            yield _problem(loaded, ("mandatory_reports", index, "id"), Severity.ERROR,
                           f"duplicate mandatory report id {report.id!r}")
        seen[report.id] = index
        for ancestor in protocols.ancestors(loaded):
            if any(r.id == report.id for r in ancestor.protocol.mandatory_reports):
                yield _problem(loaded, ("mandatory_reports", index, "id"), Severity.ERROR,
                               f"duplicate mandatory report id {report.id!r}: "
                               f"already in {ancestor.path.name}")


def _references(protocols: ProtocolSet, loaded: LoadedProtocol) -> Iterator[Problem]:
    files = ", ".join(p.path.name for p in protocols.line_from(loaded))
    references: list[tuple[tuple[PathPart, ...], Identifier]] = [
        (("matrix", need.value, c, "chain", s, "contact"), step.contact)
        for need in ReportNeed for c, cell in enumerate(loaded.protocol.matrix.cells(need))
        for s, step in enumerate(cell.chain)]
    references += [(("mandatory_reports", m, "contact"), report.contact)
                   for m, report in enumerate(loaded.protocol.mandatory_reports)]
    for path, contact_id in references:
        if protocols.contact([loaded], contact_id) is None:
            yield _problem(loaded, path, Severity.ERROR,
                           f"unknown contact {contact_id!r} (not defined in {files})")


def _chains(protocols: ProtocolSet, loaded: LoadedProtocol) -> Iterator[Problem]:
    for need in ReportNeed:
        cells = loaded.protocol.matrix.cells(need)
        for index, cell in enumerate(cells):
            path: tuple[PathPart, ...] = ("matrix", need.value, index)
            yield from _reach(protocols, loaded, path, cell)
            admitted = _admitted(cell)
            for earlier_index, earlier in enumerate(cells[:index]):
                if shadows(earlier.when, cell.when) and all(_always_reached(protocols, loaded, earlier, hours)
                                                            for hours in admitted):
                    yield _problem(loaded, path, Severity.ERROR, (
                        f"matrix.{need.value}[{index}]: this cell is never used: cell {earlier_index} "
                        f"(line {loaded.line(*path[:2], earlier_index)}) takes every case it matches "
                        f"(cells are tried in order: put the more specific first)"))
                    break


def _reach(protocols: ProtocolSet, loaded: LoadedProtocol, path: tuple[PathPart, ...],
           cell: Cell) -> Iterator[Problem]:
    contacts = [(s, found[0]) for s, step in enumerate(cell.chain)
                if (found := protocols.contact([loaded], step.contact)) is not None]
    if not contacts:
        return  # every step is already an unknown-contact error
    admitted = _admitted(cell)
    dead = [hours for hours in admitted if not any(serves(c.availability, hours) for _, c in contacts)]
    where = ".".join(str(p) for p in path[:2]) + f"[{path[2]}].chain"
    if len(dead) == len(admitted):
        who = ", ".join(f"{c.id} ({_mode(c.availability)})" for _, c in contacts)
        yield _problem(loaded, (*path, "chain"), Severity.ERROR,
                       f"{where}: nobody in this chain can be reached {_hours(dead[0])}: {who}")
        return
    for hours in dead:
        yield _problem(loaded, (*path, "chain"), Severity.WARNING,
                       f"{where}: nobody in this chain can be reached {_hours(hours)}: such reports go on "
                       f"to the next cell or the wider region")
    for step_index, contact in contacts:
        if not any(serves(contact.availability, hours) for hours in admitted):
            yield _problem(loaded, (*path, "chain", step_index, "contact"), Severity.WARNING,
                           f"{where}[{step_index}]: {contact.id} ({_mode(contact.availability)}) is never "
                           f"reached in this cell ({_hours(admitted[0])}): it is skipped")


def _always_reached(protocols: ProtocolSet, loaded: LoadedProtocol, cell: Cell, hours: bool) -> bool:
    # A contact with weekly windows can be out at the moment of a report, and the search then
    # passes the cell over: only a named availability makes the cell take every case it matches.
    return any(found is not None and isinstance(found[0].availability, AvailabilityMode)
               and serves(found[0].availability, hours)
               for found in (protocols.contact([loaded], step.contact) for step in cell.chain))


def _admitted(cell: Cell) -> list[bool]:
    return [True, False] if cell.when.business_hours is None else [cell.when.business_hours]


def _hours(business_hours: bool) -> str:
    return "in business hours" if business_hours else "after hours"


def _mode(availability: Availability) -> str:
    return availability.value if isinstance(availability, AvailabilityMode) else "weekly windows"


def _staleness(loaded: LoadedProtocol, today: date, max_age: timedelta) -> Iterator[Problem]:
    for index, contact in enumerate(loaded.protocol.contacts):
        path = ("contacts", index, "last_verified")
        age = today - contact.last_verified
        if age > max_age:
            yield _problem(loaded, path, Severity.WARNING, (
                f"contact {contact.id!r} was last verified on {contact.last_verified} ({age.days} days ago, "
                f"more than {max_age.days}): confirm it with the contact and update last_verified"))
        elif age < timedelta(0):
            yield _problem(loaded, path, Severity.WARNING,
                           f"contact {contact.id!r}: last_verified {contact.last_verified} is in the future")


def _fallback(protocols: ProtocolSet, loaded: LoadedProtocol) -> Iterator[Problem]:
    country = loaded.protocol.region.country
    if loaded.level > 0 and protocols.get(country) is None:
        yield _problem(loaded, ("region",), Severity.WARNING,
                       f"region: there is no national file {country}.yaml to fall back to")


def _unused(protocols: ProtocolSet) -> Iterator[Problem]:
    used: set[tuple[str, str]] = set()
    for loaded in protocols:
        ids = [step.contact for need in ReportNeed for cell in loaded.protocol.matrix.cells(need)
               for step in cell.chain]
        ids += [report.contact for report in loaded.protocol.mandatory_reports]
        for contact_id in ids:
            found = protocols.contact([loaded], contact_id)
            if found is not None:
                used.add((found[1].key, contact_id))
    for loaded in protocols:
        for index, contact in enumerate(loaded.protocol.contacts):
            if (loaded.key, contact.id) not in used:
                yield _problem(loaded, ("contacts", index, "id"), Severity.WARNING,
                               f"contact {contact.id!r} is in no chain or mandatory report")

