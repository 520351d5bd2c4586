"""The whole chain of the cell a lookup chose, in order, for the ledger.

Resolution drops the contacts unavailable at the request time (``Lookup.skipped``); the ledger
needs them in their places, because availability is read again when each step comes up (a chain
runs for hours, and a contact closed at the request may be open by its turn, or the reverse).
"""

from __future__ import annotations

from services.reporting.protocols.regions import ProtocolSet
from services.reporting.resolution import ChainStep, Lookup


def full_chain(protocols: ProtocolSet, lookup: Lookup) -> tuple[ChainStep, ...]:
    if lookup.source is None:
        return ()
    loaded = protocols.get(lookup.source.region)
    if loaded is None:
        return lookup.chain
    cells = loaded.protocol.matrix.cells(lookup.source.need)
    if lookup.source.cell >= len(cells):
        return lookup.chain
    steps = []
    for step in cells[lookup.source.cell].chain:
        found = protocols.contact([loaded], step.contact)
        if found is not None:  # an unknown id is a validation error; resolution records it as skipped
            steps.append(ChainStep(contact=found[0], wait=step.wait, region=found[1].key))
    return tuple(steps)
