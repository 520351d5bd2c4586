"""CloudEvents interop: the official ``cloudevents`` SDK's Kafka binding reads our records, and we read its.

Every event type, from the golden examples: each record the project produces (the golden record
as committed, and the same event encoded by the codec now) is read by the SDK's binary-mode
Kafka binding with its own rules; each record the SDK writes from the same attributes and data
is read by the project's codec into the same event.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cloudevents.core.bindings import kafka
from cloudevents.core.v1.event import CloudEvent

from contracts import CODEC, KafkaRecord
from contracts.envelope import parse_time
from contracts.snapshots import EXAMPLE_DIR

pytestmark = pytest.mark.unit

GOLDEN = sorted(EXAMPLE_DIR.glob("*.json"))


def _golden(path: Path) -> tuple[dict[str, Any], KafkaRecord]:
    data = json.loads(path.read_text(encoding="utf-8"))
    record = KafkaRecord(key=data["key"].encode() if data.get("key") is not None else None,
                         value=json.dumps(data["value"]).encode(),
                         headers=tuple((name, value.encode()) for name, value in data["headers"].items()))
    return data, record


def _message(record: KafkaRecord) -> kafka.KafkaMessage:
    return kafka.KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value)


def test_there_is_a_golden_example_of_every_event_type() -> None:
    assert {p.stem for p in GOLDEN} == {t.ce_type() for t in CODEC.event_types}


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_the_sdk_reads_the_records_the_project_produces(path: Path) -> None:
    data, golden = _golden(path)
    event = CODEC.decode(golden.value, golden.headers).event
    # The committed golden record, and the same event as the codec encodes it today.
    for record in (golden, CODEC.encode(event, source=data["headers"]["ce_source"])):
        read = kafka.from_binary_event(_message(record))
        headers = dict((name, value.decode()) for name, value in record.headers)
        assert read.get_specversion() == "1.0"
        assert read.get_id() == headers["ce_id"]
        assert read.get_type() == headers["ce_type"] == type(event).ce_type()
        assert read.get_source() == headers["ce_source"]
        assert read.get_time() == parse_time(headers["ce_time"])
        assert read.get_datacontenttype() == "application/json"
        assert read.get_dataschema() == headers.get("ce_dataschema")
        assert read.get_data() == json.loads(record.value)
        if record.key is not None:
            assert read.get_extension("partitionkey") == record.key.decode()


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_the_project_reads_the_records_the_sdk_produces(path: Path) -> None:
    data, golden = _golden(path)
    expected = CODEC.decode(golden.value, golden.headers)
    headers = data["headers"]
    attributes: dict[str, Any] = {
        "id": headers["ce_id"], "type": headers["ce_type"], "source": headers["ce_source"],
        "specversion": headers["ce_specversion"], "time": datetime.fromisoformat(headers["ce_time"]),
        "datacontenttype": headers["content-type"],
    }
    if "ce_dataschema" in headers:
        attributes["dataschema"] = headers["ce_dataschema"]
    if data.get("key") is not None:
        attributes["partitionkey"] = data["key"]
    message = kafka.to_binary_event(CloudEvent(attributes=attributes, data=data["value"]))
    assert message.key == data.get("key")
    key = message.key.encode() if isinstance(message.key, str) else message.key
    record = KafkaRecord(key=key, value=message.value, headers=tuple(message.headers.items()))

    decoded = CODEC.decode(record.value, record.headers)
    assert decoded.event == expected.event
    assert decoded.envelope.id == expected.envelope.id and decoded.envelope.type == expected.envelope.type
    assert decoded.envelope.time == expected.envelope.time
    assert decoded.envelope.dataschema == expected.envelope.dataschema
