"""A corpus of varied raw emails, built in code (fake people and places only), with what each must become.

Used by the parser's unit tests and the email intake's Dovecot tests: every message is either
a signal or a quarantine record.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from PIL import Image

WHEN = datetime(2026, 3, 16, 14, 5, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    name: str
    raw: bytes
    quarantine: bool = False
    automated: str | None = None
    contains: tuple[str, ...] = ()
    newest_excludes: tuple[str, ...] = ()
    body_type: str | None = None
    attachments: int | None = None
    references: tuple[str, ...] = ()
    in_reply_to: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _message(
    subject: str,
    body: str,
    *,
    sender: str = "Ana Tipster <ana.tipster@example.org>",
    headers: dict[str, str] | None = None,
    msgid: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "tips@hotline.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(WHEN)
    message["Message-ID"] = msgid or make_msgid(domain="example.org")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (120, 10, 10)).save(buffer, "JPEG")
    return buffer.getvalue()


TIPS_EN = [
    "There are three young women living in the back of the massage parlor on Elm Street. They never leave.",
    "My neighbor's nanny works 16 hours a day and they took her passport. She says she owes them money.",
    "I think a 16 year old girl is being sold online. The ads show the same motel on Route 9 every weekend.",
    "Workers at the farm on County Road 12 sleep in a locked barn. The crew boss keeps their pay.",
    "A man drives girls to the truck stop at night and takes their money. One of them looked very young.",
    "I was promised a job in a restaurant. Now I work without pay and they say they will hurt my family.",
]
TIPS_ES = [
    "Hay unas muchachas que trabajan en la cantina y no las dejan salir. Una parece menor de edad.",
    "Mi prima trabaja en una casa y le quitaron el pasaporte. No le pagan desde hace meses.",
    "En el rancho hay hombres que duermen encerrados y el patrón dice que deben dinero.",
    "Un hombre lleva a chicas al motel todas las noches. Tengo miedo de que les pase algo.",
]


def corpus() -> list[Case]:
    cases: list[Case] = []
    # Plain tips, English and Spanish.
    for i, text in enumerate(TIPS_EN + TIPS_ES):
        cases.append(
            Case(
                f"plain-{i}",
                bytes(_message(f"Report {i}", text)),
                contains=(text[:30],),
                body_type="text/plain",
                attachments=0,
            )
        )
    # HTML only.
    for i, text in enumerate(TIPS_EN[:4] + TIPS_ES[:2]):
        message = _message(f"HTML {i}", "placeholder")
        message.clear_content()
        message.set_content(
            f"<html><head><style>p{{color:red}}</style></head><body><p>{text}</p>"
            f"<script>alert(1)</script><p>Gracias / thanks</p></body></html>",
            subtype="html",
        )
        cases.append(
            Case(
                f"html-{i}",
                bytes(message),
                contains=(text[:30], "Gracias"),
                body_type="text/html",
                newest_excludes=("alert(1)", "color:red"),
            )
        )
    # multipart/alternative: the plain part wins.
    for i, text in enumerate(TIPS_EN[:4]):
        message = _message(f"Alt {i}", text)
        message.add_alternative(f"<p>{text}</p>", subtype="html")
        cases.append(Case(f"alternative-{i}", bytes(message), contains=(text[:30],), body_type="text/plain"))
    # Attachments and inline images.
    for i in range(5):
        message = _message(f"Photos {i}", "Pictures of the house attached.")
        message.add_attachment(_jpeg(), maintype="image", subtype="jpeg", filename=f"house-{i}.jpg")
        if i % 2:
            message.add_attachment(
                b"%PDF-1.4\n%fake\n", maintype="application", subtype="pdf", filename="flyer.pdf"
            )
        cases.append(
            Case(
                f"attachment-{i}", bytes(message), contains=("Pictures of the house",), attachments=1 + i % 2
            )
        )
    # Non-UTF-8 charsets, declared and wrongly declared.
    spanish = "Niña de 15 años en el salón de uñas. Está asustada."
    for i, charset in enumerate(("iso-8859-1", "windows-1252", "iso-8859-15")):
        raw = (
            f"From: tio@example.org\r\nSubject: =?{charset}?q?Ni=F1a?=\r\nMessage-ID: <cs{i}@example.org>\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset={charset}\r\n"
            f"Content-Transfer-Encoding: 8bit\r\n\r\n"
        ).encode() + spanish.encode(charset)
        cases.append(Case(f"charset-{charset}", raw, contains=("Niña de 15 años",)))
    raw = (
        b"From: x@example.org\r\nSubject: wrong charset\r\nMessage-ID: <wrong@example.org>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    ) + spanish.encode("latin-1")
    cases.append(Case("charset-declared-wrong", raw, contains=("de 15", "asustada")))
    raw = (
        b"From: x@example.org\r\nSubject: unknown charset\r\nMessage-ID: <unk@example.org>\r\n"
        b"Content-Type: text/plain; charset=x-klingon\r\n\r\nThey keep the girls in the basement.\r\n"
    )
    cases.append(Case("charset-unknown", raw, contains=("girls in the basement",)))
    raw = (
        "From: x@example.org\r\nSubject: base64 bad\r\nMessage-ID: <b64@example.org>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(b"Dos menores en el hotel.").decode()[:-3]
        + "!!\r\n"
    ).encode()
    cases.append(Case("base64-damaged", raw))
    # Broken MIME: missing and wrong boundaries.
    raw = (
        b"From: x@example.org\r\nSubject: broken boundary\r\nMessage-ID: <bb1@example.org>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="abc"\r\n\r\n'
        b"--abc\r\nContent-Type: text/plain\r\n\r\nThe boss locks the door at night.\r\n--ab"
    )
    cases.append(Case("boundary-unterminated", raw, contains=("locks the door",)))
    raw = (
        b"From: x@example.org\r\nSubject: no boundary\r\nMessage-ID: <bb2@example.org>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\nThey took our phones.\r\n"
    )
    cases.append(Case("boundary-missing", raw, contains=("took our phones",)))
    raw = (
        b"From: x@example.org\r\nSubject: wrong boundary\r\nMessage-ID: <bb3@example.org>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="zzz"\r\n\r\n'
        b"--yyy\r\nContent-Type: text/plain\r\n\r\nSomeone is hurt at the motel.\r\n--yyy--\r\n"
    )
    cases.append(Case("boundary-wrong", raw))
    # Missing headers.
    cases.append(
        Case(
            "no-message-id",
            b"From: x@example.org\r\nSubject: hi\r\n\r\nNo Message-ID here.\r\n",
            contains=("No Message-ID",),
        )
    )
    cases.append(
        Case(
            "no-from-no-subject",
            b"Message-ID: <nf@example.org>\r\n\r\nJust a body.\r\n",
            contains=("Just a body",),
        )
    )
    cases.append(Case("no-date", b"From: x@example.org\r\nSubject: undated\r\n\r\nUndated tip.\r\n"))
    cases.append(
        Case("bad-date", b"From: x@example.org\r\nDate: yesterday-ish\r\nSubject: s\r\n\r\nTip.\r\n")
    )
    # Huge headers.
    huge = b"X-Junk: " + b"a" * 200_000 + b"\r\n"
    cases.append(
        Case(
            "huge-header-line",
            b"From: x@example.org\r\nSubject: huge\r\n" + huge + b"\r\nBody after a huge header.\r\n",
            contains=("Body after a huge header",),
        )
    )
    many = b"".join(b"X-Many-%d: value\r\n" % n for n in range(20_000))
    cases.append(
        Case(
            "many-headers",
            b"From: x@example.org\r\nSubject: many\r\n" + many + b"\r\nBody after many headers.\r\n",
        )
    )
    # Replies and forwards.
    original_id = "<original-1@example.org>"
    reply = _message(
        "Re: Report 1",
        "More detail: they moved her to Dallas last night.\n\n"
        "On Mon, 16 Mar 2026 at 10:00, Ana wrote:\n> There are three young women living in the back\n",
        headers={"In-Reply-To": original_id, "References": original_id},
    )
    cases.append(
        Case(
            "reply-en",
            bytes(reply),
            contains=("moved her to Dallas",),
            in_reply_to=original_id,
            newest_excludes=("three young women",),
        )
    )
    reply = _message(
        "RE: HT-7K3M-Q9XW4 more info",
        "Otra cosa: la llevaron a Houston.\n\n"
        "El lun, 16 mar 2026 a las 10:00, Ana escribió:\n> Hay unas muchachas\n",
    )
    cases.append(
        Case(
            "reply-es-reference-in-subject",
            bytes(reply),
            references=("HT-7K3M-Q9XW4",),
            newest_excludes=("Hay unas muchachas",),
        )
    )
    body = (
        "Regarding my report ht-7k3m-q9xw4: the van is white.\n\n"
        "-----Original Message-----\nFrom: me\nOld text"
    )
    cases.append(
        Case(
            "reference-in-body",
            bytes(_message("follow up", body)),
            references=("HT-7K3M-Q9XW4",),
            newest_excludes=("Old text",),
        )
    )
    forward = _message(
        "Fwd: tip from the school",
        "Forwarding this from a teacher.\n\n"
        "---------- Forwarded message ---------\nFrom: teacher@example.org\n"
        "A student told me she is forced to work at night.\n",
        sender="Officer Diaz <diaz@police.example>",
    )
    cases.append(
        Case(
            "forwarded-by-law-enforcement",
            bytes(forward),
            contains=("forced to work at night",),
            newest_excludes=("forced to work",),
        )
    )
    signed = _message("tip", "The bar on 5th keeps girls upstairs.\n\n-- \nAna Tipster\n555-0100")
    cases.append(Case("signature", bytes(signed), newest_excludes=("555-0100",)))
    iphone = _message("tip", "Hay niñas en la casa azul.\n\nEnviado desde mi iPhone")
    cases.append(Case("signature-mobile-es", bytes(iphone), newest_excludes=("iPhone",)))
    outlook = _message(
        "RE: tip",
        "Yes she is still there.\n\nFrom: Hotline <tips@hotline.example>\n"
        "Sent: Monday\nSubject: tip\nWe received your message.",
    )
    cases.append(Case("reply-outlook", bytes(outlook), newest_excludes=("We received",)))
    # Auto-replies.
    for i, (headers, subject) in enumerate(
        [
            ({"Auto-Submitted": "auto-replied"}, "Re: your message"),
            ({"X-Autoreply": "yes"}, "Re: tip"),
            ({"Precedence": "auto_reply"}, "Re: tip"),
            ({"Precedence": "bulk"}, "Newsletter"),
            ({}, "Out of Office: Re: case"),
            ({}, "Automatic reply: tip"),
            ({}, "Respuesta automática: reporte"),
            ({}, "Fuera de la oficina"),
            ({"X-Autorespond": "vacation"}, "I am on vacation"),
        ]
    ):
        message = _message(
            subject, "I am away until Monday.", headers=headers, sender="Auto Responder <away@example.com>"
        )
        cases.append(Case(f"auto-reply-{i}", bytes(message), automated="auto_reply"))
    # Bounces.
    bounce = EmailMessage()
    bounce["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.net>"
    bounce["To"] = "tips@hotline.example"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce["Message-ID"] = "<bounce-1@mx.example.net>"
    bounce.set_content("This is the mail system. Your message could not be delivered.")
    cases.append(Case("bounce-daemon", bytes(bounce), automated="bounce"))
    report = (
        b"From: postmaster@mx.example.net\r\nSubject: Delivery Status Notification (Failure)\r\n"
        b"Message-ID: <dsn-1@mx.example.net>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        b"--R\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        b"--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n"
        b"Action: failed\r\nStatus: 5.1.1\r\n\r\n--R--\r\n"
    )
    cases.append(Case("bounce-multipart-report", report, automated="bounce", contains=("Delivery failed",)))
    cases.append(
        Case(
            "bounce-subject",
            bytes(_message("Mail delivery failed: returning message", "failed", sender="x@example.net")),
            automated="bounce",
        )
    )
    # Things that are not mail at all: quarantine.
    cases.append(Case("empty", b"", quarantine=True))
    cases.append(Case("whitespace", b"\r\n\r\n   \r\n", quarantine=True))
    cases.append(Case("binary", b"\x00\x01\x02\x03PK\x03\x04" + bytes(range(256)) * 4, quarantine=True))
    cases.append(Case("body-only", b"\r\n\r\nno headers at all, just text", quarantine=True))
    return cases
