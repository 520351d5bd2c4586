"""The topic registry's readers and writers against what each service's code does with Kafka.

The code of a service is what ``python -m <package>`` imports (``deploy.kafka_usage``): a topic it
gives to a consumer or follower is a read, one it publishes to a write, one it names otherwise (a
table of topics to follow, a faust topic) either. Every service's runtime beats on ``ops.events``,
so the registry lists every service as its writer without the service's code naming it.
"""

from __future__ import annotations

import ast

import pytest

from contracts import REGISTRY, Service, Topic
from deploy.kafka_usage import TopicUse, service_modules, topic_uses

pytestmark = pytest.mark.unit

_WRITTEN_BY_THE_RUNTIME = frozenset({Topic.OPS_EVENTS})


def disagreements(service: Service, uses: list[TopicUse]) -> list[str]:
    """Where the registry and the service's code disagree on a topic (dead-letter topics aside:
    the runtime writes them for whoever reads the source, and ops counts them from the registry)."""
    problems = []
    for topic, spec in REGISTRY.items():
        if spec.is_dlq:
            continue
        kinds = {use.access for use in uses if use.topic is topic}
        where = ", ".join(sorted(use.where for use in uses if use.topic is topic))
        reader, writer = service in spec.consumers, service in spec.producers
        if "read" in kinds and not reader:
            problems.append(f"{service} reads {topic} ({where}) but the registry does not list it as "
                            "a reader")
        if "write" in kinds and not writer:
            problems.append(f"{service} writes {topic} ({where}) but the registry does not list it as "
                            "a writer")
        if kinds == {"use"} and not (reader or writer):
            problems.append(f"{service} uses {topic} ({where}) but the registry lists it neither way")
        if reader and not kinds & {"read", "use"}:
            problems.append(f"the registry lists {service} as a reader of {topic}; its code never reads it")
        if writer and topic not in _WRITTEN_BY_THE_RUNTIME and not kinds & {"write", "use"}:
            problems.append(f"the registry lists {service} as a writer of {topic}; its code never writes it")
    return problems


@pytest.mark.parametrize("service", list(Service), ids=str)
def test_the_registry_says_what_the_service_code_reads_and_writes(service: Service) -> None:
    assert disagreements(service, topic_uses(service_modules(service))) == []


def test_a_reader_the_code_lost_and_a_topic_the_registry_lacks_are_both_caught() -> None:
    modules = service_modules(Service.INTAKE_SMS)
    uses = [u for u in topic_uses(modules) if u.topic is not Topic.REPLIES_REQUESTED]
    uses += topic_uses({"intake_sms.rogue": ast.parse(
        "async def leak(publisher, alert):\n"
        "    await publisher.publish(Topic.ALERTS_URGENT, alert)\n")})
    assert disagreements(Service.INTAKE_SMS, uses) == [
        "intake-sms writes alerts.urgent (intake_sms.rogue:2) but the registry does not list it as a writer",
        "the registry lists intake-sms as a reader of replies.requested; its code never reads it",
    ]
