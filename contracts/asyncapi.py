"""The AsyncAPI 3.0 document of the hotline's topics: ``python -m contracts.asyncapi check|write``.

Built from the topic registry (channels, keys, producers and consumers) and the committed JSON
Schema snapshots (payloads), so it cannot say anything the code does not do: a test fails when
the committed document differs from what this module builds. The CloudEvents attributes are the
messages' headers, as they travel in Kafka binary mode; the golden examples are the messages'
examples. ``docs/asyncapi/index.html`` is a plain rendering of the same document.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from contracts._base import Event
from contracts.asyncapi_page import render_html
from contracts.codec import dataschema_for
from contracts.envelope import (
    CONTENT_TYPE,
    H_CONTENT_TYPE,
    H_DATASCHEMA,
    H_ID,
    H_SOURCE,
    H_SPECVERSION,
    H_TIME,
    H_TYPE,
    REQUIRED_HEADERS,
    SPEC_VERSION,
)
from contracts.snapshots import EXAMPLE_DIR, SCHEMA_DIR
from contracts.topics import REGISTRY, Service, Topic, TopicSpec
from contracts.tracing import H_INGESTED_AT, H_TRACEPARENT

ASYNCAPI_VERSION: Final = "3.0.0"
KAFKA_BINDING_VERSION: Final = "0.5.0"
DOC_DIR: Final = Path(__file__).resolve().parent.parent / "docs" / "asyncapi"
DOCUMENT_PATH: Final = DOC_DIR / "asyncapi.json"
HTML_PATH: Final = DOC_DIR / "index.html"

# The headers the consumer loop adds to a dead letter (services.runtime.dead_letters writes them;
# a test holds the two lists together, since contracts import nothing from the runtime).
DLQ_HEADERS: Final[Mapping[str, str]] = {
    "dlq_original_topic": "The topic the record was read from (logical name).",
    "dlq_original_partition": "Its partition.",
    "dlq_original_offset": "Its offset.",
    "dlq_consumer_group": "The consumer group that could not apply it.",
    "dlq_error_class": "The error's class name.",
    "dlq_error_reason": "The project's own error text (never input): ids and kinds only.",
    "dlq_failed_at": "When it was dead-lettered (RFC 3339).",
    "dlq_attempts": "How many times the handler was tried.",
}

_UUID_KEY: Final = {"type": "string", "format": "uuid"}


def _message_name(event_type: type[Event]) -> str:
    return event_type.__name__


def _key_schema(spec: TopicSpec) -> dict[str, Any]:
    if spec.key in ("signal id", "report id"):
        return {**_UUID_KEY, "description": f"The {spec.key}: every record of one {spec.key.split()[0]} "
                                           "lands on one partition, in order."}
    if spec.key == "service":
        return {"type": "string", "enum": sorted(s.value for s in Service),
                "description": "The service that wrote the event."}
    return {"type": "string", "description": f"Key: {spec.key}."}


def _ce_headers(event_type: type[Event]) -> dict[str, Any]:
    """The CloudEvents context attributes in Kafka binary mode, plus the trace headers."""
    return {
        "type": "object",
        "description": "CloudEvents 1.0 attributes as Kafka headers (binary content mode), and the "
                       "trace context. Ids, types and times only: never personal data.",
        "required": list(REQUIRED_HEADERS),
        "properties": {
            H_SPECVERSION: {"type": "string", "const": SPEC_VERSION,
                            "description": "CloudEvents specversion."},
            H_ID: {"type": "string", "minLength": 1, "maxLength": 128,
                   "description": "CloudEvents id: derived from the input, so a retry is the same event."},
            H_TYPE: {"type": "string", "const": event_type.ce_type(), "description": "CloudEvents type."},
            H_SOURCE: {"type": "string", "pattern": "^/[a-z0-9/._-]*$",
                       "description": "CloudEvents source: /hotline/<service>."},
            H_TIME: {"type": "string", "format": "date-time", "description": "CloudEvents time (RFC 3339)."},
            H_CONTENT_TYPE: {"type": "string", "const": CONTENT_TYPE,
                             "description": "CloudEvents datacontenttype."},
            H_DATASCHEMA: {"type": "string", "const": dataschema_for(event_type),
                           "description": "CloudEvents dataschema: the payload's JSON Schema $id."},
            H_TRACEPARENT: {"type": "string", "pattern": "^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
                            "description": "W3C Trace Context: one trace per signal, across services."},
            H_INGESTED_AT: {"type": "string", "pattern": "^[0-9]+$",
                            "description": "When an intake accepted the signal this record descends "
                                           "from (ms since the epoch)."},
        },
    }


def _dlq_headers() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "The original record's headers (its CloudEvents attributes, if it had "
                       "any), plus why it could not be applied.",
        "required": sorted(DLQ_HEADERS),
        "properties": {name: {"type": "string", "description": text} for name, text in DLQ_HEADERS.items()},
    }


def _schemas(event_types: Iterable[type[Event]]) -> dict[str, Any]:
    """Each committed snapshot under its CloudEvents type, with its ``$defs`` hoisted into
    ``components.schemas`` (the snapshots share their definitions) and references rewritten."""
    schemas: dict[str, Any] = {}
    definitions: dict[str, Any] = {}
    for event_type in event_types:
        snapshot = json.loads((SCHEMA_DIR / f"{event_type.ce_type()}.json").read_text(encoding="utf-8"))
        for name, definition in snapshot.pop("$defs", {}).items():
            if definitions.setdefault(name, definition) != definition:
                raise ValueError(f"schema definition {name} differs between snapshots")
        # $id would make the rewritten references resolve against the URN, $schema is 2020-12's.
        snapshot.pop("$id", None)
        snapshot.pop("$schema", None)
        schemas[event_type.ce_type()] = snapshot
    clash = set(definitions) & set(schemas)
    if clash:
        raise ValueError(f"schema names clash: {sorted(clash)}")
    rewritten: dict[str, Any] = _rewrite_refs({**schemas, **dict(sorted(definitions.items()))})
    return rewritten


def _rewrite_refs(node: Any) -> Any:
    """References into ``components.schemas``; an OpenAPI-style discriminator (pydantic writes
    ``{propertyName, mapping}``) becomes AsyncAPI's, the property name alone."""
    if isinstance(node, dict):
        rewritten = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                rewritten[key] = "#/components/schemas/" + value.removeprefix("#/$defs/")
            elif key == "discriminator" and isinstance(value, dict) and "propertyName" in value:
                rewritten[key] = value["propertyName"]
            else:
                rewritten[key] = _rewrite_refs(value)
        return rewritten
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _example(event_type: type[Event]) -> dict[str, Any] | None:
    path = EXAMPLE_DIR / f"{event_type.ce_type()}.json"
    if not path.exists():
        return None
    golden = json.loads(path.read_text(encoding="utf-8"))
    return {"name": "golden", "summary": f"contracts/examples/{path.name}",
            "headers": golden["headers"], "payload": golden["value"]}


