"""Attachments from the public (the tip form's uploads, MMS media): checked by content and scrubbed
of anything that names the reporter.

People who send photos and documents to the hotline may be in danger, so nothing they send is kept
as it came: images are decoded and re-encoded without EXIF (GPS, camera, author), XMP, ICC profiles,
comments or text chunks; PDFs are rebuilt page by page without the document information
dictionary, XMP streams, embedded files or the metadata segments of embedded JPEGs. Types are
decided by the bytes, never by the name or the sender's word, and a file whose name or declared
type disagrees with its bytes is refused.

Everything here is pure: bytes in, bytes out, no I/O and no logging. Error messages are plain English
sentences that never quote the file's content or its name.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from PIL import Image, ImageOps
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

__all__ = [
    "ALLOWED_MEDIA_TYPES",
    "AttachmentRejected",
    "CleanAttachment",
    "RejectionCode",
    "sanitize_filename",
    "scrub",
    "sniff",
]

ALLOWED_MEDIA_TYPES: Final[frozenset[str]] = frozenset(
    {"image/jpeg", "image/png", "image/webp", "application/pdf", "text/plain"}
)

# Pillow's own guard warns above MAX_IMAGE_PIXELS and raises above twice that. 50 megapixels is more
# than any phone camera produces; a small file declaring more is a decompression bomb. The module-level
# setting is deliberate: this process only decodes untrusted images, so the stricter limit is right
# for every caller. scrub() also checks the size itself so the limit does not rest on a warning.
MAX_PIXELS: Final = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_JPEG_QUALITY: Final = 90
_WEBP_QUALITY: Final = 90
_MAX_FILENAME_BYTES: Final = 255
_MAX_EXTENSION_BYTES: Final = 16

_ACCEPTED: Final = "photos (JPEG, PNG, WebP), PDF and plain text are accepted"

_PILLOW_FORMATS: Final[dict[str, str]] = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}

# Declared types browsers send that we read as something we already know; the rest are compared as-is.
_DECLARED_ALIASES: Final[dict[str, str]] = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}
# Declared types that say nothing about the file: compare nothing.
_UNINFORMATIVE_TYPES: Final = frozenset({"", "application/octet-stream"})

# Extensions a reporter is likely to meet; a name ending in one of these must agree with the bytes.
# Unknown extensions say nothing and are not compared.
_EXTENSION_TYPES: Final[dict[str, str]] = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg", "jfif": "image/jpeg",
    "png": "image/png", "webp": "image/webp", "pdf": "application/pdf", "txt": "text/plain",
    "gif": "image/gif", "heic": "image/heic", "heif": "image/heif", "avif": "image/avif",
    "tif": "image/tiff", "tiff": "image/tiff", "bmp": "image/bmp", "svg": "image/svg+xml",
    "htm": "text/html", "html": "text/html", "rtf": "application/rtf",
    "zip": "application/zip", "7z": "application/x-7z-compressed", "rar": "application/vnd.rar",
    "gz": "application/gzip",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "exe": "application/x-msdownload", "dll": "application/x-msdownload", "msi": "application/x-msdownload",
    "mp4": "video/mp4", "mov": "video/quicktime", "mp3": "audio/mpeg", "wav": "audio/wav",
}

# Magic numbers that decide a type on their own, checked before anything else.
_PREFIXES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"PK\x07\x08", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"\x7fELF", "application/x-executable"),
    (b"\xfe\xed\xfa\xce", "application/x-mach-binary"),
    (b"\xfe\xed\xfa\xcf", "application/x-mach-binary"),
    (b"\xce\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xca\xfe\xba\xbe", "application/x-mach-binary"),
    (b"ID3", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
    (b"{\\rtf", "application/rtf"),
    (b"%!PS", "application/postscript"),
)
# Two-byte magics that plain text can start with too: only believed when the bytes are not text.
_WEAK_PREFIXES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"MZ", "application/x-msdownload"),
    (b"BM", "image/bmp"),
)
_RIFF_KINDS: Final[dict[bytes, str]] = {
    b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo",
}
_FTYP_BRANDS: Final[dict[bytes, str]] = {
    b"heic": "image/heic", b"heix": "image/heic", b"hevc": "image/heic", b"hevx": "image/heic",
    b"heim": "image/heic", b"heis": "image/heic", b"mif1": "image/heif", b"msf1": "image/heif",
    b"avif": "image/avif", b"avis": "image/avif", b"qt  ": "video/quicktime",
}
_OOXML_PARTS: Final[dict[bytes, str]] = {
    b"word/": _EXTENSION_TYPES["docx"], b"xl/": _EXTENSION_TYPES["xlsx"], b"ppt/": _EXTENSION_TYPES["pptx"],
}
# C0 controls that ordinary text files contain; any other one means the bytes are not text.
_TEXT_CONTROLS: Final = frozenset("\t\n\r\f")
# Bidirectional overrides let "photo\u202egpj.exe" display as "photoexe.jpg": never keep them in a name.
_BIDI_CONTROLS: Final = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# PDF keys dropped at every depth when a page is copied: metadata streams, private application data
# (which carries author and tool names), annotation authors and dates, and embedded files we cannot scrub.
_PDF_EXCLUDED_KEYS: Final = ("/Metadata", "/PieceInfo", "/LastModified", "/T", "/M", "/CreationDate", "/EF")
# JPEG markers kept inside PDF images: APP0 (JFIF) and APP14 (Adobe, needed to read CMYK colours right).
# Every other APPn segment (EXIF, XMP, ICC, maker notes) and comments are dropped.
_JPEG_KEPT_APP: Final = frozenset({0xE0, 0xEE})
_DCT_FILTERS: Final = (NameObject("/DCTDecode"), ArrayObject([NameObject("/DCTDecode")]))


class RejectionCode(StrEnum):
    TOO_LARGE = "too_large"
    EMPTY = "empty"
    UNSUPPORTED_TYPE = "unsupported_type"
    MISLABELLED = "mislabelled"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"


class AttachmentRejected(ValueError):
    """An attachment we will not store; ``str(e)`` is a sentence safe to show and to log."""

    def __init__(
        self, code: RejectionCode, message: str, *, filename: str | None = None, detected: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.filename = filename
        self.detected = detected


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


# ---------------------------------------------------------------- file names


def sanitize_filename(name: str | None) -> str | None:
    """The name to keep for a file: its last path part, without control characters, at most 255 bytes."""
    if name is None:
        return None
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) != "Cc" and c not in _BIDI_CONTROLS).strip()
    if name in ("", ".", ".."):
        return None
    return _cap_filename(name)


def _cap_filename(name: str) -> str:
    if len(name.encode()) <= _MAX_FILENAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    suffix = dot + extension
    if not stem or len(suffix.encode()) > _MAX_EXTENSION_BYTES:
        stem, suffix = name, ""
    budget = _MAX_FILENAME_BYTES - len(suffix.encode())
    # Cut on bytes, then drop a multi-byte character the cut split in half.
    return stem.encode()[:budget].decode(errors="ignore") + suffix


def _extension_type(filename: str | None) -> str | None:
    if filename is None or "." not in filename:
        return None
    return _EXTENSION_TYPES.get(filename.rpartition(".")[2].lower())


# ---------------------------------------------------------------- sniffing


def sniff(data: bytes) -> str | None:
    """The media type the bytes themselves show, refused types included, or None when we cannot tell."""
    if not data:
        return None
    for prefix, media_type in _PREFIXES:
        if data.startswith(prefix):
            return _refine_zip(data) if media_type == "application/zip" else media_type
    container = _sniff_container(data)
    if container is not None:
        return container
    if _is_text(data):
        return _sniff_markup(data) or "text/plain"
    for prefix, media_type in _WEAK_PREFIXES:
        if data.startswith(prefix):
            return media_type
    return None


def _sniff_container(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and len(data) >= 12:
        return _RIFF_KINDS.get(data[8:12])
    if data[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(data[8:12], "video/mp4")
    return None


def _refine_zip(data: bytes) -> str:
    # Office documents are zip files; name them so the reporter understands why they are refused.
    for part, media_type in _OOXML_PARTS.items():
        if b"[Content_Types].xml" in data and part in data:
            return media_type
    return "application/zip"


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(c < " " and c not in _TEXT_CONTROLS for c in text)


def _sniff_markup(data: bytes) -> str | None:
    # SVG and HTML are text that a browser runs: refuse them by name rather than keep them as text.
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\f").lower()
    if not head.startswith(b"<"):
        return None
    if b"<svg" in head:
        return "image/svg+xml"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "text/html"
    return None


# ---------------------------------------------------------------- checks


def _normalise_declared(declared_type: str | None) -> str | None:
    if declared_type is None:
        return None
    media_type = declared_type.split(";", 1)[0].strip().lower()
    if media_type in _UNINFORMATIVE_TYPES:
        return None
    return _DECLARED_ALIASES.get(media_type, media_type)


def _declared_agrees(declared: str | None, detected: str) -> bool:
    if declared is None or declared == detected:
        return True
    # Browsers call .md, .csv or .log files text/markdown, text/csv...: all are plain text to us.
    return detected == "text/plain" and declared.startswith("text/") and declared != "text/html"


def _check_type(data: bytes, *, filename: str | None, declared_type: str | None) -> str:
    detected = sniff(data)
    if detected is None:
        raise AttachmentRejected(
            RejectionCode.UNSUPPORTED_TYPE,
            f"The file's type could not be recognised; {_ACCEPTED}.",
            filename=filename,
        )
    if detected not in ALLOWED_MEDIA_TYPES:
        raise AttachmentRejected(
            RejectionCode.UNSUPPORTED_TYPE,
            f"The file is {detected}, which is not accepted; {_ACCEPTED}.",
            filename=filename, detected=detected,
        )
    if not _declared_agrees(_normalise_declared(declared_type), detected):
        raise AttachmentRejected(
            RejectionCode.MISLABELLED,
            f"The file was sent as one type but its content is {detected}.",
            filename=filename, detected=detected,
        )
    by_name = _extension_type(filename)
    if by_name is not None and by_name != detected:
        raise AttachmentRejected(
            RejectionCode.MISLABELLED,
            f"The file's name says {by_name} but its content is {detected}.",
            filename=filename, detected=detected,
        )
    return detected


# ---------------------------------------------------------------- scrubbing


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
    media_type = _check_type(data, filename=name, declared_type=declared_type)
    if media_type in _PILLOW_FORMATS:
        clean = _scrub_image(data, media_type, name)
    elif media_type == "application/pdf":
        clean = _scrub_pdf(data, name)
    else:
        clean = data  # plain text: already proven to be UTF-8 without stray control characters
    return CleanAttachment(
        data=clean, media_type=media_type, filename=name, sha256=hashlib.sha256(clean).hexdigest()
    )


def _corrupt(media_type: str, filename: str | None) -> AttachmentRejected:
    return AttachmentRejected(
        RejectionCode.CORRUPT,
        f"The file looks like {media_type} but could not be read; it may be damaged or incomplete.",
        filename=filename, detected=media_type,
    )


def _too_many_pixels(media_type: str, filename: str | None) -> AttachmentRejected:
    return AttachmentRejected(
        RejectionCode.TOO_LARGE,
        f"The image has more than {MAX_PIXELS // 1_000_000} megapixels, which is more than is accepted.",
        filename=filename, detected=media_type,
    )


def _scrub_image(data: bytes, media_type: str, filename: str | None) -> bytes:
    pillow_format = _PILLOW_FORMATS[media_type]
    try:
        # formats= keeps Pillow from trying every other decoder on bytes we already identified.
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(media_type, filename)
            # Turn the pixels the way the camera meant, since the Orientation tag goes with the rest.
            upright = ImageOps.exif_transpose(image)
            return _encode(upright, pillow_format)
    except AttachmentRejected:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(media_type, filename) from exc
    except Exception as exc:
        # Pillow reports damaged input with many exception types (OSError, SyntaxError, ValueError,
        # struct.error...); to the reporter they all mean the same thing.
        raise _corrupt(media_type, filename) from exc


def _encode(image: Image.Image, pillow_format: str) -> bytes:
    # Savers fall back to image.info for ICC profiles (PNG) and comments (JPEG): start from nothing and
    # keep only palette transparency, which is part of the picture rather than about it.
    transparency = image.info.get("transparency")
    image.info = {}
    out = io.BytesIO()
    if pillow_format == "JPEG":
        image.save(out, format="JPEG", quality=_JPEG_QUALITY)
    elif pillow_format == "PNG":
        extra = {} if transparency is None else {"transparency": transparency}
        image.save(out, format="PNG", optimize=False, **extra)
    else:
        image.save(out, format="WEBP", quality=_WEBP_QUALITY)
    return out.getvalue()


def _scrub_pdf(data: bytes, filename: str | None) -> bytes:
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
        if not encrypted:
            clean = _rebuild_pdf(reader)
            _verify_pdf(clean)
    except Exception as exc:
        raise _corrupt("application/pdf", filename) from exc
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
