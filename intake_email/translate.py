"""Pure translation of a parsed email into a ``SignalReceived`` (no I/O)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Final
from uuid import UUID

from contracts import signal_id_for
from contracts.events import (
    AttachmentRef,
    Channel,
    ContactDetails,
    EmailSource,
    RelatedSignal,
    Reporter,
    SignalReceived,
)
from contracts.events.signal_received import MAX_NARRATIVE_CHARS
from contracts.reference_numbers import is_valid, reference_for
from intake_email.parse import ParsedEmail

_MEDIA_TYPE: Final = re.compile(r"^[a-z0-9.+-]+/[a-z0-9.+-]+$")


def dedup_key(parsed: ParsedEmail, raw_sha256: str) -> str:
    """Message-ID plus the content hash: the same message read twice (after a crash, or from two
    mailboxes) is the same signal; two different messages sharing a Message-ID are not."""
    return f"email:{parsed.message_id or 'none'}:{raw_sha256[:40]}"[:256]


def attachment_ref(sha256: str, content_type: str, size: int, filename: str | None) -> AttachmentRef:
    lowered = content_type.lower()
    media_type = lowered if _MEDIA_TYPE.fullmatch(lowered) else "application/octet-stream"
    name = None
    if filename:
        name = "".join(c for c in unicodedata.normalize("NFC", filename) if unicodedata.category(c)[0] != "C")
        name = name.replace("\\", "/").rsplit("/", 1)[-1][:255] or None
    return AttachmentRef(sha256=sha256, media_type=media_type[:127], size_bytes=size, filename=name)


def related_for(parsed: ParsedEmail, known: tuple[UUID, str] | None) -> RelatedSignal | None:
    """A reply to a message we took in links to its signal; otherwise a valid reference number quoted
    in the subject or the body links to that report."""
    if known is not None:
        return RelatedSignal(relation="reply", signal_id=known[0], reference_number=known[1])
    for reference in parsed.reference_numbers:
        if is_valid(reference):
            return RelatedSignal(relation="reply", reference_number=reference)
    return None


def to_signal(
    parsed: ParsedEmail,
    *,
    mailbox: str,
    uidvalidity: int,
    uid: int,
    raw_sha256: str,
    attachments: list[AttachmentRef],
    received_at: datetime,
    reference_secret: bytes,
    related: RelatedSignal | None = None,
) -> SignalReceived:
    key = dedup_key(parsed, raw_sha256)
    signal_id = signal_id_for(Channel.EMAIL, key)
    narrative = parsed.text.strip()[:MAX_NARRATIVE_CHARS]
    newest = parsed.newest.strip()
    newest_chars = len(newest) if narrative.startswith(newest) else len(narrative)
    # The sender's address is identifying data: it travels only in the event value, for review.
    reporter = (Reporter(anonymous=False, contact=ContactDetails(email=parsed.sender[:320]))
                if parsed.sender else Reporter())
    return SignalReceived(
        signal_id=signal_id,
        reference_number=reference_for(str(signal_id), reference_secret),
        channel=Channel.EMAIL,
        received_at=received_at,
        source=EmailSource(mailbox=mailbox[:256], uidvalidity=uidvalidity, uid=uid,
                           message_id=(parsed.message_id or None) and parsed.message_id[:998],
                           automated=parsed.automated.value if parsed.automated else None,
                           newest_chars=newest_chars, raw_sha256=raw_sha256),
        dedup_key=key,
        reporter=reporter,
        subject=parsed.subject[:1000] if parsed.subject else None,
        narrative=narrative,
        attachments=attachments[:100],
        related=related,
    )