def _message(event_type: type[Event], spec: TopicSpec) -> dict[str, Any]:
    message: dict[str, Any] = {
        "name": _message_name(event_type),
        "title": event_type.ce_type(),
        "summary": (event_type.__doc__ or event_type.__name__).strip().splitlines()[0],
        "contentType": CONTENT_TYPE,
        "headers": _ce_headers(event_type),
        "payload": {"$ref": f"#/components/schemas/{event_type.ce_type()}"},
        "bindings": {"kafka": {"key": _key_schema(spec), "bindingVersion": KAFKA_BINDING_VERSION}},
    }
    example = _example(event_type)
    if example is not None:
        message["examples"] = [example]
    return message


def _channel(spec: TopicSpec, messages: Mapping[str, str]) -> dict[str, Any]:
    retention_ms = -1 if spec.retention is None else int(spec.retention.total_seconds() * 1000)
    return {
        "address": spec.topic.value,
        "title": spec.topic.value,
        "description": f"{spec.description} Key: {spec.key}.",
        "messages": {name: {"$ref": ref} for name, ref in messages.items()},
        "bindings": {"kafka": {
            "topic": spec.topic.value,
            "partitions": spec.partitions,
            "topicConfiguration": {"cleanup.policy": [spec.cleanup_policy], "retention.ms": retention_ms},
            "bindingVersion": KAFKA_BINDING_VERSION,
        }},
    }


