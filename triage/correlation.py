"""Correlation: link signals that name the same entity within a window, and recognise repeated signals.

Entities are keyed with HMAC-SHA256 under a secret from the settings, so the store (and anything
that ever dumps it) holds no phone number, address or e-mail, and the keys cannot be reversed by
hashing a phone book without the secret.

The window is shared by every triage worker and survives restarts: each worker publishes the keys
a signal names to ``entities.sighted`` (one ``EntitiesSighted`` per signal, published with the
signal's outputs, so it costs no extra round trip on the urgent path) and reads that whole topic
back into this store (``triage.sightings``), from the start of the window when it starts and then
as it grows. A worker links a signal against every sighting it has read plus its own, so signals
on different partitions, and before a restart, meet.

Why a topic read whole rather than a faust table or PostgreSQL: a table is partitioned by its
key, and signals arrive partitioned by signal id, so a table keyed by entity would need every
signal re-published to a repartition topic keyed by each of its entities and a second agent to
read it back (a broker round trip on the path of every urgent signal, and a changelog to restore
on each rebalance); PostgreSQL would make triage, today a Kafka-only service, stop when the
database does. The window is small (a national hotline: tens of thousands of signals a year) and
bounded by ``max_keys``, so every worker can hold all of it. The price: two signals naming the
same entity triaged on different workers within the topic's round trip (milliseconds) may not
see each other. Links are advice to a supervisor, not a delivery guarantee.

Repeated signals are recognised per worker: the same dedup key gives the same signal id, hence
the same partition, the same worker and the same deterministic output ids, which every consumer
already ignores when repeated (after a restart or a rebalance they may be fanned out again).
"""

from __future__ import annotations

import hashlib
import hmac
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from contracts.events import EntityKind, LinkedSignal
from triage.entities import Entity

MAX_LINKS = 20


class EntityKeyer:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the entity key secret needs at least 16 bytes")
        self._secret = secret

    def key(self, entity: Entity) -> str:
        material = f"{entity.kind.value}\x1f{entity.value}".encode()
        return hmac.new(self._secret, material, hashlib.sha256).hexdigest()[:32]

    def dedup_key(self, channel: str, dedup_key: str) -> str:
        material = f"dedup\x1f{channel}\x1f{dedup_key}".encode()
        return hmac.new(self._secret, material, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class _Sighting:
    signal_id: UUID
    received_at: datetime
    kind: EntityKind


class CorrelationStore:
    """Entity hash -> recent sightings, and the dedup keys of signals already fanned out (both bounded)."""

    def __init__(self, *, window: timedelta, max_keys: int = 200_000, per_key: int = 50) -> None:
        self._window = window
        self._max_keys = max_keys
        self._per_key = per_key
        self._sightings: OrderedDict[str, deque[_Sighting]] = OrderedDict()
        self._done: OrderedDict[str, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._sightings)

    def link(
        self, signal_id: UUID, received_at: datetime, keyed: list[tuple[str, EntityKind]]
    ) -> list[LinkedSignal]:
        """Earlier signals sharing a key within the window; records this signal's sightings."""
        shared: dict[UUID, set[EntityKind]] = {}
        oldest = received_at - self._window
        for key, kind in keyed:
            sightings = self._sightings_of(key)
            # Most recent first, and no further than MAX_LINKS other signals: a phone number that
            # every spam message repeats must not make each new signal cost a scan of all of them.
            for seen in reversed(sightings):
                if len(shared) >= MAX_LINKS and seen.signal_id not in shared:
                    break
                if seen.signal_id != signal_id and oldest <= seen.received_at <= received_at + self._window:
                    shared.setdefault(seen.signal_id, set()).add(seen.kind)
            self._add(sightings, _Sighting(signal_id, received_at, kind))
        return [LinkedSignal(signal_id=sid, shared=sorted(kinds))
                for sid, kinds in list(shared.items())[:MAX_LINKS]]

    def remember(self, signal_id: UUID, received_at: datetime, keyed: list[tuple[str, EntityKind]]) -> None:
        """Record another worker's (or an earlier run's) sightings; a sighting already held is ignored."""
        for key, kind in keyed:
            self._add(self._sightings_of(key), _Sighting(signal_id, received_at, kind))

    def _sightings_of(self, key: str) -> deque[_Sighting]:
        sightings = self._sightings.get(key)
        if sightings is None:
            sightings = self._sightings[key] = deque(maxlen=self._per_key)
            if len(self._sightings) > self._max_keys:
                self._sightings.popitem(last=False)
        else:
            self._sightings.move_to_end(key)
        return sightings

    @staticmethod
    def _add(sightings: deque[_Sighting], sighting: _Sighting) -> None:
        # The same signal comes back from the topic (this worker's own, a redelivery): once each.
        if all(seen.signal_id != sighting.signal_id for seen in sightings):
            sightings.append(sighting)

    def already_fanned_out(self, dedup_hash: str) -> bool:
        return dedup_hash in self._done

    def fanned_out(self, dedup_hash: str) -> None:
        self._done[dedup_hash] = None
        self._done.move_to_end(dedup_hash)
        if len(self._done) > self._max_keys:
            self._done.popitem(last=False)
