"""The committed AsyncAPI document, read by the AsyncAPI project's own parser (@asyncapi/parser, npm)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from contracts.asyncapi import DOCUMENT_PATH
from tests.conftest import unavailable
from tests.e2e.processes import REPO

pytestmark = pytest.mark.tool

TOOL = REPO / "deploy" / "asyncapi"


def test_the_asyncapi_parser_accepts_the_document_without_errors_or_warnings() -> None:
    node = shutil.which("node")
    if node is None or not (TOOL / "node_modules" / "@asyncapi" / "parser").is_dir():
        unavailable("the AsyncAPI parser is not installed (./dev setup runs npm ci in deploy/asyncapi)",
                    "the AsyncAPI parser")
    result = subprocess.run([node, str(TOOL / "validate.mjs"), str(DOCUMENT_PATH), "--strict"],  # noqa: S603 - fixed argv
                            capture_output=True, text=True, timeout=120, check=False)
    print(result.stdout, result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "parsed AsyncAPI 3.0.0" in result.stdout
