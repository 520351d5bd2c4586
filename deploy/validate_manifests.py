"""Validate the Kubernetes manifests: ``python -m deploy.validate_manifests`` (``./dev manifests``).

For each overlay (``deploy/k8s/overlays/*``):

1. it renders (kustomize);
2. kubeconform validates every resource, strictly: the built-in kinds against the schemas that
   ``kubernetes-validate`` ships, the operators' kinds against the CRD schemas kept in
   ``deploy/k8s/schemas`` (a kind without a schema is an error, never skipped);
3. checkov finds no failed check. Checkov's severities need its vendor's API key, so every failed
   check counts, whatever its severity; a check that does not apply is skipped in the manifest with
   a ``checkov.io/skip`` annotation that says why.

The tools are pinned and cached in ``~/.cache/hotline``: kustomize and kubeconform built from the
Go module proxy, checkov and kubernetes-validate in a venv from ``deploy/k8s/tools.lock`` (hashes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from deploy.crd_schemas import strict_copy

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path.home() / ".cache" / "hotline"
OVERLAYS = ROOT / "deploy" / "k8s" / "overlays"
TOOLS_LOCK = ROOT / "deploy" / "k8s" / "tools.lock"
GO_TOOLS = {
    "kustomize": "sigs.k8s.io/kustomize/kustomize/v5@v5.5.0",
    "kubeconform": "github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0",
}
# The oldest and the newest Kubernetes the manifests are meant for (StatefulSet PVC retention is
# GA from 1.32).
KUBERNETES_VERSIONS = ("1.32.0", "1.35.0")


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def go_tool(name: str) -> Path:
    """A pinned Go tool, built once from the module proxy into the cache."""
    module = GO_TOOLS[name]
    version = module.rpartition("@")[2]
    binary = CACHE / "bin" / f"{name}-{version}"
    if binary.exists():
        return binary
    if shutil.which("go") is None:
        raise SystemExit(f"{name} {version} is built with Go, which is not installed (Go 1.22 or newer)")
    say(f"building {name} {version} from the Go module proxy")
    with tempfile.TemporaryDirectory() as gobin:
        env = {**os.environ, "GOBIN": gobin, "GOFLAGS": "", "GOMODCACHE": str(CACHE / "go-mod")}
        subprocess.run(["go", "install", module], check=True, env=env)
        binary.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(Path(gobin) / name), binary)
    return binary


def tools_venv() -> Path:
    """checkov and kubernetes-validate, installed with their hashes checked, per lock content."""
    digest = hashlib.sha256(TOOLS_LOCK.read_bytes()).hexdigest()[:16]
    venv = CACHE / f"manifest-tools-{digest}"
    if (venv / ".complete").exists():
        return venv
    say("installing checkov and kubernetes-validate (deploy/k8s/tools.lock)")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--require-hashes", "--no-deps",
                    "-r", str(TOOLS_LOCK)], check=True)
    (venv / ".complete").touch()
    return venv


def builtin_schemas(venv: Path, destination: Path) -> Path:
    """kubernetes-validate's strict schemas of the versions checked, for kubeconform to read.

    They name themselves (``$id``) and their shared definitions (``$ref``) by https://kubernetes.io
    addresses, which kubeconform would try to fetch: the copies refer to the file beside them.
    """
    found = sorted(venv.glob("lib/python3*/site-packages/kubernetes_validate/kubernetes-json-schema"))
    if not found:
        raise SystemExit("kubernetes-validate's schemas are missing from its package")
    for version in KUBERNETES_VERSIONS:
        folder = f"v{version}-local-strict"
        (destination / folder).mkdir(parents=True)
        for source in (found[0] / folder).glob("*.json"):
            schema = json.loads(source.read_text())
            schema.pop("$id", None)
            text = json.dumps(schema).replace('"/api/_definitions.json', '"_definitions.json')
            (destination / folder / source.name).write_text(text)
    return destination


def render(kustomize: Path, overlay: Path) -> str:
    return subprocess.run([str(kustomize), "build", str(overlay)], check=True, capture_output=True,
                          text=True).stdout


def kubeconform(binary: Path, rendered: Path, builtin: Path, crds: Path) -> None:
    for version in KUBERNETES_VERSIONS:
        subprocess.run([
            str(binary), "-strict", "-summary", "-kubernetes-version", version,
            "-schema-location", f"{builtin}/{{{{.NormalizedKubernetesVersion}}}}-local{{{{.StrictSuffix}}}}/"
                                "{{.ResourceKind}}{{.KindSuffix}}.json",
            "-schema-location",
            f"{crds}/{{{{.Group}}}}/{{{{.ResourceKind}}}}_{{{{.ResourceAPIVersion}}}}.json",
            str(rendered)], check=True)


def checkov(venv: Path, rendered: Path) -> list[str]:
    """Failed checks, as ``resource: check id name``; skipped ones are counted, not failed."""
    result = subprocess.run([str(venv / "bin" / "checkov"), "--file", str(rendered),
                             "--framework", "kubernetes", "--output", "json", "--quiet", "--skip-download"],
                            capture_output=True, text=True, check=False,
                            env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_NO_OUTPUT_LOGS": "1"})
    if result.returncode not in (0, 1) or not result.stdout.strip():
        raise SystemExit(f"checkov failed to run ({result.returncode}):\n{result.stderr[-3000:]}")
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [f"{c['resource']}: {c['check_id']} {c['check_name']}"
              for one in reports for c in one.get("results", {}).get("failed_checks", [])]
    counts = {key: sum(one.get("summary", {}).get(key, 0) for one in reports)
              for key in ("passed", "failed", "skipped")}
    say(f"checkov {rendered.stem}: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped by an annotation in the manifests")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.validate_manifests", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="keep the rendered overlays here")
    args = parser.parse_args(argv)
    kustomize, conform, venv = go_tool("kustomize"), go_tool("kubeconform"), tools_venv()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hotline-manifests-") as work:
        out = args.out or Path(work)
        out.mkdir(parents=True, exist_ok=True)
        builtin = builtin_schemas(venv, Path(work) / "builtin-schemas")
        crds = strict_copy(Path(work) / "crd-schemas")
        for overlay in sorted(p for p in OVERLAYS.iterdir() if (p / "kustomization.yaml").exists()):
            rendered = out / f"{overlay.name}.yaml"
            rendered.write_text(render(kustomize, overlay))
            say(f"kubeconform {overlay.name} (Kubernetes {', '.join(KUBERNETES_VERSIONS)})")
            kubeconform(conform, rendered, builtin, crds)
            failures += [f"{overlay.name}: {line}" for line in checkov(venv, rendered)]
    for line in failures:
        print(f"checkov: {line}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
