"""The JSON Schema of a region file, generated from the models; the committed copy is for editors and CI.

The loader validates with the models themselves, so the schema cannot disagree with it; a unit test
keeps ``protocol.schema.json`` equal to what the models generate (``hotline-protocols schema --write``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from services.reporting.protocols.model import ProtocolFile

SCHEMA_PATH: Final = Path(__file__).with_name("protocol.schema.json")


def protocol_schema() -> dict[str, Any]:
    schema = ProtocolFile.model_json_schema()
    schema["title"] = "Hotline reporting and referral protocol of one region"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text() -> str:
    return json.dumps(protocol_schema(), indent=2, ensure_ascii=False) + "\n"
