"""Run the rendered workloads of the dev overlay with ``podman kube play`` and wait until every pod
is ready: ``python -m deploy.kube_play --bootstrap HOST:PORT`` (``./dev test`` runs it).

What runs is each Deployment's and StatefulSet's pod template as rendered: the image, entry point,
user, read-only root filesystem, dropped capabilities, volumes, probes' paths. What a laptop's
podman cannot give is adapted, and only that:

- the cluster's services become local ones: the test broker (PLAINTEXT, a topic prefix of its
  own), a private PostgreSQL for review's and reporting's databases, a private Dovecot for the
  email intake, a closed local port for the mail relay;
- podman 4 plays Deployments only, and reads no Kubernetes Secret: a StatefulSet is played as a
  Deployment whose claim templates become volumes; ``secretKeyRef`` values are throwaway stand-ins
  (``STAND_INS``; an optional key no throwaway value is valid for is left unset) and Secret
  volumes (the CA certificates, unused without TLS) empty directories;
- every pod shares the host's network (the broker listens on loopback), so each gets ports of its
  own, set through the same HOTLINE_*_PORT variables, and the probe names it by number (podman
  refuses container ports on the host network); podman would run the liveness and startup probes
  as systemd-timed healthchecks, which machines without systemd (CI containers) lack, so they are
  left out: readiness is what is checked;
- one pod per workload, and volume names prefixed per run so runs never share state.

Readiness is the manifest's own readinessProbe (path and named port), asked from the host.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import copy
import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from deploy.image import DEFAULT_TAG, podman, say
from deploy.localimap import PASSWORD, Dovecot
from deploy.localpostgres import Postgres
from deploy.ports import free_port
from deploy.validate_manifests import OVERLAYS, go_tool

READY_TIMEOUT_S = 180.0
_TEST_SECRET = "kube-play-test-secret-0123456789abcdef"  # noqa: S105 - a throwaway value for local pods
# The blob store's keys (hotline-blob-keys): one throwaway key, so the pods seal what they store.
_BLOB_KEY_ID = "kube-play"
_BLOB_KEY = base64.b64encode(b"kube-play-blob-key".ljust(32, b"!")).decode()
# What stands in for a Secret's key in a played pod; any key not named here gets _TEST_SECRET.
# None: no throwaway value is valid (review's export signing key: a random string is a key that
# fails to load). Such a key, when optional, is left unset, as Kubernetes leaves the variable when
# the Secret is missing; a required one cannot be played (SecretWithoutStandIn).
STAND_INS: dict[str, str | None] = {
    "webhook-secrets": "{}",  # JSON objects by contact or by name
    "specialist-tokens": "{}",
    "retired": "[]",  # the web intake's retired reference secrets: none here
    "keys": json.dumps({_BLOB_KEY_ID: _BLOB_KEY}),
    "current": _BLOB_KEY_ID,
    "signing-key": None,
}
Manifest = dict[str, Any]


class SecretWithoutStandIn(ValueError):
    """A required Secret key that no throwaway value can stand in for: the workload cannot be played."""


def played_env(env: list[Manifest], stand_ins: dict[str, str | None] = STAND_INS) -> list[Manifest]:
    """A container's env with each ``secretKeyRef`` replaced by its stand-in value, or left out
    where the key is optional and has none (see ``STAND_INS``)."""
    played = []
    for entry in env:
        ref = entry.get("valueFrom", {}).get("secretKeyRef")
        if ref is None:
            played.append(entry)
            continue
        value = stand_ins.get(ref["key"], _TEST_SECRET)
        if value is None:
            if ref.get("optional") is True:
                continue
            raise SecretWithoutStandIn(f"{entry['name']} needs the Secret key {ref['key']!r}, which has "
                                       "no stand-in and is not optional")
        played.append({**{k: v for k, v in entry.items() if k != "valueFrom"}, "value": value})
    return played


def rendered_workloads(overlay: Path) -> tuple[list[Manifest], dict[str, Manifest]]:
    """The overlay's hotline Deployments and StatefulSets, and its ConfigMaps by name."""
    text = subprocess.run([str(go_tool("kustomize")), "build", str(overlay)], check=True,
                          capture_output=True, text=True).stdout
    documents = [d for d in yaml.safe_load_all(text) if d]
    workloads = [d for d in documents if d["kind"] in ("Deployment", "StatefulSet")
                 and d["metadata"].get("labels", {}).get("app.kubernetes.io/name") == "hotline"]
    config_maps = {d["metadata"]["name"]: d for d in documents if d["kind"] == "ConfigMap"}
    return workloads, config_maps


def _env(container: Manifest, name: str, value: str) -> None:
    env = [e for e in container.get("env", []) if e["name"] != name]
    container["env"] = [*env, {"name": name, "value": value}]


