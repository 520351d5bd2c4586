"""The email parser over the corpus: every message is a parsed email or an ``Unparseable``, never a crash."""

from __future__ import annotations

import pytest

from intake_email.parse import Unparseable, html_to_text, newest_part, parse
from tests.email_corpus import Case, corpus

CASES = corpus()


def test_the_corpus_is_varied_enough() -> None:
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_message_is_read_or_quarantined_as_expected(case: Case) -> None:
    if case.quarantine:
        with pytest.raises(Unparseable) as refused:
            parse(case.raw)
        assert refused.value.reason
        return
    parsed = parse(case.raw)
    for text in case.contains:
        assert text in parsed.text, f"{text!r} missing from the text of {case.name}"
    for text in case.newest_excludes:
        assert text not in parsed.newest, f"{text!r} should not be in the newest part of {case.name}"
    assert (parsed.automated.value if parsed.automated else None) == case.automated
    if case.body_type is not None:
        assert parsed.body_type == case.body_type
    if case.attachments is not None:
        assert len(parsed.attachments) == case.attachments
    assert parsed.reference_numbers == case.references
    if case.in_reply_to is not None:
        assert parsed.in_reply_to == case.in_reply_to


def test_headers_are_capped_before_parsing() -> None:
    [huge] = [c for c in CASES if c.name == "huge-header-line"]
    parsed = parse(huge.raw)
    assert {"headers_truncated", "header_line_truncated"} & set(parsed.defects) and parsed.subject == "huge"
    [many] = [c for c in CASES if c.name == "many-headers"]
    assert "headers_truncated" in parse(many.raw).defects


def test_sender_date_and_ids_are_read() -> None:
    [plain] = [c for c in CASES if c.name == "plain-0"]
    parsed = parse(plain.raw)
    assert parsed.sender == "ana.tipster@example.org"
    assert parsed.date is not None and parsed.date.year == 2026
    assert parsed.message_id is not None and parsed.message_id.startswith("<")


def test_html_to_text_drops_scripts_and_keeps_paragraphs() -> None:
    text = html_to_text("<p>Uno</p><script>evil()</script><p>Dos<br>Tres</p>")
    assert text.splitlines() == ["Uno", "", "Dos", "Tres"] or text.split() == ["Uno", "Dos", "Tres"]
    assert "evil" not in text


def test_newest_part_never_comes_back_empty() -> None:
    assert newest_part("> all quoted\n> still quoted") == "> all quoted\n> still quoted"
