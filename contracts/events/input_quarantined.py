"""``InputQuarantined``: an intake could not turn an input into a signal and set it aside.

Ids and a reason only: never the content, the sender or a subject. The raw input stays where the
intake keeps it (for email: the quarantine folder, and the blob store under ``raw_sha256``), so an
operator can look at it with the right access and re-inject it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field

from contracts._base import Event
from contracts.events._common import Channel
from contracts.events.signal_received import (
    EmailSource,
    PhoneSource,
    SmsSource,
    SourceReference,
    WebformSource,
)
from contracts.ids import derive_id

ReasonCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_:.-]{1,79}$")]


def _locator(source: EmailSource | PhoneSource | WebformSource | SmsSource) -> str:
    if isinstance(source, SmsSource):
        return f"sms:{source.system}:{source.message_sid}"
    if isinstance(source, EmailSource):
        return f"email:{source.mailbox}:{source.uidvalidity}:{source.uid}"
    if isinstance(source, PhoneSource):
        return f"phone:{source.system}:{source.call_id}:{source.fragment}"
    return f"webform:{source.submission_id}"


class InputQuarantined(Event):
    """Key: the intake's service name (the ops.events key)."""

    EVENT_TYPE = "org.hotline.input.quarantined"
    VERSION = 1

    service: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,63}$")]
    channel: Channel
    source: SourceReference
    reason: ReasonCode
    raw_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    quarantined_at: AwareDatetime

    def event_id(self) -> str:
        # The same input set aside again (after a crash) is the same record: keyed by its bytes
        # when they were read, else by where it sits.
        return str(derive_id("input.quarantined", self.service, self.raw_sha256 or _locator(self.source)))

    def partition_key(self) -> str:
        return self.service
