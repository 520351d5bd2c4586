"""Validation rules of the event models."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts.events import (
    AgeRange,
    Channel,
    ContactDetails,
    EmailSource,
    Evidence,
    Flag,
    FlagName,
    RelatedSignal,
    Reporter,
    SignalReceived,
    Urgency,
    WebformSource,
)
from contracts.ids import derive_id, signal_id_for
from tests.builders import received, triaged

pytestmark = pytest.mark.unit


def test_builders_produce_valid_events() -> None:
    assert received().channel is Channel.WEBFORM
    assert triaged().urgency.value.startswith("p")


def test_models_are_frozen() -> None:
    event = received()
    with pytest.raises(ValidationError):
        event.narrative = "changed"  # type: ignore[misc]


def test_unknown_fields_are_refused() -> None:
    data: dict[str, Any] = received().model_dump(mode="json")
    data["ip_address"] = "192.0.2.1"
    with pytest.raises(ValidationError, match="ip_address"):
        SignalReceived.model_validate(data)


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValidationError, match="received_at"):
        received(received_at=datetime(2026, 1, 1, 12, 0))


def test_anonymous_reporter_cannot_carry_contact_details() -> None:
    with pytest.raises(ValidationError, match="anonymous"):
        Reporter(anonymous=True, contact=ContactDetails(email="someone@example.org"))
    assert Reporter(anonymous=False, contact=ContactDetails(email="someone@example.org")).contact


def test_source_must_match_channel() -> None:
    email = EmailSource(mailbox="INBOX", uidvalidity=1, uid=7, message_id="<a@example.org>")
    with pytest.raises(ValidationError, match="does not match channel"):
        received(source=email)
    assert received(channel=Channel.EMAIL, source=email).source == email


def test_age_range_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match="low must not exceed high"):
        AgeRange(low=17, high=12)


def test_related_signal_needs_a_target() -> None:
    with pytest.raises(ValidationError, match="needs a signal_id or a reference_number"):
        RelatedSignal(relation="follow_up")
    assert RelatedSignal(relation="follow_up", reference_number="HT-ABCD-EFGH1")


def test_raised_flag_needs_evidence_and_text_evidence_a_span() -> None:
    with pytest.raises(ValidationError, match="without evidence"):
        Flag(name=FlagName.MINOR, raised=True)
    with pytest.raises(ValidationError, match="text evidence needs a span"):
        Evidence(rule_id="minor.text_age", origin="text", field="narrative")
    with pytest.raises(ValidationError, match="start must not exceed end"):
        Evidence(rule_id="minor.text_age", origin="text", start=9, end=3)


def test_narrative_is_bounded() -> None:
    with pytest.raises(ValidationError, match="narrative"):
        received(narrative="x" * 200_001)


def test_signal_ids_are_deterministic_per_channel_and_dedup_key() -> None:
    assert signal_id_for("email", "k-123456") == signal_id_for("email", "k-123456")
    assert signal_id_for("email", "k-123456") != signal_id_for("phone", "k-123456")
    # Length-prefixing keeps ("ab", "c") and ("a", "bc") apart.
    assert derive_id("x", "ab", "c") != derive_id("x", "a", "bc")
    with pytest.raises(ValueError, match="non-empty kind"):
        derive_id("")


def test_triaged_event_id_depends_on_signal_and_rules_version() -> None:
    signal_id = uuid4()
    first = triaged(signal_id=signal_id, rules_version="1")
    assert first.event_id() == triaged(signal_id=signal_id, rules_version="1").event_id()
    assert first.event_id() != triaged(signal_id=signal_id, rules_version="2").event_id()
    assert first.partition_key() == str(signal_id)


def test_received_event_id_is_the_signal_id() -> None:
    event = received()
    assert event.event_id() == str(event.signal_id) == event.partition_key()


def test_webform_source_roundtrip() -> None:
    event = received(source=WebformSource(submission_id="abc"))
    again = SignalReceived.model_validate_json(event.model_dump_json())
    assert again == event
    assert again.received_at - event.received_at == timedelta(0)


# ------------------------------------------------------------------ control characters

CONTROL = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x85, 0x9F))


def test_control_characters_are_stripped_from_every_string_but_tab_and_line_breaks() -> None:
    event = received(
        narrative=f"locked\x00 in{CONTROL} the\tshed\r\nat night",
        subject="hel\x00p",
        reporter=Reporter(anonymous=False,
                          contact=ContactDetails(name="Ma\x00ria", email="m\x07@example.org")),
    )
    assert event.narrative == "locked in the\tshed\r\nat night"
    assert event.subject == "help"
    assert event.reporter.contact is not None
    assert (event.reporter.contact.name, event.reporter.contact.email) == ("Maria", "m@example.org")
    evidence = Evidence(rule_id="minor.text\x00_age", origin="text", start=0, end=3, matched_text="1\x005")
    assert (evidence.rule_id, evidence.matched_text) == ("minor.text_age", "15")


def test_a_lone_surrogate_is_stripped_since_no_store_can_keep_it() -> None:
    assert received(narrative="a\ud800b").narrative == "ab"


def test_a_nul_already_on_a_topic_is_stripped_when_decoded() -> None:
    from contracts import CODEC

    record = CODEC.encode(received(narrative="clean"), source="/hotline/test")
    value = record.value.replace(b'"clean"', b'"cl\\u0000ea\\u001bn"')
    decoded = CODEC.decode(value, record.headers).event
    assert isinstance(decoded, SignalReceived) and decoded.narrative == "clean"


def test_control_characters_nested_at_any_depth_are_stripped_when_decoded() -> None:
    # Each model cleans its own level and leaves nested models to theirs: nothing is skipped.
    from contracts import CODEC
    from contracts.events import DeclaredFacts, Location

    event = received(reporter=Reporter(anonymous=False, contact=ContactDetails(name="Maria")),
                     facts=DeclaredFacts(location=Location(city="Springfield")))
    record = CODEC.encode(event, source="/hotline/test")
    value = record.value.replace(b'"Maria"', b'"Ma\\u0000ria\\u0007"').replace(
        b'"Springfield"', b'"Spring\\u001bfield "')
    assert value != record.value
    decoded = CODEC.decode(value, record.headers).event
    assert isinstance(decoded, SignalReceived) and decoded.reporter.contact is not None
    assert decoded.reporter.contact.name == "Maria"
    assert decoded.facts.location is not None and decoded.facts.location.city == "Springfield"


def test_an_sms_source_says_what_became_of_each_medium() -> None:
    from contracts.events import SmsMedia, SmsSource

    with pytest.raises(ValidationError, match="stored medium has a sha256"):
        SmsMedia(outcome="stored")
    with pytest.raises(ValidationError, match="stored medium has a sha256"):
        SmsMedia(outcome="unavailable", sha256="0" * 64)
    source = SmsSource(message_sid="SM" + "ab" * 16, conversation_id=uuid4(),
                       media=[SmsMedia(outcome="unavailable", reason="fetch_timeout")])
    signal = received(channel=Channel.SMS, source=source)
    assert signal.source.kind == "sms" and signal.channel is Channel.SMS
    with pytest.raises(ValidationError, match="does not match channel"):
        received(source=source)


def test_urgency_has_one_rank_most_urgent_first() -> None:
    """Triage, the review queue and the benchmark order urgencies by this rank and no other."""
    assert [u.rank for u in Urgency] == [1, 2, 3, 4]
    assert [Urgency.of_rank(rank) for rank in (1, 2, 3, 4)] == list(Urgency)
    assert [u for u in Urgency if u.is_urgent] == [Urgency.P1_ACT_NOW, Urgency.P2_SAME_DAY]
    with pytest.raises(KeyError):
        Urgency.of_rank(0)


def test_every_report_need_has_the_words_staff_see() -> None:
    from contracts.events import NEED_WORDS, ReportNeed, need_words

    assert set(NEED_WORDS) == set(ReportNeed)
    assert need_words(ReportNeed.SHELTER_EMERGENCY) == need_words("shelter_emergency") == "emergency shelter"
    assert need_words("a_need_from_a_newer_producer") == "a need from a newer producer"
