"""Pure translation of Twilio's messaging webhook into a ``SignalReceived`` (no I/O).

Twilio's parameter names are used as Twilio sends them (MessageSid, From, To, Body, NumMedia,
MediaUrl0.., MediaContentType0..). The sender's number is read here and never leaves this
module's callers except as ``sender_key`` (the keyed hash callers get too) and the region hint;
the conversation store alone keeps the number, for replies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from contracts import signal_id_for
from contracts.events import (
    AttachmentRef,
    Channel,
    RelatedSignal,
    Reporter,
    SafeContact,
    SignalReceived,
    SmsMedia,
    SmsSource,
)
from contracts.events.signal_received import MAX_NARRATIVE_CHARS
from contracts.reference_numbers import reference_for
from intake_sms.wording import Keyword, keyword_of
from services.runtime.phone_numbers import caller_key, e164, region_hint

MAX_MEDIA: Final = 10  # Twilio delivers at most ten media with one message
_SID: Final = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")
_MEDIA_SID: Final = re.compile(r"/(ME[0-9a-fA-F]{32})/?$")
_MEDIA_TYPE: Final = re.compile(r"^[a-z0-9.+-]+/[a-z0-9.+-]+$")


class BadCallback(ValueError):
    """A signed callback that is not an inbound message this intake can read (the message says which
    parameter, never its value)."""


@dataclass(frozen=True)
class MediaItem:
    """One medium as Twilio announced it: where to fetch it and what Twilio says it is."""

    url: str
    declared_type: str | None
    media_sid: str | None


@dataclass(frozen=True)
class InboundText:
    """An inbound text as read from the webhook. ``number`` is for the conversation store only."""

    message_sid: str
    number: str | None  # E.164; None for senders without a readable number (short codes, names)
    sender_key: str | None
    region_hint: str | None
    body: str
    keyword: Keyword | None
    num_media: int
    media: tuple[MediaItem, ...]

    @property
    def dedup_key(self) -> str:
        return f"twilio-sms:{self.message_sid}"

    @property
    def signal_id(self) -> UUID:
        return signal_id_for(Channel.SMS, self.dedup_key)


@dataclass(frozen=True)
class Conversation:
    """Where a text belongs: its conversation's first signal and number, and its place in it."""

    conversation_id: UUID
    reference_number: str
    sequence: int


def read_params(params: dict[str, str], *, secret: bytes, default_region: str = "US") -> InboundText:
    """Read a messaging webhook's parameters. Raises ``BadCallback``."""
    message_sid = params.get("MessageSid") or params.get("SmsMessageSid") or ""
    if not _SID.match(message_sid):
        raise BadCallback("MessageSid is missing or not a Twilio message SID")
    sender = params.get("From", "")
    if not sender:
        raise BadCallback("From is missing")
    number = e164(sender, default_region)
    try:
        num_media = int(params.get("NumMedia") or "0")
    except ValueError:
        raise BadCallback("NumMedia is not a number") from None
    if not 0 <= num_media <= MAX_MEDIA:
        raise BadCallback(f"NumMedia must be between 0 and {MAX_MEDIA}")
    media = []
    for index in range(num_media):
        url = params.get(f"MediaUrl{index}", "")
        declared = (params.get(f"MediaContentType{index}") or "").strip().lower()
        found = _MEDIA_SID.search(url)
        media.append(MediaItem(url=url, declared_type=declared if _MEDIA_TYPE.match(declared) else None,
                               media_sid=found.group(1) if found else None))
    body = params.get("Body", "")
    return InboundText(message_sid=message_sid, number=number,
                       sender_key=caller_key(number, secret) if number else None,
                       region_hint=region_hint(number) if number else None,
                       body=body, keyword=keyword_of(body), num_media=num_media, media=tuple(media))


def text_signal(
    inbound: InboundText,
    *,
    conversation: Conversation,
    texts_ok: bool,
    media: list[SmsMedia],
    attachments: list[AttachmentRef],
    received_at: datetime,
    secret: bytes,
) -> SignalReceived:
    """The text as a signal. The conversation's first text opens a case; every later one is a
    follow-up of that first signal, so review keeps the thread in one case and triage sees each.
    ``texts_ok``: the texter opted in to replies (and has not opted out since)."""
    signal_id = inbound.signal_id
    first = conversation.conversation_id == signal_id
    return SignalReceived(
        signal_id=signal_id,
        reference_number=reference_for(str(signal_id), secret),
        channel=Channel.SMS,
        received_at=received_at,
        source=SmsSource(message_sid=inbound.message_sid, sender_key=inbound.sender_key,
                         sender_region_hint=inbound.region_hint, conversation_id=conversation.conversation_id,
                         sequence=conversation.sequence, keyword=inbound.keyword,
                         num_media=inbound.num_media, media=media),
        dedup_key=inbound.dedup_key,
        # Anonymous: the number is not an identity the texter gave. The safe-contact fields say
        # whether texts are safe for them, which is what a reply from review needs.
        reporter=Reporter(consent_to_contact=texts_ok, safe_contact=SafeContact(text_ok=texts_ok)),
        narrative=inbound.body[:MAX_NARRATIVE_CHARS],
        attachments=attachments,
        related=None if first else RelatedSignal(relation="follow_up", signal_id=conversation.conversation_id,
                                                 reference_number=conversation.reference_number),
    )
