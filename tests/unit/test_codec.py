"""The one codec: CloudEvents binary mode, clear decode errors that quote no content, upcasting."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from contracts import (
    CODEC,
    Codec,
    EncodeError,
    MalformedPayload,
    MissingHeader,
    SchemaViolation,
    UnexpectedEventType,
    UnknownEventType,
    UnsupportedVersion,
    Upcaster,
)
from contracts.events import ContactDetails, DeclaredFacts, Reporter, SignalReceived, SignalTriaged, Victim
from tests.builders import received, triaged
from tests.note_events import NoteV1, NoteV2, v1_to_v2

pytestmark = pytest.mark.unit

SOURCE = "/hotline/test"


def headers_dict(headers: tuple[tuple[str, bytes], ...]) -> dict[str, str]:
    return {k: v.decode() for k, v in headers}


def test_encode_writes_binary_mode_headers_and_json_value() -> None:
    event = received()
    at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    record = CODEC.encode(event, source=SOURCE, time=at)
    headers = headers_dict(record.headers)
    assert headers == {
        "ce_specversion": "1.0",
        "ce_id": str(event.signal_id),
        "ce_type": "org.hotline.signal.received.v1",
        "ce_source": SOURCE,
        "ce_time": "2026-05-01T08:00:00+00:00",
        "content-type": "application/json",
        "ce_dataschema": "urn:hotline:schema:org.hotline.signal.received:v1",
    }
    assert record.key == str(event.signal_id).encode()
    assert json.loads(record.value)["narrative"] == event.narrative
    assert record.event_id == str(event.signal_id)


def test_roundtrip_returns_an_equal_event() -> None:
    event = triaged()
    record = CODEC.encode(event, source=SOURCE)
    decoded = CODEC.decode(record.value, record.headers)
    assert decoded.event == event
    assert decoded.envelope.id == event.event_id()
    assert CODEC.decode_as(SignalTriaged, record.value, record.headers) == event


def test_personal_data_never_reaches_headers() -> None:
    event = received(
        reporter=Reporter(anonymous=False, contact=ContactDetails(
            name="Sam Example", email="sam@example.org", phone="+1 555 010 0100")),
        narrative="They took our passports at the farm on Elm Road.",
    )
    record = CODEC.encode(event, source=SOURCE)
    raw_headers = b"".join(k.encode() + v for k, v in record.headers)
    for secret in (b"Sam Example", b"sam@example.org", b"555 010 0100", b"passports"):
        assert secret not in raw_headers


def test_extra_headers_cannot_replace_cloudevents_headers() -> None:
    with pytest.raises(EncodeError, match="ce_id"):
        CODEC.encode(received(), source=SOURCE, extra_headers=[("ce_id", b"forged")])
    record = CODEC.encode(received(), source=SOURCE, extra_headers=[("traceparent", b"00-abc")])
    assert ("traceparent", b"00-abc") in record.headers


def test_invalid_source_is_an_encode_error() -> None:
    with pytest.raises(EncodeError, match="invalid envelope"):
        CODEC.encode(received(), source="not a uri reference")


def test_unregistered_event_type_cannot_be_encoded() -> None:
    with pytest.raises(EncodeError, match="not registered"):
        Codec(events=(SignalTriaged,)).encode(received(), source=SOURCE)


def _record(**header_overrides: str | None) -> tuple[bytes, list[tuple[str, bytes]]]:
    record = CODEC.encode(received(), source=SOURCE)
    headers = headers_dict(record.headers)
    for name, value in header_overrides.items():
        name = name.replace("content_type", "content-type")
        if value is None:
            headers.pop(name)
        else:
            headers[name] = value
    return record.value, [(k, v.encode()) for k, v in headers.items()]


@pytest.mark.parametrize("header", ["ce_id", "ce_type", "ce_source", "ce_time", "ce_specversion"])
def test_missing_header_is_named(header: str) -> None:
    value, headers = _record(**{header: None})
    with pytest.raises(MissingHeader, match=header):
        CODEC.decode(value, headers)


def test_non_utf8_header_is_missing_header() -> None:
    value, headers = _record()
    headers = [(k, b"\xff\xfe" if k == "ce_id" else v) for k, v in headers]
    with pytest.raises(MissingHeader, match="ce_id"):
        CODEC.decode(value, headers)


def test_bad_time_is_a_header_error() -> None:
    value, headers = _record(ce_time="yesterday")
    with pytest.raises(MissingHeader, match="invalid CloudEvents headers"):
        CODEC.decode(value, headers)


def test_unknown_type_and_newer_version() -> None:
    value, headers = _record(ce_type="org.hotline.signal.teleported.v1")
    with pytest.raises(UnknownEventType):
        CODEC.decode(value, headers)
    value, headers = _record(ce_type="org.hotline.signal.received.v9")
    with pytest.raises(UnsupportedVersion, match="newer than this consumer"):
        CODEC.decode(value, headers)


@pytest.mark.parametrize("value", [b"", b"{not json", b"\xff\xfe\x00", b"[1, 2]"])
def test_garbage_values_are_malformed_or_schema_violations(value: bytes) -> None:
    _, headers = _record()
    with pytest.raises((MalformedPayload, SchemaViolation)):
        CODEC.decode(value, headers)


def test_wrong_content_type_is_refused() -> None:
    value, headers = _record(content_type="application/avro")
    with pytest.raises(MalformedPayload, match="content-type"):
        CODEC.decode(value, headers)


def test_schema_violation_names_fields_but_never_quotes_values() -> None:
    event = received(narrative="Maria at 555-0100 needs help")
    data: dict[str, Any] = event.model_dump(mode="json")
    data["channel"] = "Maria at 555-0100 needs help"
    data["received_at"] = "sometime"
    _, headers = _record()
    with pytest.raises(SchemaViolation) as caught:
        CODEC.decode(json.dumps(data).encode(), headers)
    message = str(caught.value)
    assert "channel" in message and "received_at" in message
    assert "Maria" not in message and "555" not in message


def test_decode_ignores_fields_it_does_not_know_at_every_depth() -> None:
    """A producer already upgraded with an additive field must not dead-letter at older consumers."""
    event = received(reporter=Reporter(anonymous=False, contact=ContactDetails(email="sam@example.org")),
                     facts=DeclaredFacts(victims=(Victim(age=15),)))
    record = CODEC.encode(event, source=SOURCE)
    data: dict[str, Any] = json.loads(record.value)
    data["priority_hint"] = "high"
    data["reporter"]["preferred_time"] = "evenings"
    data["reporter"]["contact"]["signal_handle"] = {"nested": ["new", "shape"]}
    data["source"]["browser_family"] = "tor"  # a member of a discriminated union
    data["facts"]["victims"][0]["eye_colour"] = "brown"  # a model in a list
    decoded = CODEC.decode(json.dumps(data).encode(), record.headers)
    assert decoded.event == event


def test_unknown_fields_are_ignored_on_upcast_too() -> None:
    old = Codec(events=(NoteV1,)).encode(NoteV1(note_id="n1", text="Title\nBody"), source=SOURCE)
    value = json.dumps({**json.loads(old.value), "colour": "red"}).encode()
    new_codec = Codec(events=(NoteV2,), upcasters=(Upcaster("org.hotline.test.note", 1, v1_to_v2),))
    assert new_codec.decode(value, old.headers).event == NoteV2(note_id="n1", title="Title", body="Body")


def test_only_decoding_is_tolerant() -> None:
    data: dict[str, Any] = received().model_dump(mode="json")
    data["reporter"]["preferred_time"] = "evenings"
    with pytest.raises(ValueError, match="preferred_time"):
        SignalReceived.model_validate(data)  # constructing a model stays strict
    with pytest.raises(ValueError, match="preferred_time"):
        SignalReceived.model_validate_json(json.dumps(data))
    with pytest.raises(ValueError, match="hint"):
        Reporter(anonymous=True, hint="x")  # type: ignore[call-arg]


def test_a_known_field_with_a_wrong_value_is_still_a_schema_violation() -> None:
    record = CODEC.encode(received(), source=SOURCE)
    data: dict[str, Any] = {**json.loads(record.value), "channel": "carrier-pigeon", "new_field": 1}
    with pytest.raises(SchemaViolation, match="channel"):
        CODEC.decode(json.dumps(data).encode(), record.headers)


def test_decode_as_refuses_another_type() -> None:
    record = CODEC.encode(triaged(), source=SOURCE)
    with pytest.raises(UnexpectedEventType, match=r"signal\.received"):
        CODEC.decode_as(SignalReceived, record.value, record.headers)


# ---------------------------------------------------------------- upcasting


def test_old_versions_are_upcast_so_consumers_see_only_the_newest_model() -> None:
    old = Codec(events=(NoteV1,)).encode(NoteV1(note_id="n1", text="Title\nBody"), source=SOURCE)
    new_codec = Codec(events=(NoteV2,), upcasters=(Upcaster("org.hotline.test.note", 1, v1_to_v2),))
    decoded = new_codec.decode(old.value, old.headers)
    assert decoded.event == NoteV2(note_id="n1", title="Title", body="Body")
    assert decoded.envelope.type == "org.hotline.test.note.v1"


def test_missing_upcaster_is_unsupported_version() -> None:
    old = Codec(events=(NoteV1,)).encode(NoteV1(note_id="n1", text="x"), source=SOURCE)
    with pytest.raises(UnsupportedVersion, match="no upcaster"):
        Codec(events=(NoteV2,)).decode(old.value, old.headers)


def test_two_models_for_one_type_are_refused() -> None:
    with pytest.raises(ValueError, match="two models"):
        Codec(events=(NoteV1, NoteV2))
