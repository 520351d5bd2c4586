"""``EntitiesSighted``: the keyed hashes of the entities one signal names, for triage's correlation.

Every triage worker reads the whole topic, so a signal is linked to earlier ones whichever worker
triaged them and across restarts. It carries HMAC-SHA256 keys (under triage's entity key secret)
and kinds, never a phone number, address or e-mail: without the secret a key cannot be tested
against a phone book.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field

from contracts._base import ContractModel, Event
from contracts.events.signal_triaged import EntityKind
from contracts.ids import derive_id

MAX_SIGHTED = 100


class SightedEntity(ContractModel):
    key: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    kind: EntityKind


class EntitiesSighted(Event):
    """Key: ``signal_id``. One record per signal that names any entity; a repeat has the same id."""

    EVENT_TYPE = "org.hotline.entities.sighted"
    VERSION = 1

    signal_id: UUID
    received_at: AwareDatetime
    entities: Annotated[list[SightedEntity], Field(min_length=1, max_length=MAX_SIGHTED)]

    def event_id(self) -> str:
        return str(derive_id("entities.sighted", str(self.signal_id)))

    def partition_key(self) -> str:
        return str(self.signal_id)
