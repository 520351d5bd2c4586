"""Attachments from the public (the tip form's uploads, MMS media): checked by content and scrubbed
of anything that names the reporter.

People who send photos and documents to the hotline may be in danger, so nothing they send is kept
as it came: images are decoded and re-encoded without EXIF (GPS, camera, author), XMP, ICC profiles,
comments or text chunks; PDFs are rebuilt page by page without the document information
dictionary, XMP streams, embedded files or the metadata segments of embedded JPEGs. Types are
decided by the bytes, never by the name or the sender's word, and a file whose name or declared
type disagrees with its bytes is refused.

Everything here is pure: bytes in, bytes out, no I/O and no logging. Error messages are plain English
sentences that never quote the file's content or its name. This module is the surface callers use;
the types are told in ``attachment_types``, photos scrubbed in ``attachment_images`` and PDFs in
``attachment_pdfs``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from services.runtime.attachment_images import MAX_PIXELS, PILLOW_FORMATS, scrub_image
from services.runtime.attachment_pdfs import scrub_pdf
from services.runtime.attachment_types import (
    ALLOWED_MEDIA_TYPES,
    AttachmentRejected,
    RejectionCode,
    check_type,
    sanitize_filename,
    sniff,
)

__all__ = [
    "ALLOWED_MEDIA_TYPES",
    "MAX_PIXELS",
    "AttachmentRejected",
    "CleanAttachment",
    "RejectionCode",
    "sanitize_filename",
    "scrub",
    "sniff",
]


@dataclass(frozen=True, slots=True)
class CleanAttachment:
    """Scrubbed bytes ready to store; repr leaves out the bytes and the name so logs never carry them."""

    data: bytes = field(repr=False)
    media_type: str
    filename: str | None = field(repr=False)
    sha256: str

    @property
    def size_bytes(self) -> int:
        return len(self.data)


def scrub(data: bytes, *, filename: str | None, declared_type: str | None, max_bytes: int) -> CleanAttachment:
    """Check an upload and return it without metadata, or raise AttachmentRejected saying why not."""
    name = sanitize_filename(filename)
    if not data:
        raise AttachmentRejected(RejectionCode.EMPTY, "The file is empty.", filename=name)
    # Before any parsing, so an oversized upload costs nothing more than having received it.
    if len(data) > max_bytes:
        raise AttachmentRejected(
            RejectionCode.TOO_LARGE, f"The file is larger than the limit of {max_bytes} bytes.", filename=name
        )
    media_type = check_type(data, filename=name, declared_type=declared_type)
    if media_type in PILLOW_FORMATS:
        clean = scrub_image(data, media_type, name)
    elif media_type == "application/pdf":
        clean = scrub_pdf(data, name)
    else:
        clean = data  # plain text: already proven to be UTF-8 without stray control characters
    return CleanAttachment(
        data=clean, media_type=media_type, filename=name, sha256=hashlib.sha256(clean).hexdigest()
    )
