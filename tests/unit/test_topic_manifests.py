"""The committed Strimzi manifests are the registry, rendered."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from contracts import REGISTRY
from services.runtime.topic_manifests import desired_config, render

pytestmark = pytest.mark.unit

COMMITTED = Path(__file__).resolve().parents[2] / "deploy" / "strimzi" / "kafka-topics.yaml"


def test_committed_manifests_match_the_registry() -> None:
    rendered = render(cluster="hotline", namespace="hotline", replication_factor=3)
    regenerate = "run: hotline-topics manifests > deploy/strimzi/kafka-topics.yaml"
    assert COMMITTED.read_text() == rendered, regenerate


def test_manifests_are_kafka_topic_resources_for_every_registry_topic() -> None:
    documents = list(yaml.safe_load_all(render(cluster="c1", namespace="ns", replication_factor=3,
                                               prefix="prod.")))
    assert len(documents) == len(REGISTRY)
    for document, (topic, spec) in zip(documents, REGISTRY.items(), strict=True):
        assert document["apiVersion"] == "kafka.strimzi.io/v1"
        assert document["kind"] == "KafkaTopic"
        assert document["metadata"]["labels"] == {"strimzi.io/cluster": "c1"}
        assert document["spec"]["topicName"] == f"prod.{topic.value}"
        assert document["spec"]["partitions"] == spec.partitions
        assert document["spec"]["replicas"] == 3
        assert document["spec"]["config"] == desired_config(spec, 3)
        name = document["metadata"]["name"]
        assert name == name.lower() and "." not in name and len(name) <= 253