def _port(container: Manifest, name: str) -> int | None:
    return next((p["containerPort"] for p in container.get("ports", []) if p["name"] == name), None)


def playable(workload: Manifest, run: str, local: dict[str, str]) -> tuple[list[Manifest], dict[str, int]]:
    """A workload as podman plays it (see the module's docstring); its PVCs; its ports on the host."""
    name = workload["metadata"]["name"]
    template = copy.deepcopy(workload["spec"]["template"])
    pod, claims = template["spec"], []
    for claim in workload["spec"].get("volumeClaimTemplates", []):
        claim_name = claim["metadata"]["name"]
        pod.setdefault("volumes", []).append({"name": claim_name,
                                              "persistentVolumeClaim": {"claimName": claim_name}})
    for volume in pod.get("volumes", []):
        if "secret" in volume:
            volume.pop("secret")
            volume["emptyDir"] = {}
        if "persistentVolumeClaim" in volume:  # a run's own volume; a pod's own for claim templates
            claim_name = volume["persistentVolumeClaim"]["claimName"]
            scope = name if any(c["metadata"]["name"] == claim_name
                                for c in workload["spec"].get("volumeClaimTemplates", [])) else "shared"
            volume["persistentVolumeClaim"]["claimName"] = f"{run}-{scope}-{claim_name}"
            claims.append(volume["persistentVolumeClaim"]["claimName"])
        if "emptyDir" in volume:  # podman names an emptyDir's volume after it: keep pods apart
            new = f"{run}-{name}-{volume['name']}"
            for container in pod["containers"]:
                for mount in container.get("volumeMounts", []):
                    if mount["name"] == volume["name"]:
                        mount["name"] = new
            volume["name"] = new
    ports: dict[str, int] = {}
    for container in pod["containers"]:
        container["env"] = played_env(container.get("env", []))
        for port in container.pop("ports", []):  # host network: podman refuses port mappings there
            ports[port["name"]] = free_port()
            _env(container, {"ops": "HOTLINE_OPS_PORT", "http": "HOTLINE_HTTP_PORT"}[port["name"]],
                 str(ports[port["name"]]))
        # podman runs a liveness probe as a healthcheck driven by systemd timers, which machines
        # without systemd lack (CI containers): readiness, asked from the host, is what is checked.
        container.pop("livenessProbe", None)
        container.pop("startupProbe", None)
        check = container.get("readinessProbe", {}).get("httpGet")
        if check is not None and isinstance(check["port"], str):
            check["port"] = ports[check["port"]]
        for key, value in local.items():
            if any(e["name"] == key for e in container.get("env", [])) or key.startswith("HOTLINE_KAFKA_"):
                _env(container, key, value)
        if name.endswith("intake-email"):
            _env(container, "HOTLINE_IMAP_TLS", "false")  # plain IMAP, allowed on loopback only
        if name.endswith("intake-phone") and ports.get("http"):
            _env(container, "HOTLINE_TWILIO_PUBLIC_URL", f"http://127.0.0.1:{ports['http']}")
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": f"{run}-{name}", "labels": workload["metadata"]["labels"]},
        "spec": {"replicas": 1, "selector": workload["spec"]["selector"], "template": template},
    }
    pvcs = [{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": claim},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}
            for claim in dict.fromkeys(claims)]
    return [*pvcs, deployment], ports


def local_config_maps(config_maps: dict[str, Manifest], *, bootstrap: str, prefix: str, imap_port: int,
                      smtp_port: int) -> list[Manifest]:
    """The overlay's ConfigMaps with the cluster's addresses replaced by the local services'."""
    changes = {
        "hotline-runtime": {"HOTLINE_KAFKA_BOOTSTRAP": bootstrap,
                            "HOTLINE_KAFKA_SECURITY_PROTOCOL": "PLAINTEXT", "HOTLINE_REPLICATION_FACTOR": "1",
                            "HOTLINE_TOPIC_PREFIX": prefix, "HOTLINE_ENVIRONMENT": "test"},
        "hotline-email": {"imap-host": "127.0.0.1", "imap-port": str(imap_port)},
        # STARTTLS stays on, as outside dev it must: the play checks readiness and sends no report.
        "hotline-reporting": {"smtp-host": "127.0.0.1", "smtp-port": str(smtp_port)},
    }
    result = []
    for name, config_map in config_maps.items():
        local = copy.deepcopy(config_map)
        local["data"].update(changes.get(name, {}))
        # podman lets envFrom win over a container's env (Kubernetes does the opposite): the ports
        # each pod gets must not be overridden by the shared ConfigMap.
        local["data"].pop("HOTLINE_OPS_PORT", None)
        local["metadata"].pop("namespace", None)
        result.append(local)
    return result


def _ready(port: int, path: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def _logs(names: list[str]) -> str:
    return "\n".join(podman("pod", "logs", "--tail", "20", f"{name}-pod-0", capture=True,
                            check=False).stdout for name in names)


def _exited(run: str) -> list[str]:
    """Containers of this run that stopped or were restarted (a crash, whatever the policy did next)."""
    listed = podman("ps", "--all", "--quiet", "--filter", f"name={run}", capture=True, check=False)
    ids = listed.stdout.split()
    if not ids:
        return []
    states = podman("inspect", "--format", "{{.Name}} {{.State.Status}} {{.RestartCount}}", *ids,
                    capture=True, check=False).stdout.splitlines()
    return [fields[0] for fields in (line.split() for line in states)
            if len(fields) == 3 and "infra" not in fields[0] and (fields[1] == "exited" or fields[2] != "0")]


def wait_ready(pods: dict[str, tuple[int, str]], run: str) -> float:
    started, waiting = time.monotonic(), dict(pods)
    while waiting:
        waiting = {name: probe for name, probe in waiting.items() if not _ready(*probe)}
        if exited := _exited(run):
            raise AssertionError(f"containers exited: {', '.join(exited)}\n{_logs(list(waiting))}")
        if time.monotonic() - started > READY_TIMEOUT_S:
            raise AssertionError(f"pods not ready after {READY_TIMEOUT_S:.0f}s: {', '.join(waiting)}\n"
                                 + _logs(list(waiting)))
        time.sleep(1.0)
    return time.monotonic() - started


@contextlib.contextmanager
def local_services() -> Iterator[tuple[Dovecot, Postgres]]:
    imap = Dovecot().start()
    database = Postgres(database="hotline", user="hotline")
    try:
        database.start()
        yield imap, database
    finally:
        database.remove()
        imap.remove()


def play(*, bootstrap: str, image: str = DEFAULT_TAG, overlay: Path = OVERLAYS / "dev") -> None:
    workloads, config_maps = rendered_workloads(overlay)
    run = f"hotline-play-{uuid.uuid4().hex[:6]}"
    prefix = f"{run}."
    podman("run", "--rm", "--network", "host", "--read-only", "--cap-drop", "all",
           "--env", f"HOTLINE_KAFKA_BOOTSTRAP={bootstrap}", "--env", f"HOTLINE_TOPIC_PREFIX={prefix}",
           "--entrypoint", "hotline-topics", image, "ensure", capture=True)
    with local_services() as (imap, database), tempfile.TemporaryDirectory(prefix="hotline-play-") as work:
        local = {
            "HOTLINE_REVIEW_DATABASE_URL": database.create_database("review"),
            "HOTLINE_REPORTING_DATABASE_URL": database.create_database("reporting"),
            "HOTLINE_IMAP_PASSWORD": PASSWORD,
        }
        documents, probes = [], {}
        for workload in workloads:
            played, _ = playable(workload, run, local)
            for document in played:
                if document["kind"] == "Deployment":
                    containers = document["spec"]["template"]["spec"]["containers"]
                    for container in containers:
                        container["image"] = image
                    readiness = containers[0]["readinessProbe"]["httpGet"]
                    probes[document["metadata"]["name"]] = (readiness["port"], readiness["path"])
            documents += [d for d in played if d not in documents]  # a shared claim once
        kube_file = Path(work) / "workloads.yaml"
        kube_file.write_text(yaml.safe_dump_all(documents, sort_keys=False))
        config_args = []  # podman reads one ConfigMap per file
        for config_map in local_config_maps(config_maps, bootstrap=bootstrap, prefix=prefix,
                                            imap_port=imap.port, smtp_port=free_port()):
            path = Path(work) / f"{config_map['metadata']['name']}.yaml"
            path.write_text(yaml.safe_dump(config_map, sort_keys=False))
            config_args += ["--configmap", str(path)]
        try:
            podman("kube", "play", "--network", "host", *config_args, str(kube_file), capture=True)
            took = wait_ready(probes, run)
            say(f"kube play: {len(probes)} pods of the dev overlay ready in {took:.1f} s")
        finally:
            podman("kube", "down", str(kube_file), capture=True, check=False)
            volumes = podman("volume", "ls", "--quiet", "--filter", f"name={run}", capture=True, check=False)
            if volumes.stdout.split():
                podman("volume", "rm", "--force", *volumes.stdout.split(), capture=True, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.kube_play", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--image", default=DEFAULT_TAG)
    args = parser.parse_args(argv)
    play(bootstrap=args.bootstrap, image=args.image)
    return 0


if __name__ == "__main__":
    sys.exit(main())
