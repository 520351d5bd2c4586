"""Reading one raw email as the hotline needs it. Pure: bytes in, a ``ParsedEmail`` or ``Unparseable`` out.

Real mail is messy: wrong or unknown charsets, broken MIME boundaries, HTML-only bodies, megabyte
headers, replies quoting whole threads, auto-replies and bounces. Every one of those has an answer
here that is not a crash. Python's ``email`` package does the MIME work (modern policy); header
blocks are capped before it sees them; HTML becomes text with BeautifulSoup; the newest message is
separated from quoted history and signatures, while the full text is kept.
"""

from __future__ import annotations

import email
import email.policy
import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import Final

from bs4 import BeautifulSoup

from contracts.reference_numbers import find_written

MAX_HEADER_BYTES: Final = 64 * 1024
MAX_HEADER_LINE: Final = 8 * 1024
MAX_PARTS: Final = 500
_MESSAGE_ID: Final = re.compile(r"<[^<>\s]{1,900}>")
_FALLBACK_CHARSETS: Final = ("utf-8", "cp1252")


class Automated(enum.StrEnum):
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"


class Unparseable(Exception):
    """The bytes are not a message we can read at all; the reason names what was wrong, not the content."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str | None
    content_type: str
    data: bytes = field(repr=False)
    inline: bool = False


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str | None
    subject: str | None
    sender: str | None
    date: datetime | None
    in_reply_to: str | None
    references: tuple[str, ...]
    text: str = field(repr=False)  # the whole readable body
    newest: str = field(repr=False)  # the newest message, without quoted history or signature
    body_type: str  # text/plain, text/html or none
    automated: Automated | None
    attachments: tuple[ParsedAttachment, ...]
    reference_numbers: tuple[str, ...]  # as ``HT-XXXX-XXXXX``; canonical when the check holds
    defects: tuple[str, ...]


# ---------------------------------------------------------------- headers


def _cap_headers(raw: bytes) -> tuple[bytes, list[str]]:
    """Trim the header block to ``MAX_HEADER_BYTES`` and each header line to ``MAX_HEADER_LINE``."""
    defects: list[str] = []
    match = re.search(rb"\r?\n\r?\n", raw)
    head, body = (raw[: match.start()], raw[match.start():]) if match else (raw, b"")
    if len(head) > MAX_HEADER_BYTES:
        head = head[:MAX_HEADER_BYTES].rsplit(b"\n", 1)[0]
        defects.append("headers_truncated")
    lines = head.split(b"\n")
    if any(len(line) > MAX_HEADER_LINE for line in lines):
        lines = [line[:MAX_HEADER_LINE] for line in lines]
        defects.append("header_line_truncated")
    return b"\n".join(lines) + body, defects


def _header(message: Message, name: str) -> str | None:
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError, AttributeError):
        return None
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _message_ids(value: str | None) -> tuple[str, ...]:
    return tuple(_MESSAGE_ID.findall(value or ""))


def _sender(message: Message) -> str | None:
    value = _header(message, "From")
    if not value:
        return None
    addresses = [address for _, address in getaddresses([value]) if "@" in address]
    return addresses[0] if addresses else None


def _date(message: Message) -> datetime | None:
    value = _header(message, "Date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


# ---------------------------------------------------------------- bodies


def _decode(part: Message) -> str:
    """A text part as str, whatever its declared charset claims; never raises."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload()).encode("utf-8", "replace")
    declared = part.get_content_charset()
    for charset in ((declared,) if declared else ()) + _FALLBACK_CHARSETS:
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1")  # every byte is a character: the last resort cannot fail


def html_to_text(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "head", "title", "noscript"]):
        hidden.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(["p", "div", "tr", "li", "h1", "h2", "h3", "h4", "blockquote"]):
        block.insert_after("\n")
    text = soup.get_text()
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or (
        part.get_filename() is not None and part.get_content_maintype() != "multipart")