def _operation_id(service: Service, action: str, topic: Topic) -> str:
    return f"{service.value.replace('-', '_')}__{action}__{topic.value.replace('.', '_')}"


def build() -> dict[str, Any]:
    """The whole document, deterministically ordered."""
    specs = sorted(REGISTRY.values(), key=lambda s: (s.is_dlq, s.topic.value))
    event_types = [t for spec in specs for t in spec.event_types]
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for spec in specs:
        if spec.is_dlq:
            names = {"DeadLetter": "#/components/messages/DeadLetter"}
        else:
            names = {}
            for event_type in spec.event_types:
                messages[_message_name(event_type)] = _message(event_type, spec)
                names[_message_name(event_type)] = f"#/components/messages/{_message_name(event_type)}"
        channel_ref = f"#/channels/{spec.topic.value}"
        channels[spec.topic.value] = _channel(spec, names)
        for action, services in (("send", spec.producers), ("receive", spec.consumers)):
            for service in sorted(services):
                operations[_operation_id(service, action, spec.topic)] = {
                    "action": action,
                    "channel": {"$ref": channel_ref},
                    "summary": f"{service.value} {'writes to' if action == 'send' else 'reads'} "
                               f"{spec.topic.value}",
                    "tags": [{"name": service.value}],
                    "messages": [{"$ref": f"{channel_ref}/messages/{name}"} for name in names],
                }
    messages["DeadLetter"] = {
        "name": "DeadLetter",
        "title": "Dead letter",
        "summary": "A record a consumer could not apply: its original key, bytes and headers.",
        "headers": _dlq_headers(),
        "payload": {"description": "The original value, byte for byte (usually one of the source "
                                   "topic's events, but possibly undecodable)."},
    }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": "urn:hotline:asyncapi",
        "info": {
            "title": "Hotline events",
            "version": "1.0.0",
            "description": "Signal intake, triage and fan-out for anti-trafficking hotlines: the Kafka "
                           "topics, their events (CloudEvents 1.0 in Kafka binary mode, JSON values) "
                           "and which service writes and reads each. Generated from contracts/topics.py "
                           "and contracts/schemas/ by `python -m contracts.asyncapi write`. A channel's "
                           "address is the topic's logical name; on the broker it carries "
                           "HOTLINE_TOPIC_PREFIX, if one is set.",
            "license": {"name": "Apache-2.0"},
            "tags": [{"name": service.value} for service in Service],
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {"local": {
            "host": "127.0.0.1:9092", "protocol": "kafka",
            "description": "The local broker of ./dev run (production: any Kafka cluster; "
                           "HOTLINE_KAFKA_BOOTSTRAP).",
        }},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": _schemas(event_types)},
    }


def render(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- files


def rendered() -> dict[Path, str]:
    document = build()
    return {DOCUMENT_PATH: render(document), HTML_PATH: render_html(document)}


def stale() -> list[Path]:
    return [path for path, text in rendered().items()
            if not path.exists() or path.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.asyncapi", description=__doc__)
    parser.add_argument("action", choices=("check", "write"))
    args = parser.parse_args(argv)
    if args.action == "write":
        DOC_DIR.mkdir(parents=True, exist_ok=True)
        for path, text in rendered().items():
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
        return 0
    paths = stale()
    for path in paths:
        print(f"stale AsyncAPI document: {path.name} (run: python -m contracts.asyncapi write)")
    return 1 if paths else 0


if __name__ == "__main__":
    sys.exit(main())
