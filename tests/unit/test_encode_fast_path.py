"""The codec's encoding of envelopes it validated once: the same bytes as validation gives, and
every envelope validation would refuse or change still goes through validation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from contracts import CODEC, Codec, EncodeError, Event, KafkaRecord
from contracts import codec as codec_module
from contracts.envelope import Envelope
from tests.builders import received, triaged

pytestmark = pytest.mark.unit

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "contracts" / "examples").glob("*.json"))
TIMES = [
    datetime(2026, 5, 1, 8, 0, tzinfo=UTC),
    datetime(2026, 3, 16, 9, 30, 15, 250_000, tzinfo=ZoneInfo("America/New_York")),
    datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/Chicago")),
    datetime(2026, 7, 4, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=5, minutes=30))),
]


def _example_events() -> list[Event]:
    models = {model.ce_type(): model for model in CODEC.event_types}
    events: list[Event] = []
    for path in EXAMPLES:
        example = json.loads(path.read_text())
        events.append(models[example["headers"]["ce_type"]].model_validate(example["value"]))
    return events


def _validated(event: Event, *, source: str, time: datetime,
               extra: tuple[tuple[str, bytes], ...] = ()) -> KafkaRecord:
    """The record as ``encode`` made it before: the envelope validated for every record."""
    envelope = Envelope(id=event.event_id(), type=type(event).ce_type(), source=source, time=time,
                        dataschema=f"urn:hotline:schema:{event.EVENT_TYPE}:v{event.VERSION}")
    return KafkaRecord(key=event.partition_key().encode(), value=event.model_dump_json().encode(),
                       headers=(*envelope.to_headers(), *extra))


@pytest.mark.parametrize("event", _example_events(), ids=lambda e: type(e).ce_type())
@pytest.mark.parametrize("at", TIMES, ids=str)
def test_an_envelope_encoded_without_validation_is_the_validated_encoding_byte_for_byte(
        event: Event, at: datetime) -> None:
    codec = Codec(events=CODEC.event_types)
    extra = (("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),)
    first = codec.encode(event, source="/hotline/intake-phone", time=at, extra_headers=extra)
    again = codec.encode(event, source="/hotline/intake-phone", time=at, extra_headers=extra)
    assert (type(event), "/hotline/intake-phone") in codec._validated  # the second took the fast path
    expected = _validated(event, source="/hotline/intake-phone", time=at, extra=extra)
    assert first == expected
    assert again == expected


def test_a_bad_source_from_outside_is_refused_every_time_even_after_good_ones() -> None:
    codec = Codec(events=CODEC.event_types)
    event = received()
    codec.encode(event, source="/hotline/test")
    for _ in range(2):
        with pytest.raises(EncodeError, match="invalid envelope"):
            codec.encode(event, source="/Hotline/Not Allowed")
    assert {source for _, source in codec._validated} == {"/hotline/test"}


def test_a_source_that_validation_changes_is_validated_on_every_record() -> None:
    codec = Codec(events=CODEC.event_types)
    event = triaged()
    padded = "  /hotline/triage  "
    records = [codec.encode(event, source=padded, time=TIMES[0]) for _ in range(2)]
    assert codec._validated == set()
    assert records[0] == records[1] == _validated(event, source=padded, time=TIMES[0])
    assert dict(records[1].headers)["ce_source"] == b"/hotline/triage"


def test_a_naive_time_is_still_refused_after_the_pair_was_validated() -> None:
    codec = Codec(events=CODEC.event_types)
    event = received()
    codec.encode(event, source="/hotline/test", time=TIMES[0])
    with pytest.raises(EncodeError, match="invalid envelope"):
        codec.encode(event, source="/hotline/test", time=datetime(2026, 5, 1, 8, 0))  # naive, on purpose


class _OddId(type(received())):  # type: ignore[misc]
    """A signal whose event id validation would clean (a control character, blanks around it)."""

    def event_id(self) -> str:
        return " id-with\x07-bell "


def test_an_id_that_validation_would_clean_goes_through_validation() -> None:
    codec = Codec(events=(_OddId,))
    event = _OddId.model_validate(received().model_dump())
    codec.encode(event, source="/hotline/test", time=TIMES[0])
    record = codec.encode(event, source="/hotline/test", time=TIMES[0])
    assert dict(record.headers)["ce_id"] == b"id-with-bell"
    assert record == _validated(event, source="/hotline/test", time=TIMES[0])


def test_extra_headers_still_may_not_replace_cloudevents_headers_on_the_fast_path() -> None:
    codec = Codec(events=CODEC.event_types)
    event = received()
    codec.encode(event, source="/hotline/test")
    with pytest.raises(EncodeError, match="ce_source"):
        codec.encode(event, source="/hotline/test", extra_headers=(("ce_source", b"/elsewhere"),))


def test_remembered_pairs_are_bounded_and_sources_past_the_bound_are_still_validated() -> None:
    codec = Codec(events=CODEC.event_types)
    event = received()
    for i in range(codec_module._MAX_VALIDATED + 10):
        codec.encode(event, source=f"/hotline/source-{i}", time=TIMES[0])
    assert len(codec._validated) == codec_module._MAX_VALIDATED
    late = f"/hotline/source-{codec_module._MAX_VALIDATED + 5}"
    assert codec.encode(event, source=late, time=TIMES[0]) == _validated(event, source=late, time=TIMES[0])
    with pytest.raises(EncodeError):
        codec.encode(event, source="not a source", time=TIMES[0])
