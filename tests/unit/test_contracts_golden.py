"""Golden examples and schema snapshots: the published contract cannot drift silently."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import contracts
from contracts import CODEC, Topic, topic_for_event
from contracts.snapshots import EXAMPLE_DIR, SCHEMA_DIR, example_path, schema_path, stale_snapshots

pytestmark = pytest.mark.unit

EVENT_TYPES = CODEC.event_types


def load_example(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def as_headers(example: dict[str, Any]) -> list[tuple[str, bytes]]:
    return [(k, v.encode()) for k, v in example["headers"].items()]


def test_schema_snapshots_match_models() -> None:
    assert stale_snapshots() == [], "a model changed: run `python -m contracts.snapshots write`"


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.ce_type())
def test_every_event_type_has_snapshot_and_golden_example(event_type: type[contracts.Event]) -> None:
    assert schema_path(event_type).exists()
    assert example_path(event_type).exists()


@pytest.mark.parametrize("path", sorted(EXAMPLE_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_golden_example_decodes_and_reencodes_byte_for_byte(path: Path) -> None:
    example = load_example(path)
    value = json.dumps(example["value"]).encode()
    decoded = CODEC.decode(value, as_headers(example))

    assert decoded.envelope.type == example["headers"]["ce_type"]
    assert topic_for_event(type(decoded.event)) is Topic(example["topic"])
    assert decoded.event.partition_key() == example["key"]
    assert decoded.event.event_id() == example["headers"]["ce_id"]
    again = CODEC.encode(decoded.event, source=decoded.envelope.source, time=decoded.envelope.time)
    assert dict((k, v.decode()) for k, v in again.headers) == example["headers"]
    assert json.loads(again.value) == example["value"]


@pytest.mark.parametrize("path", sorted(EXAMPLE_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_golden_example_validates_against_committed_json_schema(path: Path) -> None:
    example = load_example(path)
    schema = json.loads((SCHEMA_DIR / path.name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(example["value"])


def test_committed_schema_rejects_what_the_model_rejects() -> None:
    example = load_example(example_path(contracts.events.SignalReceived))
    schema = json.loads(schema_path(contracts.events.SignalReceived).read_text(encoding="utf-8"))
    broken = {**example["value"], "channel": "carrier-pigeon"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(broken)


def test_no_personal_data_in_golden_headers() -> None:
    example = load_example(example_path(contracts.events.SignalReceived))
    reporter = example["value"]["reporter"]["contact"]
    secrets = [reporter["email"], reporter["phone"], reporter["name"], example["value"]["narrative"][:20]]
    header_text = json.dumps(example["headers"])
    for secret in secrets:
        assert secret not in header_text


def test_public_surface_is_pinned() -> None:
    assert sorted(contracts.__all__) == [
        "CODEC", "Codec", "ContractError", "ContractModel", "DecodeError", "Decoded", "EncodeError",
        "Envelope", "Event", "Header", "KafkaRecord", "MalformedPayload", "MissingHeader",
        "REGISTRY", "SchemaViolation", "Service", "Topic", "TopicSpec", "UnexpectedEventType",
        "UnknownEventType", "UnsupportedVersion", "Upcaster", "derive_id", "physical_name",
        "signal_id_for", "spec_for", "topic_for_event",
    ]
    for name in contracts.__all__:
        assert hasattr(contracts, name)


EARLIER_DIR = EXAMPLE_DIR / "earlier"


@pytest.mark.parametrize("path", sorted(EARLIER_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_earlier_shapes_still_decode_and_keep_every_field(path: Path) -> None:
    """Examples of a type's earlier shapes are kept as they were published, never edited: today's
    consumers must read them, and re-encoding keeps every field they had (added fields take their
    defaults)."""
    example = load_example(path)
    decoded = CODEC.decode(json.dumps(example["value"]).encode(), as_headers(example))
    assert decoded.envelope.type == example["headers"]["ce_type"]
    assert decoded.event.event_id() == example["headers"]["ce_id"]
    again = json.loads(CODEC.encode(decoded.event, source=decoded.envelope.source,
                                    time=decoded.envelope.time).value)
    assert _as_in(again, example["value"]) == example["value"]
    current = load_example(EXAMPLE_DIR / f"{example['headers']['ce_type']}.json")
    # At any depth: a field added inside a nested model (reporter.safe_contact) is a new shape too.
    assert _paths(example["value"]) < _paths(current["value"]), "an earlier shape lacks a field of today's"


def _as_in(value: Any, shape: Any) -> Any:
    """``value`` with only the fields ``shape`` has, at every depth (fields added since are dropped)."""
    if isinstance(value, dict) and isinstance(shape, dict):
        return {k: _as_in(value[k], shape[k]) for k in shape if k in value}
    if isinstance(value, list) and isinstance(shape, list) and len(value) == len(shape):
        return [_as_in(v, s) for v, s in zip(value, shape, strict=True)]
    return value


def _paths(value: Any, prefix: str = "") -> set[str]:
    """Every field's dotted path in a JSON value (list items as ``[]``)."""
    if isinstance(value, dict):
        found: set[str] = set()
        for key, item in value.items():
            found |= {f"{prefix}{key}"} | _paths(item, f"{prefix}{key}.")
        return found
    if isinstance(value, list):
        return set().union(*(_paths(item, f"{prefix}[].") for item in value))
    return set()


LATER_DIR = EXAMPLE_DIR / "later"


@pytest.mark.parametrize("path", sorted(LATER_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_later_shapes_decode_ignoring_the_fields_this_consumer_does_not_know(path: Path) -> None:
    """Examples of what a newer producer may write (additive fields at any depth) are kept as they
    were written: today's consumers read them as the same event, and ignore what they do not know."""
    example = load_example(path)
    decoded = CODEC.decode(json.dumps(example["value"]).encode(), as_headers(example))
    assert decoded.event.event_id() == example["headers"]["ce_id"]
    current = load_example(EXAMPLE_DIR / f"{example['headers']['ce_type']}.json")
    assert decoded.event == CODEC.decode(json.dumps(current["value"]).encode(), as_headers(current)).event
    again = json.loads(CODEC.encode(decoded.event, source=decoded.envelope.source,
                                    time=decoded.envelope.time).value)
    assert again == current["value"], "the unknown fields are not carried on"


CHANNEL_DIR = EXAMPLE_DIR / "channels"


@pytest.mark.parametrize("path", sorted(CHANNEL_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_channel_examples_decode_reencode_and_validate(path: Path) -> None:
    """A golden example per channel whose source differs from the main example's (an SMS source):
    the published shape of each source kind, under the same schema as its event type."""
    example = load_example(path)
    decoded = CODEC.decode(json.dumps(example["value"]).encode(), as_headers(example))
    again = CODEC.encode(decoded.event, source=decoded.envelope.source, time=decoded.envelope.time)
    assert json.loads(again.value) == example["value"]
    assert dict((k, v.decode()) for k, v in again.headers) == example["headers"]
    schema = json.loads((SCHEMA_DIR / f"{example['headers']['ce_type']}.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(example["value"])
