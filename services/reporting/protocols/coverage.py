"""Which cells of each region's matrix are empty or thin, as a report in that region would find them.

For every region file and need, each of the 64 situations (urgent or not, business hours or after,
foreign national or US citizen, minor or adult, male or female, labor or sex) is searched as a
report would be, fallback included:

- **empty**: no cell on the region's line reaches anybody;
- **thin**: the chain reaches a single contact, or a reached contact has a single channel (one
  unanswered phone and the chain is done);
- **ok**: otherwise.

``own`` counts the situations the region's own file answers rather than a file it falls back to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from contracts.events import ReportNeed
from services.reporting.protocols.conditions import COLUMNS, Situation, all_situations
from services.reporting.protocols.regions import Choice, ProtocolSet

Status = Literal["ok", "thin", "empty"]
SHORT_COLUMNS: Final = ("urg", "non", "bus", "aft", "for", "usc", "min", "adu", "male", "fem", "lab", "sex")


@dataclass(frozen=True)
class SituationCoverage:
    situation: Situation
    status: Status
    own: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class NeedCoverage:
    need: ReportNeed
    situations: tuple[SituationCoverage, ...]

    def count(self, status: Status) -> int:
        return sum(1 for s in self.situations if s.status == status)

    @property
    def own(self) -> int:
        return sum(1 for s in self.situations if s.own)

    def by_column(self) -> list[tuple[int, int]]:
        """Per column of ``COLUMNS``: (situations not ok, situations with that column's value)."""
        counts = []
        for _, name, value in COLUMNS:
            having = [s for s in self.situations if getattr(s.situation, name) == value]
            counts.append((sum(1 for s in having if s.status != "ok"), len(having)))
        return counts


@dataclass(frozen=True)
class RegionCoverage:
    key: str
    label: str
    file: str
    falls_back_to: tuple[str, ...]
    needs: tuple[NeedCoverage, ...]


def coverage(protocols: ProtocolSet) -> list[RegionCoverage]:
    regions = []
    for loaded in protocols:
        line = protocols.line_from(loaded)
        needs = []
        for need in ReportNeed:
            found = []
            for situation in all_situations():
                choice = protocols.choose(line, need, situation)
                status, reasons = classify(choice)
                own = choice.cell is not None and choice.cell.protocol is loaded
                found.append(SituationCoverage(situation, status, own, reasons))
            needs.append(NeedCoverage(need, tuple(found)))
        regions.append(RegionCoverage(loaded.key, loaded.protocol.region.label, str(loaded.path),
                                      tuple(p.key for p in line[1:]), tuple(needs)))
    return regions


def classify(choice: Choice) -> tuple[Status, tuple[str, ...]]:
    if choice.cell is None:
        return "empty", ()
    reasons = []
    if len({step.contact.id for step in choice.steps}) < 2:
        reasons.append("one contact")
    if any(len(step.contact.channels) < 2 for step in choice.steps):
        reasons.append("one channel")
    return ("thin" if reasons else "ok"), tuple(reasons)


def render_text(regions: Sequence[RegionCoverage]) -> str:
    width = max(len(n.value) for n in ReportNeed) + 2
    out = ["64 situations per need. ok: 2+ contacts reached, each with 2+ channels; thin: one contact, or",
           "a contact with one channel; empty: nobody reached. 'own': answered by the region's own file.",
           "By column: situations not ok (thin or empty), of the 32 with that column's value:"]
    legend = [f"{short}={heading}" for short, (heading, _, _) in zip(SHORT_COLUMNS, COLUMNS, strict=True)]
    out += ["  " + "  ".join(legend[:6]), "  " + "  ".join(legend[6:]), ""]
    for region in regions:
        fallback = f" (falls back to {', '.join(region.falls_back_to)})" if region.falls_back_to else ""
        label = f"  {region.label}" if region.label != region.key else ""
        out.append(f"{region.key}{label}{fallback}")
        header = f"  {'need':<{width}}{'ok':>4}{'thin':>6}{'empty':>7}{'own':>5}  "
        out.append(header + "".join(f"{c:>5}" for c in SHORT_COLUMNS))
        for need in region.needs:
            row = (f"  {need.need.value:<{width}}{need.count('ok'):>4}{need.count('thin'):>6}"
                   f"{need.count('empty'):>7}{need.own:>5}  ")
            out.append(row + "".join(f"{bad:>5}" for bad, _ in need.by_column()))
        out.append("")
    return "\n".join(out)
