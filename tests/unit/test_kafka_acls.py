"""Each service's KafkaUser ACLs against what its code does with Kafka (see deploy.kafka_usage)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from contracts import REGISTRY, Service, Topic, physical_name
from deploy.kafka_access import CONSUMER_GROUPS, Grant, grants, keda_grants, render_users, user_name
from deploy.kafka_usage import group_uses, service_modules, topic_uses

pytestmark = pytest.mark.unit

COMMITTED = Path(__file__).resolve().parents[2] / "deploy" / "strimzi" / "kafka-users.yaml"


def _allowed(service_grants: tuple[Grant, ...], topic: Topic, operation: str) -> bool:
    name = physical_name(topic)
    return any(g.covers("topic", name) and operation in g.operations for g in service_grants)


def violations(service: Service, modules: dict[str, ast.Module]) -> list[str]:
    """What the code does that the service's ACLs would refuse."""
    granted = grants(service)
    problems = []
    for use in topic_uses(modules):
        needed = {"write": ("Write",), "read": ("Read",), "use": ("Read", "Write")}[use.access]
        if not any(_allowed(granted, use.topic, op) for op in needed):
            problems.append(f"{use.where}: {use.access} {use.topic.value} needs {' or '.join(needed)}")
        dlq = REGISTRY[use.topic].dlq
        if use.access == "read" and dlq is not None and not _allowed(granted, dlq, "Write"):
            problems.append(f"{use.where}: reads {use.topic.value} but may not dead-letter to {dlq.value}")
    groups = [g for g in granted if g.resource == "group" and "Read" in g.operations]
    for group in group_uses(modules):
        fits = [g for g in groups if g.covers("group", group.name) and (group.exact or g.pattern == "prefix")]
        if not fits:
            problems.append(f"{group.where}: consumer group {group.name!r} is not the service's group")
    return problems


@pytest.mark.parametrize("service", list(Service), ids=str)
def test_the_service_code_uses_only_what_its_acls_allow(service: Service) -> None:
    assert violations(service, service_modules(service)) == []


@pytest.mark.parametrize("service", list(Service), ids=str)
def test_every_service_may_beat_on_ops_events(service: Service) -> None:
    # The runtime's OpsReporter publishes heartbeats from every process.
    assert _allowed(grants(service), Topic.OPS_EVENTS, "Write")


def test_a_topic_outside_the_acls_is_caught() -> None:
    modules = service_modules(Service.INTAKE_WEBFORM)
    modules["intake_webform.rogue"] = ast.parse(
        "async def leak(publisher, alert, handler):\n"
        "    await publisher.publish(Topic.ALERTS_URGENT, alert)\n"
        "    ConsumerSpec(name='x', topic=Topic.SIGNALS_TRIAGED, group='webform', handler=handler)\n")
    assert violations(Service.INTAKE_WEBFORM, modules) == [
        "intake_webform.rogue:2: write alerts.urgent needs Write",
        "intake_webform.rogue:3: read signals.triaged needs Read",
        "intake_webform.rogue:3: reads signals.triaged but may not dead-letter to signals.triaged.dlq",
        "intake_webform.rogue:3: consumer group 'webform' is not the service's group",
    ]


def test_a_group_outside_the_acls_is_caught() -> None:
    modules = service_modules(Service.REVIEW)
    modules["services.review.rogue"] = ast.parse(
        "def consumer(handler):\n"
        "    return ConsumerSpec(name='x', topic=Topic.ALERTS_URGENT, group=f'reviewers.{handler}',"
        " handler=handler)\n")
    assert violations(Service.REVIEW, modules) == [
        "services.review.rogue:2: consumer group 'reviewers.' is not the service's group"]


@pytest.mark.parametrize("service", list(Service), ids=str)
def test_acls_grant_the_registry_and_the_own_group_nothing_else(service: Service) -> None:
    granted = grants(service)
    for topic, spec in REGISTRY.items():
        assert _allowed(granted, topic, "Read") == (service in spec.consumers), topic
        assert _allowed(granted, topic, "Write") == (service in spec.producers), topic
    groups = {(g.name, g.pattern) for g in granted if g.resource == "group" and "Read" in g.operations}
    own = CONSUMER_GROUPS.get(service)
    assert groups == ({(own.name, own.pattern)} if own else set())
    if service is not Service.OPS:  # ops alone also sees the others' lag (Describe)
        assert all(g.operations != ("Describe",) for g in granted)


def test_keda_may_only_describe() -> None:
    assert {op for g in keda_grants() for op in g.operations} == {"Describe"}


def test_committed_kafka_users_match_the_registry() -> None:
    rendered = render_users(cluster="hotline", namespace="hotline")
    assert COMMITTED.read_text() == rendered, "run: python -m deploy.render_manifests"
    users = list(yaml.safe_load_all(rendered))
    assert [u["metadata"]["name"] for u in users] == [*(user_name(s) for s in Service), "hotline-keda"]
    assert all(u["apiVersion"] == "kafka.strimzi.io/v1" for u in users)
