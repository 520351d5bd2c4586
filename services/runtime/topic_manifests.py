"""What each topic should look like on a cluster: its configuration, and Strimzi ``KafkaTopic`` manifests.

No broker here: ``provision`` applies the same configuration to a running cluster.
"""

from __future__ import annotations

from contracts import REGISTRY, TopicSpec, physical_name

HEADER = "# Generated from contracts/topics.py by `hotline-topics manifests`; do not edit by hand.\n"


def desired_config(spec: TopicSpec, replication_factor: int) -> dict[str, str]:
    """The topic-level configuration a cluster of ``replication_factor`` copies should have."""
    config = spec.config()
    if replication_factor >= 3:
        # With three copies, an acks=all write survives losing one broker.
        config["min.insync.replicas"] = "2"
    return config


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(*, cluster: str, namespace: str, replication_factor: int, prefix: str = "") -> str:
    """One YAML document per topic, in registry order."""
    documents = []
    for topic, spec in REGISTRY.items():
        name = physical_name(topic, prefix)
        config = desired_config(spec, replication_factor)
        lines = [
            "apiVersion: kafka.strimzi.io/v1",
            "kind: KafkaTopic",
            "metadata:",
            # Resource names may not hold every character a topic name may; topicName keeps it exact.
            f"  name: {name.replace('.', '-').replace('_', '-').lower()}",
            f"  namespace: {namespace}",
            "  labels:",
            f"    strimzi.io/cluster: {cluster}",
            "  annotations:",
            f"    hotline/description: {_quote(spec.description)}",
            f"    hotline/key: {_quote(spec.key)}",
            "spec:",
            f"  topicName: {name}",
            f"  partitions: {spec.partitions}",
            f"  replicas: {replication_factor}",
            "  config:",
            *(f"    {key}: {_quote(value)}" for key, value in sorted(config.items())),
        ]
        documents.append("\n".join(lines) + "\n")
    return HEADER + "---\n".join(documents)
