"""Whether a case's texter may get a reply from a supervisor, and why not. Pure (over signal rows).

Texts are safe for a texter only when they said so: the SMS intake marks each of their texts with
the reporter's safe-contact field ``text_ok`` (they opted in with START and have not sent STOP
since). The latest text of the case decides, since each one carries the texter's standing when
it arrived. The SMS intake checks again before sending: this is what the case page shows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Protocol

REFUSALS: Final = {
    "opted_out": "the texter sent STOP",
    "texts_not_safe": "texts are not known to be safe for the texter",
    "names_hotline": "it named the hotline, which the texter has not",
    "unknown_recipient": "the texter's number is no longer kept",
    "provider_refused": "the provider refused it",
    "provider_unavailable": "the provider could not be reached",
    "interrupted": "the intake stopped while sending: it may or may not have arrived",
}


class TextRow(Protocol):
    @property
    def signal_id(self) -> uuid.UUID: ...
    @property
    def channel(self) -> str: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def source(self) -> dict[str, Any] | None: ...
    @property
    def reporter(self) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class TextStanding:
    """Where a reply would go (the case's latest text) and whether it may."""

    signal_id: uuid.UUID
    recipient_key: str | None
    texts_ok: bool
    why_not: str | None  # in staff's words, when a reply may not go


def standing(signals: Iterable[TextRow]) -> TextStanding | None:
    """None for a case without texts."""
    texts = [s for s in signals if s.channel == "sms" and s.source]
    if not texts:
        return None
    latest = max(texts, key=lambda s: s.received_at)
    source = latest.source or {}
    key = source.get("sender_key")
    safe = ((latest.reporter or {}).get("safe_contact") or {}).get("text_ok") is True
    why_not = None
    if key is None:
        why_not = "The texter's number could not be read (a short code or a name): no reply can reach them."
    elif source.get("keyword") == "stop":
        why_not = "The texter sent STOP: nothing more may be sent to them unless they text START."
    elif not safe:
        why_not = ("Texts are not known to be safe for this texter: they have not opted in to replies "
                   "(texting START does). Someone else may read their phone.")
    return TextStanding(signal_id=latest.signal_id, recipient_key=key, texts_ok=why_not is None,
                        why_not=why_not)
