"""The Kubernetes manifests against the registry, the ACLs and the services' code (no cluster needed;
``./dev manifests`` renders and validates them with kustomize, kubeconform and checkov)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts import REGISTRY, Service, physical_name
from deploy.kafka_access import CONSUMER_GROUPS, FOLLOWED, STREAMS, grants, user_name
from deploy.kafka_usage import PACKAGES, service_modules, topic_uses
from deploy.render_manifests import SCALING, generated, max_replicas

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "deploy" / "k8s" / "base"


@cache
def _documents(*folders: Path) -> list[dict[str, Any]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [d for folder in folders for path in sorted(folder.rglob("*.yaml"))
            for d in yaml.load_all(path.read_text(), Loader=loader) if d]


@cache
def _workloads() -> dict[str, dict[str, Any]]:
    return {d["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]: d
            for d in _documents(BASE) if d["kind"] in ("Deployment", "StatefulSet")
            and d["metadata"]["name"] != "every-hotline-workload"}


def _env(workload: dict[str, Any]) -> dict[str, Any]:
    container = workload["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


def test_generated_manifests_are_committed() -> None:
    stale = [str(path.relative_to(ROOT)) for path, text in generated().items() if path.read_text() != text]
    assert stale == [], "run: python -m deploy.render_manifests"


def test_no_secret_is_written_into_the_manifests() -> None:
    folders = (ROOT / "deploy" / "k8s", ROOT / "deploy" / "strimzi")
    assert [d["metadata"]["name"] for d in _documents(*folders) if d["kind"] == "Secret"] == []


@pytest.mark.parametrize("service", list(Service), ids=str)
def test_every_service_runs_its_entry_point_as_its_kafka_user(service: Service) -> None:
    workload = _workloads()[service.value]
    container = workload["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == [PACKAGES[service]]
    env = _env(workload)
    # Triage too: faust is to take the runtime's settings, so its credentials come the same way.
    assert env["HOTLINE_KAFKA_SASL_USERNAME"] == user_name(service)
    password = {"secretKeyRef": {"name": user_name(service), "key": "password"}}
    assert env["HOTLINE_KAFKA_SASL_PASSWORD"] == password


def test_stateful_intakes_run_as_stateful_sets() -> None:
    workloads = _workloads()
    webform, email, sms = workloads["intake-webform"], workloads["intake-email"], workloads["intake-sms"]
    assert webform["kind"] == "StatefulSet"
    assert [c["metadata"]["name"] for c in webform["spec"]["volumeClaimTemplates"]] == ["spool"]
    assert email["kind"] == "StatefulSet" and email["spec"]["replicas"] == 1
    # Texts: conversations, kept numbers and the spool in one process's state volume.
    assert sms["kind"] == "StatefulSet" and sms["spec"]["replicas"] == 1
    assert [c["metadata"]["name"] for c in sms["spec"]["volumeClaimTemplates"]] == ["state"]
    stateful = ("intake-webform", "intake-email", "intake-sms")
    stateless = {name: w for name, w in workloads.items() if name not in stateful}
    assert {w["kind"] for w in stateless.values()} == {"Deployment"}


def _scaled_objects() -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in yaml.safe_load_all((BASE / "scaled-objects.yaml").read_text())
            if d and d["kind"] == "ScaledObject"}


@pytest.mark.parametrize("service", list(SCALING), ids=str)
def test_keda_scales_on_every_group_up_to_the_partition_count(service: Service) -> None:
    scaled = _scaled_objects()[f"hotline-{service.value}"]
    assert scaled["spec"]["maxReplicaCount"] == max_replicas(service)
    assert max_replicas(service) == max(REGISTRY[t].partitions for _, t in STREAMS[service])
    triggers = {(t["metadata"]["consumerGroup"], t["metadata"]["topic"]) for t in scaled["spec"]["triggers"]}
    assert triggers == {(group, physical_name(topic)) for group, topic in STREAMS[service]}
    assert all(t["metadata"]["allowIdleConsumers"] == "false" for t in scaled["spec"]["triggers"])
    assert "replicas" not in _workloads()[service.value]["spec"]  # KEDA owns the count


@pytest.mark.parametrize("service", list(STREAMS), ids=str)
def test_streams_are_the_groups_and_topics_the_code_reads(service: Service) -> None:
    group = CONSUMER_GROUPS[service]
    for name, topic in STREAMS[service]:
        assert name.startswith(group.name) if group.pattern == "prefix" else name == group.name
        assert service in REGISTRY[topic].consumers
    read = {u.topic for u in topic_uses(service_modules(service)) if u.access == "read"}
    assert read <= {topic for _, topic in STREAMS[service]} | set(FOLLOWED.get(service, ()))
    assert {g.name for g in grants(service) if g.resource == "group"} == {group.name}


def test_the_prometheus_rule_is_the_alert_rules() -> None:
    rule = yaml.safe_load((BASE / "prometheus-rule.yaml").read_text())
    alerts = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yml").read_text())
    assert rule["kind"] == "PrometheusRule"
    assert rule["spec"]["groups"] == alerts["groups"]


def test_metrics_services_carry_the_job_names_the_alerts_use() -> None:
    scrape = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"] for job in scrape["scrape_configs"]}
    services = [d for d in _documents(BASE) if d["kind"] == "Service"]
    labelled = {d["metadata"]["labels"]["hotline/job"] for d in services
                if d["metadata"].get("labels", {}).get("hotline/metrics") == "true"}
    assert labelled == jobs
