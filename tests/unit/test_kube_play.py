"""How the dev overlay's pods are played under podman: each Secret key a pod reads gets its stand-in,
and an optional key no throwaway value is valid for is left unset (no podman needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.kube_play import STAND_INS, SecretWithoutStandIn, played_env

pytestmark = pytest.mark.unit

BASE = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "base"


def _secret(name: str, key: str, *, optional: bool | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"name": "hotline-example", "key": key}
    if optional is not None:
        ref["optional"] = optional
    return {"name": name, "valueFrom": {"secretKeyRef": ref}}


def test_each_secret_gets_its_stand_in_and_an_optional_one_without_any_is_left_unset() -> None:
    stand_ins: dict[str, str | None] = {"tokens": "{}", "signing": None}
    env = [
        {"name": "PLAIN", "value": "kept"},
        {"name": "FROM_CONFIG", "valueFrom": {"configMapKeyRef": {"name": "hotline-runtime", "key": "x"}}},
        _secret("TOKENS", "tokens"),
        _secret("PASSWORD", "password"),
        _secret("SIGNING", "signing", optional=True),
    ]
    played = played_env(env, stand_ins)
    assert [e["name"] for e in played] == ["PLAIN", "FROM_CONFIG", "TOKENS", "PASSWORD"]
    assert played[:2] == env[:2]
    assert played[2] == {"name": "TOKENS", "value": "{}"}
    assert "valueFrom" not in played[3] and played[3]["value"]  # the throwaway secret
    assert env[2]["valueFrom"]["secretKeyRef"]["key"] == "tokens"  # the manifest itself is left as it was


@pytest.mark.parametrize("optional", [None, False])
def test_a_required_secret_without_a_stand_in_cannot_be_played(optional: bool | None) -> None:
    with pytest.raises(SecretWithoutStandIn, match=r"SIGNING.*'signing'"):
        played_env([_secret("SIGNING", "signing", optional=optional)], {"signing": None})


def test_every_secret_the_base_manifests_read_without_a_stand_in_is_optional() -> None:
    refs = [entry["valueFrom"]["secretKeyRef"]
            for path in sorted(BASE.glob("*.yaml")) for document in yaml.safe_load_all(path.read_text())
            if document and document.get("kind") in ("Deployment", "StatefulSet")
            for container in document["spec"]["template"]["spec"]["containers"]
            for entry in container.get("env", []) if "secretKeyRef" in entry.get("valueFrom", {})]
    without = [ref for ref in refs if ref["key"] in STAND_INS and STAND_INS[ref["key"]] is None]
    assert without, "the signing key is the case this rule is for"
    assert all(ref.get("optional") is True for ref in without)
