"""Who may do what on the Kafka cluster: each service's ACLs, derived from the topic registry.

A service may write the topics the registry lists it as a producer of, read those it lists it as a
consumer of, and use its own consumer group; nothing else. Two principals are not services:
``ops`` additionally needs Describe on the other services' groups and on the topics they read (to
compute lag: committed offsets against end offsets), and KEDA's scaler needs exactly that Describe
access and nothing more. Rendered as Strimzi ``KafkaUser`` resources (SCRAM-SHA-512) by
``python -m deploy.render_manifests``; ``tests/unit/test_kafka_acls.py`` checks the services' code
against these grants.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import yaml

from contracts import REGISTRY, Service, Topic, physical_name

ResourceType = Literal["topic", "group"]
Pattern = Literal["literal", "prefix"]
Operation = Literal["Read", "Write", "Describe"]

KEDA_USER = "hotline-keda"


@dataclass(frozen=True)
class Grant:
    """Operations on one resource (a name, or every name starting with it)."""

    resource: ResourceType
    name: str
    pattern: Pattern
    operations: tuple[Operation, ...]

    def covers(self, resource: ResourceType, name: str) -> bool:
        if resource != self.resource:
            return False
        return name.startswith(self.name) if self.pattern == "prefix" else name == self.name


@dataclass(frozen=True)
class ConsumerGroup:
    """The consumer group(s) a service joins: one name, or a family sharing a prefix."""

    name: str
    pattern: Pattern


# The group names the services' code uses (checked by tests/unit/test_kafka_acls.py): triage's
# faust app id, and one group per stream for review and reporting ("review.signals", ...). The ops
# service reads without a group; the intakes only write.
CONSUMER_GROUPS: Mapping[Service, ConsumerGroup] = MappingProxyType({
    Service.TRIAGE: ConsumerGroup("triage", "literal"),
    Service.REVIEW: ConsumerGroup("review.", "prefix"),
    Service.REPORTING: ConsumerGroup("reporting.", "prefix"),
    Service.INTAKE_SMS: ConsumerGroup("intake-sms.", "prefix"),
})


# Each consuming service's groups, one per topic it reads with a group (what KEDA measures lag on).
STREAMS: Mapping[Service, tuple[tuple[str, Topic], ...]] = MappingProxyType({
    Service.TRIAGE: (("triage", Topic.SIGNALS_RECEIVED),),
    Service.REVIEW: (("review.signals", Topic.SIGNALS_RECEIVED), ("review.cases", Topic.SIGNALS_TRIAGED),
                     ("review.alerts", Topic.ALERTS_URGENT), ("review.outcomes", Topic.REPORTS_OUTCOMES),
                     ("review.replies", Topic.REPLIES_OUTCOMES),
                     ("review.erasures", Topic.ERASURES_REQUESTED)),
    Service.REPORTING: (("reporting.signals", Topic.SIGNALS_RECEIVED),
                        ("reporting.requests", Topic.REPORTS_REQUESTED),
                        ("reporting.erasures", Topic.ERASURES_ORDERED)),
    Service.INTAKE_SMS: (("intake-sms.replies", Topic.REPLIES_REQUESTED),),
})


# Topics a consuming service reads whole, without a group (nothing committed, so no lag to scale
# on): every triage worker reads all of entities.sighted, its shared correlation window.
FOLLOWED: Mapping[Service, tuple[Topic, ...]] = MappingProxyType({
    Service.TRIAGE: (Topic.ENTITIES_SIGHTED,),
})


def user_name(service: Service) -> str:
    """The KafkaUser (and SCRAM user name, and Secret) of a service."""
    return f"hotline-{service.value}"


def reads(service: Service) -> tuple[Topic, ...]:
    return tuple(t for t, spec in REGISTRY.items() if service in spec.consumers)


def writes(service: Service) -> tuple[Topic, ...]:
    return tuple(t for t, spec in REGISTRY.items() if service in spec.producers)


def _group_topics() -> tuple[Topic, ...]:
    """Topics some consumer group reads: where lag exists."""
    followed = {t for topics in FOLLOWED.values() for t in topics}
    return tuple(t for t, spec in REGISTRY.items()
                 if spec.consumers & set(CONSUMER_GROUPS) and t not in followed)


def _topic_grants(topics: Iterable[Topic], operations: tuple[Operation, ...], prefix: str) -> list[Grant]:
    return [Grant("topic", physical_name(t, prefix), "literal", operations) for t in topics]


def _lag_grants(prefix: str) -> list[Grant]:
    """Describe on every group and on the topics groups read: enough to compute lag, nothing more."""
    groups = [Grant("group", f"{prefix}{g.name}", g.pattern, ("Describe",)) for g in CONSUMER_GROUPS.values()]
    return [*_topic_grants(_group_topics(), ("Describe",), prefix), *groups]


def grants(service: Service, prefix: str = "") -> tuple[Grant, ...]:
    """A service's ACLs: write its outputs, read its inputs, its own group; ops also sees lag."""
    read, write = reads(service), writes(service)
    both = [t for t in read if t in write]
    result = [
        *_topic_grants([t for t in read if t not in both], ("Read", "Describe"), prefix),
        *_topic_grants([t for t in write if t not in both], ("Write", "Describe"), prefix),
        *_topic_grants(both, ("Read", "Write", "Describe"), prefix),
    ]
    group = CONSUMER_GROUPS.get(service)
    if group is not None:
        result.append(Grant("group", f"{prefix}{group.name}", group.pattern, ("Read",)))
    if service is Service.OPS:
        covered = {g.name for g in result if g.resource == "topic"}
        result.extend(g for g in _lag_grants(prefix) if g.name not in covered)
    return tuple(sorted(result, key=lambda g: (g.resource, g.name)))


def keda_grants(prefix: str = "") -> tuple[Grant, ...]:
    return tuple(sorted(_lag_grants(prefix), key=lambda g: (g.resource, g.name)))


def _kafka_user(name: str, description: str, user_grants: Iterable[Grant], *, cluster: str,
                namespace: str) -> dict[str, object]:
    return {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaUser",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"strimzi.io/cluster": cluster, "app.kubernetes.io/part-of": "hotline"},
            "annotations": {"hotline/description": description},
        },
        "spec": {
            "authentication": {"type": "scram-sha-512"},
            "authorization": {
                "type": "simple",
                "acls": [{"resource": {"type": g.resource, "name": g.name, "patternType": g.pattern},
                          "operations": list(g.operations), "host": "*"} for g in user_grants],
            },
        },
    }


_DESCRIPTION = "Writes and reads what the topic registry names this service for; its consumer group."
_DESCRIPTIONS = {Service.OPS: _DESCRIPTION + " Describe on the groups and the topics they read (lag)."}

HEADER = ("# Generated from contracts/topics.py and deploy/kafka_access.py by "
          "`python -m deploy.render_manifests`; do not edit by hand.\n")


def render_users(*, cluster: str, namespace: str, prefix: str = "") -> str:
    documents = [_kafka_user(user_name(s), _DESCRIPTIONS.get(s, _DESCRIPTION), grants(s, prefix),
                             cluster=cluster, namespace=namespace) for s in Service]
    documents.append(_kafka_user(KEDA_USER, "KEDA's Kafka scaler: consumer-group lag, read-only.",
                                 keda_grants(prefix), cluster=cluster, namespace=namespace))
    return HEADER + str(yaml.safe_dump_all(documents, sort_keys=False, explicit_start=True, width=110,
                                           default_flow_style=None))
