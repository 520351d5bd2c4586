"""Every topic that carries narrative, reporters' details or words a person wrote keeps them for a
bounded time (the case store is their system of record), the dead-letter topics included: a DLQ
holds the original records' bytes. The topic manifests operators apply say the same."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

import pytest
import yaml

from contracts.topics import REGISTRY, Topic, TopicSpec, physical_name

# Fields whose values are words from or about people: a narrative, a subject, a reply's text,
# triage's matched spans of the narrative, contact details and safe-contact instructions.
CONTENT_FIELDS: Final = frozenset({"narrative", "subject", "body", "matched_text", "contact", "instructions"})
LONGEST: Final = timedelta(days=30)
MANIFEST: Final = Path(__file__).resolve().parents[2] / "deploy" / "strimzi" / "kafka-topics.yaml"


def _properties(schema: Any) -> Iterable[str]:
    if isinstance(schema, dict):
        for name, value in schema.items():
            if name == "properties" and isinstance(value, dict):
                yield from value
            yield from _properties(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _properties(item)


def carries_content(spec: TopicSpec, registry: Mapping[Topic, TopicSpec]) -> bool:
    if spec.is_dlq:  # the source topic's records, byte for byte
        sources = [s for s in registry.values() if s.dlq is spec.topic]
        return any(carries_content(source, registry) for source in sources)
    return any(CONTENT_FIELDS & set(_properties(event.model_json_schema())) for event in spec.event_types)


def retention_problems(registry: Mapping[Topic, TopicSpec]) -> list[str]:
    problems = []
    for spec in registry.values():
        if not carries_content(spec, registry):
            continue
        if spec.retention is None or spec.cleanup_policy != "delete":
            problems.append(f"{spec.topic.value} carries narrative and keeps it forever")
        elif spec.retention > LONGEST:
            problems.append(f"{spec.topic.value} carries narrative for {spec.retention.days} days")
    return problems


def test_every_topic_that_carries_narrative_keeps_it_a_bounded_time() -> None:
    carrying = {t.value for t, s in REGISTRY.items() if carries_content(s, REGISTRY)}
    # The check finds them by their schemas: the signal topics, replies, and their dead letters.
    assert {"signals.received", "signals.triaged", "replies.requested", "signals.received.dlq",
            "replies.requested.dlq"} <= carrying
    assert retention_problems(REGISTRY) == []


def test_the_check_fails_on_an_unbounded_narrative_topic_or_dead_letter_topic() -> None:
    from dataclasses import replace

    for topic in (Topic.SIGNALS_RECEIVED, Topic.SIGNALS_RECEIVED_DLQ):
        unbounded = {**REGISTRY, topic: replace(REGISTRY[topic], retention=None)}
        assert retention_problems(unbounded) == [f"{topic.value} carries narrative and keeps it forever"]
    compacted = {**REGISTRY, Topic.REPLIES_REQUESTED: replace(REGISTRY[Topic.REPLIES_REQUESTED],
                                                              cleanup_policy="compact")}
    assert retention_problems(compacted) == ["replies.requested carries narrative and keeps it forever"]


@pytest.mark.parametrize("topic", sorted(REGISTRY, key=str), ids=str)
def test_the_applied_topic_manifest_bounds_every_topic_as_the_registry_does(topic: Topic) -> None:
    documents = [d for d in yaml.safe_load_all(MANIFEST.read_text(encoding="utf-8")) if d]
    by_name = {d["spec"].get("topicName", d["metadata"]["name"]): d for d in documents}
    name = physical_name(topic)
    document = by_name.get(name) or by_name[name.replace(".", "-")]
    retention_ms = int(document["spec"]["config"]["retention.ms"])
    assert retention_ms > 0, f"{name} is unbounded in {MANIFEST.name}"
    expected = REGISTRY[topic].retention
    assert expected is not None and retention_ms == expected.total_seconds() * 1000
