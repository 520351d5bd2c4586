"""The operators' resource schemas the manifests are validated against, kept in the repository.

    python -m deploy.crd_schemas import CRD.yaml [...]
        # writes deploy/k8s/schemas/<group>/<kind>_<version>.json

Each file is a CRD's ``openAPIV3Schema`` as the CRD ships it, as JSON, where kubeconform's
``{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`` template finds it; where each came from
is in ``deploy/k8s/schemas/SOURCE.md``. ``strict`` makes a copy that refuses properties a schema
does not name (a misspelt field would otherwise pass), used by ``deploy.validate_manifests``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "deploy" / "k8s" / "schemas"


def schemas_of(crd: dict[str, Any]) -> dict[Path, dict[str, Any]]:
    """One schema per served version of a CustomResourceDefinition, by its path under SCHEMAS."""
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"].lower()
    return {Path(group) / f"{kind}_{version['name']}.json": version["schema"]["openAPIV3Schema"]
            for version in crd["spec"]["versions"] if version.get("served", True)}


def strict(schema: Any) -> Any:
    """Every object schema that lists its properties refuses others, unless it keeps unknown fields."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: strict(value) for key, value in schema.items()}
    if ("properties" in result and "additionalProperties" not in result
            and not result.get("x-kubernetes-preserve-unknown-fields")):
        result["additionalProperties"] = False
    return result


def strict_copy(destination: Path) -> Path:
    """The committed schemas, made strict, under ``destination`` (same layout)."""
    for source in SCHEMAS.rglob("*.json"):
        target = destination / source.relative_to(SCHEMAS)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(strict(json.loads(source.read_text()))))
    return destination


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.crd_schemas", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="action", required=True)
    importing = sub.add_parser("import", help="write the schemas of CRD files")
    importing.add_argument("crds", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.crds:
        for document in yaml.safe_load_all(path.read_text()):
            if not document or document.get("kind") != "CustomResourceDefinition":
                continue
            for relative, schema in schemas_of(document).items():
                target = SCHEMAS / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
                print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
