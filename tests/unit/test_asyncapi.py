"""The AsyncAPI 3.0 document: generated from the registry and the schemas, committed, and in step."""

from __future__ import annotations

import json

import pytest

from contracts import REGISTRY, Service
from contracts.asyncapi import DLQ_HEADERS, DOCUMENT_PATH, HTML_PATH, build, rendered, stale
from contracts.envelope import REQUIRED_HEADERS
from contracts.snapshots import SCHEMA_DIR
from services.runtime import dead_letters

pytestmark = pytest.mark.unit


def test_the_committed_document_and_page_are_what_the_registry_and_schemas_give() -> None:
    assert stale() == [], "run: python -m contracts.asyncapi write"


def test_every_topic_is_a_channel_with_its_key_partitions_and_retention() -> None:
    document = build()
    assert document["asyncapi"] == "3.0.0"
    assert set(document["channels"]) == {topic.value for topic in REGISTRY}
    for topic, spec in REGISTRY.items():
        channel = document["channels"][topic.value]
        assert channel["address"] == topic.value
        assert channel["bindings"]["kafka"]["partitions"] == spec.partitions
        names = {t.__name__ for t in spec.event_types} or {"DeadLetter"}
        assert set(channel["messages"]) == names


def test_every_producer_and_consumer_is_an_operation_on_its_channel() -> None:
    operations = build()["operations"].values()
    said = {(op["tags"][0]["name"], op["action"], op["channel"]["$ref"].rsplit("/", 1)[-1])
            for op in operations}
    expected = {(service.value, "send", topic.value) for topic, spec in REGISTRY.items()
                for service in spec.producers}
    expected |= {(service.value, "receive", topic.value) for topic, spec in REGISTRY.items()
                 for service in spec.consumers}
    assert said == expected
    assert {s for s, _, _ in said} == {s.value for s in Service}


def test_messages_carry_the_cloudevents_attributes_as_headers_and_the_committed_schemas_as_payloads() -> None:
    document = build()
    schemas = document["components"]["schemas"]
    for spec in REGISTRY.values():
        for event_type in spec.event_types:
            message = document["components"]["messages"][event_type.__name__]
            headers = message["headers"]
            assert set(headers["required"]) == set(REQUIRED_HEADERS)
            assert headers["properties"]["ce_type"]["const"] == event_type.ce_type()
            snapshot = json.loads((SCHEMA_DIR / f"{event_type.ce_type()}.json").read_text())
            payload = schemas[message["payload"]["$ref"].rsplit("/", 1)[-1]]
            assert set(payload["properties"]) == set(snapshot["properties"])
            assert payload.get("required") == snapshot.get("required")
            assert message["examples"][0]["headers"]["ce_type"] == event_type.ce_type()
    # Every reference points into the document.
    text = json.dumps(document)
    assert "#/$defs/" not in text
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        node = document
        for step in ref.removeprefix("#/").split("/"):
            node = node[step]


def test_dead_letter_headers_are_the_ones_the_runtime_writes() -> None:
    written = {value for name, value in vars(dead_letters).items()
               if name.startswith("H_") and isinstance(value, str) and value.startswith("dlq_")}
    assert set(DLQ_HEADERS) == written


def test_the_page_links_the_document_and_names_every_topic() -> None:
    page = rendered()[HTML_PATH]
    assert 'href="asyncapi.json"' in page and DOCUMENT_PATH.name == "asyncapi.json"
    for topic in REGISTRY:
        assert f"<code>{topic.value}</code>" in page
