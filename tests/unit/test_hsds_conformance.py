"""``hotline-protocols hsds export`` against Open Referral's published HSDS 3.0 JSON Schemas, and
the published example data through an import and an export.

The schemas and examples are Open Referral's own files, kept unchanged with their version and
source in ``tests/fixtures/hsds-3.0/`` (see its SOURCE.md). They are applied the way Open Referral
checks its examples: every object closed (``additionalProperties: false``), so a field HSDS does
not define fails as surely as a missing or mistyped one.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest

from services.reporting.cli import main
from services.reporting.protocols.hsds import export_hsds
from services.reporting.protocols.loader import load_protocols

pytestmark = pytest.mark.unit

HSDS = Path(__file__).resolve().parents[1] / "fixtures" / "hsds-3.0"
SHIPPED = Path(__file__).resolve().parents[2] / "deploy" / "protocols"
TODAY = date(2026, 11, 20)
PAGE_FIELDS = ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty")


def _load(relative: str) -> Any:
    return json.loads((HSDS / relative).read_text(encoding="utf-8"))


def _closed(schema: Any) -> Any:
    """Open Referral's ``--set-additional-properties-false-everywhere``."""
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        if "properties" in closed and "additionalProperties" not in closed:
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


@_FORMATS.checks("uri", raises=ValueError)
def _uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme)


def _service_validator() -> jsonschema.Draft202012Validator:
    service = _closed(_load("schema/compiled/service.json"))
    page = copy.deepcopy(_load("schema/openapi.json")["components"]["schemas"]["Page"])
    page["properties"]["contents"] = {"type": "array", "items": service}
    page["required"] = [*PAGE_FIELDS, "contents"]
    page["additionalProperties"] = False
    return jsonschema.Draft202012Validator(page, format_checker=_FORMATS)


def _problems(document: object) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in _service_validator().iter_errors(document)]


def test_the_vendored_files_are_open_referrals_as_published() -> None:
    source = (HSDS / "SOURCE.md").read_text(encoding="utf-8")
    for path in sorted(HSDS.rglob("*.json")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"`{path.relative_to(HSDS).as_posix()}`" in source and digest in source, path.name
    assert "tag `v3.0`" in source


def test_the_published_example_page_is_valid_under_the_published_page_schema() -> None:
    # The schema check itself, on Open Referral's own data: a list page of list-shaped services.
    service = _closed(_load("schema/compiled/service_list.json"))
    page = dict(_load("schema/openapi.json")["components"]["schemas"]["Page"])
    page["properties"] = {**page["properties"], "contents": {"type": "array", "items": service}}
    errors = list(jsonschema.Draft202012Validator(page, format_checker=_FORMATS)
                  .iter_errors(_load("examples/service_list.json")))
    assert errors == []


def test_the_export_of_the_shipped_protocols_is_valid_hsds_3() -> None:
    document = json.loads(json.dumps(export_hsds(load_protocols(SHIPPED, today=TODAY))))
    assert document["contents"], "the shipped protocols have contacts"
    assert _problems(document) == []


def test_the_command_writes_valid_hsds_3(tmp_path: Path) -> None:
    out = tmp_path / "directory.json"
    assert main(["hsds", "export", str(SHIPPED), "--out", str(out)]) == 0
    assert _problems(json.loads(out.read_text(encoding="utf-8"))) == []


def test_a_misspelt_or_mistyped_field_is_caught() -> None:
    document = json.loads(json.dumps(export_hsds(load_protocols(SHIPPED, today=TODAY))))
    broken = copy.deepcopy(document)
    broken["contents"][0]["organisation"] = broken["contents"][0].pop("organization")
    broken["contents"][0]["schedules"][0]["freq"] = "FORTNIGHTLY"
    problems = _problems(broken)
    assert any("organisation" in p for p in problems) and any("FORTNIGHTLY" in p for p in problems)


def test_the_published_example_service_imports_and_exports_again_unchanged(tmp_path: Path) -> None:
    published = _load("examples/service_full.json")
    assert _problems({"total_items": 1, "total_pages": 1, "page_number": 1, "size": 1, "first_page": True,
                      "last_page": True, "empty": False, "contents": [published]}) == []
    source = tmp_path / "published.json"
    source.write_text(json.dumps([published]), encoding="utf-8")
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    assert main(["hsds", "import", str(source), "--out", str(first_dir), "--region", "US-TX"]) == 0
    [contact] = [c for f in load_protocols(first_dir, today=TODAY) for c in f.protocol.contacts]
    # The standard fields came through: the service's contact person, e-mail, the organisation,
    # the assured date and the languages.
    person = published["contacts"][0]
    assert (contact.name, contact.title) == (person["name"], person["title"])
    assert contact.organisation == published["organization"]["name"]
    assert contact.last_verified.isoformat() == published["assured_date"]
    assert "email" in [c.type for c in contact.channels]
    assert {lang["code"] for lang in published["languages"]} <= set(contact.languages)

    # What was imported exports as valid HSDS 3.0, and that export imports to the same files.
    exported = tmp_path / "exported.json"
    assert main(["hsds", "export", str(first_dir), "--out", str(exported)]) == 0
    assert _problems(json.loads(exported.read_text(encoding="utf-8"))) == []
    assert main(["hsds", "import", str(exported), "--out", str(second_dir)]) == 0
    first, second = _region_files(first_dir), _region_files(second_dir)
    assert first and first == second


def _region_files(directory: Path) -> dict[str, str]:
    """Each region file without its first comment line (which names the file it was imported from)."""
    return {p.name: p.read_text(encoding="utf-8").split("\n", 1)[1] for p in sorted(directory.glob("*.yaml"))}
