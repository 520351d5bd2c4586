"""What an attachment is, told by its bytes: the accepted types, sniffing, names, and why one is refused.

A type is decided by the bytes, never by the name or the sender's word, and a file whose name or
declared type disagrees with its bytes is refused. Pure; messages never quote the file's content or name.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Final

ALLOWED_MEDIA_TYPES: Final[frozenset[str]] = frozenset(
    {"image/jpeg", "image/png", "image/webp", "application/pdf", "text/plain"}
)

ACCEPTED: Final = "photos (JPEG, PNG, WebP), PDF and plain text are accepted"

_MAX_FILENAME_BYTES: Final = 255
_MAX_EXTENSION_BYTES: Final = 16

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


def corrupt(media_type: str, filename: str | None) -> AttachmentRejected:
    """The refusal of a file of a known type that its decoder could not read."""
    return AttachmentRejected(
        RejectionCode.CORRUPT,
        f"The file looks like {media_type} but could not be read; it may be damaged or incomplete.",
        filename=filename, detected=media_type,
    )


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


def check_type(data: bytes, *, filename: str | None, declared_type: str | None) -> str:
    detected = sniff(data)
    if detected is None:
        raise AttachmentRejected(
            RejectionCode.UNSUPPORTED_TYPE,
            f"The file's type could not be recognised; {ACCEPTED}.",
            filename=filename,
        )
    if detected not in ALLOWED_MEDIA_TYPES:
        raise AttachmentRejected(
            RejectionCode.UNSUPPORTED_TYPE,
            f"The file is {detected}, which is not accepted; {ACCEPTED}.",
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
