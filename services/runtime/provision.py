"""Create or verify every topic of the registry: ``hotline-topics ensure|verify|list``.

Idempotent: ``ensure`` creates what is missing and resets drifted topic configs; it never
changes a partition count (that would move keys between partitions and break per-signal
ordering), it reports it instead.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError

from contracts import REGISTRY, Topic, physical_name
from services.runtime.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE
from services.runtime.kafka_options import client_options
from services.runtime.settings import RuntimeSettings
from services.runtime.topic_manifests import desired_config, render

_TOPIC_ALREADY_EXISTS = 36
_LEADER_NOT_AVAILABLE = 5  # the topic exists; its partitions are still getting leaders
_READY_TIMEOUT_S = 30.0

Status = Literal["created", "updated", "ok", "missing", "drift"]


@dataclass(frozen=True)
class TopicReport:
    topic: Topic
    name: str
    status: Status
    problems: tuple[str, ...] = field(default=())


async def provision(
    settings: RuntimeSettings, *, create: bool, topics: Iterable[Topic] = tuple(Topic)
) -> list[TopicReport]:
    admin = AIOKafkaAdminClient(**client_options(settings, client_id="hotline-topics"))
    await admin.start()
    try:
        return await _provision(admin, settings, create=create, topics=list(topics))
    finally:
        await admin.close()


async def _provision(
    admin: AIOKafkaAdminClient, settings: RuntimeSettings, *, create: bool, topics: list[Topic]
) -> list[TopicReport]:
    rf = settings.replication_factor
    names = {t: physical_name(t, settings.topic_prefix) for t in topics}
    existing = {d["topic"]: d for d in await admin.describe_topics(list(names.values()))
                if d["error_code"] in (0, _LEADER_NOT_AVAILABLE)}
    reports: dict[Topic, TopicReport] = {}
    to_create = [t for t in topics if names[t] not in existing]
    if to_create and create:
        response = await admin.create_topics([
            NewTopic(names[t], REGISTRY[t].partitions, rf, topic_configs=desired_config(REGISTRY[t], rf))
            for t in to_create
        ])
        for name, code, message in _topic_errors(response):
            if code not in (0, _TOPIC_ALREADY_EXISTS):
                raise KafkaError(f"creating {name} failed: error {code} {message or ''}".strip())
        reports.update({t: TopicReport(t, names[t], "created") for t in to_create})
        # Return only once the new topics can be used: producers and consumers started right
        # after ``ensure`` must not race the controller.
        await _wait_until_ready(admin, [names[t] for t in to_create])
    else:
        reports.update({t: TopicReport(t, names[t], "missing") for t in to_create})

    present = [t for t in topics if names[t] in existing]
    actual_configs = await _describe_configs(admin, [names[t] for t in present])
    to_alter: list[Topic] = []
    for t in present:
        spec = REGISTRY[t]
        problems = []
        partitions = len(existing[names[t]]["partitions"])
        if partitions < spec.partitions:
            problems.append(f"partitions {partitions} < {spec.partitions} (not changed automatically)")
        want = desired_config(spec, rf)
        have = actual_configs.get(names[t], {})
        config_drift = [f"{k}={have.get(k)!s} (want {v})" for k, v in want.items() if have.get(k) != v]
        if config_drift and create:
            to_alter.append(t)
        problems.extend(config_drift)
        status: Status = "drift" if problems else "ok"
        if create and config_drift and len(problems) == len(config_drift):
            status = "updated"
        reports[t] = TopicReport(t, names[t], status, tuple(problems))
    if to_alter:
        await admin.alter_configs([
            ConfigResource(ConfigResourceType.TOPIC, names[t], desired_config(REGISTRY[t], rf))
            for t in to_alter
        ])
    return [reports[t] for t in topics]


async def _wait_until_ready(admin: AIOKafkaAdminClient, names: list[str]) -> None:
    try:
        async with asyncio.timeout(_READY_TIMEOUT_S):
            while True:
                described = await admin.describe_topics(names)
                if all(d["error_code"] == 0 and d["partitions"]
                       and all(p["leader"] >= 0 for p in d["partitions"]) for d in described):
                    return
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise KafkaError(f"new topics have no partition leaders after {_READY_TIMEOUT_S}s") from None


def _topic_errors(response: Any) -> list[tuple[str, int, str | None]]:
    errors = []
    for entry in response.topic_errors:
        name, code = entry[0], entry[1]
        message = entry[2] if len(entry) > 2 else None
        errors.append((name, code, message))
    return errors


async def _describe_configs(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, dict[str, str]]:
    if not names:
        return {}
    responses = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
    )
    configs: dict[str, dict[str, str]] = {}
    for response in responses:
        for resource in response.resources:
            _code, _message, _type, name, entries = resource[:5]
            configs[name] = {entry[0]: entry[1] for entry in entries}
    return configs


def _print_reports(reports: list[TopicReport]) -> None:
    width = max(len(r.name) for r in reports)
    for r in reports:
        spec = REGISTRY[r.topic]
        line = f"{r.name:<{width}}  {r.status:<8} partitions={spec.partitions}"
        print(line + (f"  {'; '.join(r.problems)}" if r.problems else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="hotline-topics",
        description="Create (ensure) or check (verify) every topic in the registry. "
        "Connection settings come from HOTLINE_* variables; flags override them.",
    )
    parser.add_argument("action", choices=("ensure", "verify", "list", "manifests"),
                        help="manifests: print Strimzi KafkaTopic resources instead of touching a broker")
    parser.add_argument("--bootstrap", help="Kafka bootstrap servers (HOTLINE_KAFKA_BOOTSTRAP)")
    parser.add_argument("--prefix", help="topic name prefix (HOTLINE_TOPIC_PREFIX)")
    parser.add_argument("--replication-factor", type=int, help="(HOTLINE_REPLICATION_FACTOR)")
    parser.add_argument("--cluster", default="hotline", help="manifests: the Strimzi Kafka cluster")
    parser.add_argument("--namespace", default="hotline", help="manifests: the cluster's namespace")
    args = parser.parse_args(argv)
    overrides = {k: v for k, v in {
        "kafka_bootstrap": args.bootstrap, "topic_prefix": args.prefix,
        "replication_factor": args.replication_factor}.items() if v is not None}
    settings = RuntimeSettings(**overrides)
    if args.action == "manifests":
        print(render(cluster=args.cluster, namespace=args.namespace,
                     replication_factor=args.replication_factor or 3, prefix=settings.topic_prefix), end="")
        return 0
    if args.action == "list":
        for topic, spec in REGISTRY.items():
            print(f"{physical_name(topic, settings.topic_prefix)}\tkey={spec.key}\t"
                  f"partitions={spec.partitions}\t{spec.description}")
        return 0
    try:
        reports = asyncio.run(provision(settings, create=args.action == "ensure"))
    except KafkaError as error:
        print(f"error: cannot provision topics on {settings.kafka_bootstrap}: "
              f"{type(error).__name__} {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    _print_reports(reports)
    bad = [r for r in reports if r.status in ("missing", "drift")]
    return EXIT_FAILED if bad else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
