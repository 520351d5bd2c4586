"""PDFs scrubbed: rebuilt page by page without the information dictionary, XMP, attachments, JPEG metadata."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Final

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    EncodedStreamObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
)

from services.runtime.attachment_types import AttachmentRejected, RejectionCode, corrupt

# PDF keys dropped at every depth when a page is copied: metadata streams, private application data
# (which carries author and tool names), annotation authors and dates, and embedded files we cannot scrub.
_PDF_EXCLUDED_KEYS: Final = ("/Metadata", "/PieceInfo", "/LastModified", "/T", "/M", "/CreationDate", "/EF")
# JPEG markers kept inside PDF images: APP0 (JFIF) and APP14 (Adobe, needed to read CMYK colours right).
# Every other APPn segment (EXIF, XMP, ICC, maker notes) and comments are dropped.
_JPEG_KEPT_APP: Final = frozenset({0xE0, 0xEE})
_DCT_FILTERS: Final = (NameObject("/DCTDecode"), ArrayObject([NameObject("/DCTDecode")]))


def scrub_pdf(data: bytes, filename: str | None) -> bytes:
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
        if not encrypted:
            clean = _rebuild_pdf(reader)
            _verify_pdf(clean)
    except Exception as exc:
        raise corrupt("application/pdf", filename) from exc
    if encrypted:
        raise AttachmentRejected(
            RejectionCode.ENCRYPTED,
            "The PDF is encrypted or password protected; please send it without protection.",
            filename=filename, detected="application/pdf",
        )
    return clean


def _rebuild_pdf(reader: PdfReader) -> bytes:
    # A new document that receives only the pages: the catalog (XMP, outlines, attached files, scripts)
    # and the /Info dictionary of the original are never copied.
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page, excluded_keys=_PDF_EXCLUDED_KEYS)
    for page in writer.pages:
        for stream in _jpeg_streams(page):
            _replace_raw_data(stream, _strip_jpeg_metadata(StreamObject.get_data(stream)))
    writer.metadata = None  # pypdf adds /Producer by default; leave no /Info at all
    writer.xmp_metadata = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _verify_pdf(clean: bytes) -> None:
    # Whatever pypdf does in a future version, a PDF that still has document metadata is not stored.
    reader = PdfReader(io.BytesIO(clean))
    if reader.metadata or "/Metadata" in reader.root_object:
        raise ValueError("document metadata survived the rebuild")


def _replace_raw_data(stream: StreamObject, data: bytes) -> None:
    # The base class methods read and write the bytes as stored; the encoded-stream overrides would
    # decode them and can only re-encode Flate, not DCT.
    StreamObject.set_data(stream, data)
    if isinstance(stream, EncodedStreamObject):
        stream.decoded_self = None


def _jpeg_streams(page: DictionaryObject) -> Iterator[StreamObject]:
    """Every DCT-encoded image stream the page can reach through its resources."""
    seen: set[int] = set()
    pending: list[PdfObject | None] = [page.get("/Resources")]
    while pending:
        obj = pending.pop()
        if isinstance(obj, IndirectObject):
            obj = obj.get_object()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, StreamObject) and obj.get("/Filter") in _DCT_FILTERS:
            yield obj
        if isinstance(obj, DictionaryObject):
            pending.extend(v for k, v in obj.items() if k != "/Parent")
        elif isinstance(obj, ArrayObject):
            pending.extend(obj)


def _strip_jpeg_metadata(data: bytes) -> bytes:
    """A JPEG without APPn segments other than JFIF and Adobe, and without comments; pixels untouched."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG stream")
    out = bytearray(b"\xff\xd8")
    pos = 2
    while True:
        while data[pos] == 0xFF and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes before a marker
        if data[pos] != 0xFF:
            raise ValueError("JPEG marker expected")
        marker = data[pos + 1]
        if marker == 0xDA or marker == 0xD9:  # start of scan, or end of image: copy the rest as it is
            out += data[pos:]
            return bytes(out)
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if length < 2 or pos + 2 + length > len(data):
            raise ValueError("JPEG segment runs past the end")
        is_app = 0xE1 <= marker <= 0xEF and marker not in _JPEG_KEPT_APP
        if not (is_app or marker == 0xFE):
            out += data[pos:pos + 2 + length]
        pos += 2 + length
