"""From a parsed email to a ``SignalReceived``, and the watcher's state store."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts.events import Channel
from contracts.reference_numbers import is_valid, reference_for
from intake_email.parse import parse
from intake_email.state import KnownSignal, MailboxState, StateStore
from intake_email.translate import attachment_ref, dedup_key, related_for, to_signal
from tests.builders import reference_with_lookalikes, written_forms
from tests.email_corpus import _message, corpus

CASES = {c.name: c for c in corpus()}
SECRET = b"email-test-secret"
NOW = datetime(2026, 3, 16, 14, 10, tzinfo=UTC)


def _signal(name: str, **kwargs: object):  # type: ignore[no-untyped-def]
    raw = CASES[name].raw
    parsed = parse(raw)
    return parsed, to_signal(parsed, mailbox="INBOX", uidvalidity=7, uid=42,
                             raw_sha256=hashlib.sha256(raw).hexdigest(), attachments=[], received_at=NOW,
                             reference_secret=SECRET, **kwargs)  # type: ignore[arg-type]


def test_a_plain_tip_becomes_an_email_signal_with_the_sender_only_in_the_value() -> None:
    parsed, signal = _signal("plain-2")
    assert signal.channel is Channel.EMAIL and signal.source.kind == "email"
    assert signal.source.uid == 42 and signal.source.message_id == parsed.message_id
    assert signal.reporter.contact is not None and signal.reporter.contact.email == "ana.tipster@example.org"
    assert not signal.reporter.consent_to_contact  # nobody asked: no automatic replies
    assert is_valid(signal.reference_number) and signal.narrative.startswith("I think a 16 year old")


def test_the_same_message_is_the_same_signal_and_another_is_not() -> None:
    _, once = _signal("plain-0")
    _, twice = _signal("plain-0")
    _, other = _signal("plain-1")
    assert once.signal_id == twice.signal_id and once.dedup_key == twice.dedup_key
    assert other.signal_id != once.signal_id


def test_a_reused_message_id_with_other_content_is_another_signal() -> None:
    parsed = parse(CASES["plain-0"].raw)
    assert dedup_key(parsed, "a" * 64) != dedup_key(parsed, "b" * 64)


def test_automated_mail_is_marked_and_the_newest_part_is_located() -> None:
    _, auto = _signal("auto-reply-0")
    assert auto.source.kind == "email" and auto.source.automated == "auto_reply"
    parsed, reply = _signal("reply-en")
    assert reply.source.kind == "email" and reply.source.newest_chars is not None
    assert reply.narrative[: reply.source.newest_chars] == parsed.newest.strip()


def test_replies_link_by_thread_first_then_by_a_valid_quoted_reference() -> None:
    known = (uuid.uuid4(), reference_for("x", SECRET))
    parsed = parse(CASES["reply-en"].raw)
    by_thread = related_for(parsed, known)
    assert by_thread is not None and by_thread.signal_id == known[0]
    quoted = parse(CASES["reply-es-reference-in-subject"].raw)
    by_number = related_for(quoted, None)
    # The corpus quotes a well-formed number whose check character may or may not hold.
    assert (by_number is not None) == is_valid("HT-7K3M-Q9XW4")
    assert related_for(parse(CASES["plain-0"].raw), None) is None


QUOTED = reference_with_lookalikes(b"the web intake's secret")


@pytest.mark.parametrize(("form", "written"), written_forms(QUOTED).items())
@pytest.mark.parametrize("where", ["subject", "body"])
def test_a_valid_quoted_reference_links_in_every_written_form(form: str, written: str, where: str) -> None:
    subject, body = (f"About {written}", "The van is white.") if where == "subject" else (
        "More information", f"Regarding my report {written}: the van is white.\n")
    parsed = parse(bytes(_message(subject, body)))
    related = related_for(parsed, None)
    assert related is not None, f"{form} in the {where}"
    assert (related.relation, related.reference_number, related.signal_id) == ("reply", QUOTED, None)
    signal = to_signal(parsed, mailbox="INBOX", uidvalidity=7, uid=43, raw_sha256="a" * 64, attachments=[],
                       received_at=NOW, reference_secret=SECRET, related=related)
    assert signal.related is not None and signal.related.reference_number == QUOTED


def test_attachment_metadata_is_bounded() -> None:
    ref = attachment_ref("c" * 64, "Application/Weird Type", 10, "../../etc/\x00passwd")
    assert ref.media_type == "application/octet-stream" and ref.filename == "passwd"


def test_state_survives_a_reopen(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.sqlite3")
    store.set_mailbox("INBOX", MailboxState(uidvalidity=9, last_uid=120))
    store.remember("<a@example.org>", KnownSignal("sig-1", "HT-AAAA-AAAAA"))
    store.close()
    reopened = StateStore(tmp_path / "state.sqlite3")
    assert reopened.mailbox("INBOX") == MailboxState(9, 120)
    assert reopened.lookup(("<zzz@example.org>", "<a@example.org>")) == KnownSignal("sig-1", "HT-AAAA-AAAAA")
    assert reopened.mailbox("Other") is None
