"""``ReplyRequested`` and ``ReplyOutcome``: a supervisor's reply to a texter, and what became of it.

Review asks; the SMS intake, the only holder of the texter's number and of the account that can
send, decides whether the reply may go (the texter did not opt out, texts are safe for them, the
words do not name the hotline unless the texter did) and sends it or refuses it. The request
carries the words of the reply (never the number: ``recipient_key`` is the texter's keyed hash,
as in ``SmsSource.sender_key``); the outcome carries ids, a kind and a reason code only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from contracts._base import Event
from contracts.events.signal_received import ReferenceNumber
from contracts.ids import derive_id

KeyHex = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")]

MAX_REPLY_CHARS = 1000  # long enough to help, short enough for a few SMS segments


class ReplyRequested(Event):
    """A reply to a texter, requested from a case page. Key: ``recipient_key``, so one person's
    replies stay in order."""

    EVENT_TYPE = "org.hotline.reply.requested"
    VERSION = 1

    reply_id: UUID
    case_id: UUID
    # The text being answered: its conversation is where the reply goes.
    signal_id: UUID
    reference_number: ReferenceNumber
    channel: Literal["sms"] = "sms"
    recipient_key: KeyHex
    body: Annotated[str, Field(min_length=1, max_length=MAX_REPLY_CHARS)]
    requested_by_role: Literal["supervisor", "admin"]
    requested_at: AwareDatetime

    def event_id(self) -> str:
        return str(self.reply_id)

    def partition_key(self) -> str:
        return self.recipient_key


class ReplyOutcomeKind(StrEnum):
    SENT = "sent"  # the provider took it
    REFUSED = "refused"  # not sent, on purpose (``reason`` says why)
    FAILED = "failed"  # the provider refused it or could not be reached
    # The intake stopped while sending: the reply may or may not have gone. It is never sent
    # again on its own (a second text to someone in danger costs more than a missing one).
    INTERRUPTED = "interrupted"


class ReplyOutcome(Event):
    """The one final outcome of a reply. Key: ``reply_id``."""

    EVENT_TYPE = "org.hotline.reply.outcome"
    VERSION = 1

    reply_id: UUID
    case_id: UUID
    signal_id: UUID
    kind: ReplyOutcomeKind
    # refused: opted_out, texts_not_safe, names_hotline, unknown_recipient;
    # failed: provider_refused, provider_unavailable; interrupted: interrupted.
    reason: Code | None = None
    occurred_at: AwareDatetime

    def event_id(self) -> str:
        return str(derive_id("reply.outcome", str(self.reply_id)))

    def partition_key(self) -> str:
        return str(self.reply_id)