def _walk(message: Message) -> tuple[str, str, list[ParsedAttachment]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[ParsedAttachment] = []
    for count, part in enumerate(message.walk()):
        if count > MAX_PARTS:
            break
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        if part.get_content_maintype() == "multipart":
            # A multipart without a usable boundary arrives as one opaque payload: read it as text.
            plain.append(_decode(part))
            continue
        if _is_attachment(part) or part.get_content_maintype() != "text":
            if content_type in ("message/delivery-status", "message/rfc822-headers"):
                plain.append(_decode(part))
                continue
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload:
                try:
                    filename = part.get_filename()
                except (ValueError, TypeError, IndexError):
                    filename = None
                attachments.append(ParsedAttachment(
                    filename=filename, content_type=content_type, data=payload,
                    inline=(part.get_content_disposition() or "") == "inline"))
            continue
        if content_type == "text/html":
            html.append(_decode(part))
        else:
            plain.append(_decode(part))
    if any(text.strip() for text in plain):
        return "\n\n".join(t.strip() for t in plain if t.strip()), "text/plain", attachments
    if html:
        return "\n\n".join(html_to_text(h) for h in html), "text/html", attachments
    return "", "none", attachments


# ---------------------------------------------------------------- newest message, quotes, signature

_QUOTE_STARTS: Final = re.compile(
    r"^(?:On .{0,200}wrote:|El .{0,200}escribi[óo]:|Le .{0,200}a écrit :|"
    r"-{2,}\s*(?:Original Message|Mensaje original|Forwarded message|Mensaje reenviado)\s*-{2,}|"
    r"Begin forwarded message:|Inicio del mensaje reenviado:|"
    r"From:\s.+|De:\s.+|_{8,})\s*$",
    re.IGNORECASE,
)
_SIGNATURE_STARTS: Final = re.compile(
    r"^(?:-- ?|Sent from my \w+.*|Enviado desde mi \w+.*|Get Outlook for \w+.*|Obtener Outlook para \w+.*)$",
    re.IGNORECASE,
)


def newest_part(text: str) -> str:
    """The reporter's own new words: stops at quoted history, a reply header or a signature."""
    kept: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        quoted = stripped.startswith(">") or _QUOTE_STARTS.match(stripped)
        if quoted or _SIGNATURE_STARTS.match(line.rstrip()):
            break
        kept.append(line)
    newest = "\n".join(kept).strip()
    return newest or text.strip()


# ---------------------------------------------------------------- automated mail

_AUTO_SUBJECT: Final = re.compile(
    r"^(?:auto(?:matic)?\s*(?:reply|response)|auto:|out of (?:the )?office|away from (?:the )?office|"
    r"vacation|on vacation|respuesta autom[áa]tica|fuera de la oficina|ausente|de vacaciones|"
    r"undeliverable|undelivered mail|delivery status notification|mail delivery failed|"
    r"returned mail|failure notice)",
    re.IGNORECASE,
)


def _automated(message: Message, subject: str | None, sender: str | None) -> Automated | None:
    if message.get_content_type() == "multipart/report":
        return Automated.BOUNCE
    local = (sender or "").split("@")[0].lower()
    if local in ("mailer-daemon", "postmaster"):
        return Automated.BOUNCE
    auto_submitted = (_header(message, "Auto-Submitted") or "no").lower()
    precedence = (_header(message, "Precedence") or "").lower()
    if auto_submitted != "no" or _header(message, "X-Autoreply") or _header(message, "X-Autorespond") \
            or precedence in ("bulk", "auto_reply", "junk", "list"):
        return Automated.AUTO_REPLY
    if subject and _AUTO_SUBJECT.match(subject.strip()):
        lowered = subject.lower()
        bounce_words = ("undeliver", "delivery", "returned mail", "failure")
        return Automated.BOUNCE if any(w in lowered for w in bounce_words) else Automated.AUTO_REPLY
    return None


# ---------------------------------------------------------------- the whole message


def parse(raw: bytes) -> ParsedEmail:
    """Read one message. Raises ``Unparseable`` only for bytes that are not an email at all."""
    if not raw.strip():
        raise Unparseable("empty")
    capped, defects = _cap_headers(raw)
    try:
        message = email.message_from_bytes(capped, policy=email.policy.default)
    except Exception as error:  # noqa: BLE001 - any parser failure is a quarantine, not a crash
        raise Unparseable(f"parser_error:{type(error).__name__}") from None
    if not isinstance(message, EmailMessage):  # the modern policy always makes one
        raise Unparseable("parser_error:not_a_message")
    if not message.keys():
        raise Unparseable("no_headers")
    if b"\x00" in capped[:4096] and not any(_header(message, h) for h in ("From", "Subject", "Message-ID")):
        raise Unparseable("binary_content")
    defects.extend(sorted({type(d).__name__ for part in message.walk() for d in part.defects}))
    subject = _header(message, "Subject")
    sender = _sender(message)
    try:
        text, body_type, attachments = _walk(message)
    except Exception as error:  # noqa: BLE001 - a body we cannot walk is quarantined, not a crash
        raise Unparseable(f"body_error:{type(error).__name__}") from None
    message_ids = _message_ids(_header(message, "Message-ID"))
    in_reply_to = _message_ids(_header(message, "In-Reply-To"))
    # However the number was written (spaced as it is read out, lower case, O for 0): canonical.
    references = find_written(f"{subject or ''}\n{text}")
    return ParsedEmail(
        message_id=message_ids[0] if message_ids else None,
        subject=subject,
        sender=sender,
        date=_date(message),
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=_message_ids(_header(message, "References")),
        text=text,
        newest=newest_part(text),
        body_type=body_type,
        automated=_automated(message, subject, sender),
        attachments=tuple(attachments),
        reference_numbers=references,
        defects=tuple(defects),
    )
