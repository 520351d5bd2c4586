"""JSON Schema snapshots of every event model: ``python -m contracts.snapshots check|write``.

A committed snapshot is the published contract for other consumers (and other languages).
``check`` fails when a model changed without its snapshot; ``write`` refreshes them after a
deliberate change (additive: same version; breaking: bump ``VERSION`` and add an upcaster).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from contracts._base import Event
from contracts.codec import CODEC, dataschema_for

SCHEMA_DIR = Path(__file__).parent / "schemas"
EXAMPLE_DIR = Path(__file__).parent / "examples"


def schema_of(event_type: type[Event]) -> dict[str, Any]:
    schema = event_type.model_json_schema(mode="validation")
    schema["$id"] = dataschema_for(event_type)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def schema_path(event_type: type[Event]) -> Path:
    return SCHEMA_DIR / f"{event_type.ce_type()}.json"


def example_path(event_type: type[Event]) -> Path:
    return EXAMPLE_DIR / f"{event_type.ce_type()}.json"


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def stale_snapshots() -> list[Path]:
    """Snapshot files that are missing or differ from the models."""
    stale = []
    for event_type in CODEC.event_types:
        path = schema_path(event_type)
        if not path.exists() or path.read_text(encoding="utf-8") != render(schema_of(event_type)):
            stale.append(path)
    return stale


def write_snapshots() -> list[Path]:
    SCHEMA_DIR.mkdir(exist_ok=True)
    written = []
    for event_type in CODEC.event_types:
        path = schema_path(event_type)
        path.write_text(render(schema_of(event_type)), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.snapshots", description=__doc__)
    parser.add_argument("action", choices=("check", "write"))
    args = parser.parse_args(argv)
    if args.action == "write":
        for path in write_snapshots():
            print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
        return 0
    stale = stale_snapshots()
    for path in stale:
        print(f"stale schema snapshot: {path.name} (run: python -m contracts.snapshots write)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
