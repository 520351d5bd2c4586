"""Deterministic identifiers: every output's id is derived from its input, so a replay yields the same id."""

from __future__ import annotations

import uuid

# A fixed namespace for this project's UUIDv5 ids. Never change it: ids already written
# to topics and databases were derived under it.
HOTLINE_NAMESPACE = uuid.UUID("6f1d2a9c-4b7e-5c3a-9e21-0d8f7a6b5c4e")


def derive_id(kind: str, *parts: str) -> uuid.UUID:
    """A UUIDv5 over ``kind`` and ``parts``; parts are joined unambiguously (length-prefixed)."""
    if not kind:
        raise ValueError("derive_id needs a non-empty kind")
    material = "\x1f".join(f"{len(p)}:{p}" for p in (kind, *parts))
    return uuid.uuid5(HOTLINE_NAMESPACE, material)


def signal_id_for(channel: str, dedup_key: str) -> uuid.UUID:
    """The signal id of an intake: the same message taken in twice gets the same id."""
    return derive_id("signal", channel, dedup_key)
