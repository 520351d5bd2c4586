"""Schemathesis generates requests from the OpenAPI document and sends them to the running intake
(on the real broker): whatever it sends, the answer is never a 5xx and always matches the document."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.runtime import RuntimeSettings
from tests.e2e.processes import ServiceProcess
from tests.e2e.webform_process import start_webform

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_no_generated_request_gets_a_server_error(
    launch: Callable[..., ServiceProcess], topics: RuntimeSettings, tmp_path: Path
) -> None:
    webform = start_webform(launch, tmp_path, HOTLINE_RATE_PER_CLIENT="100000",
                            HOTLINE_RATE_GLOBAL_PER_S="100000")
    schema = schemathesis.openapi.from_url(f"{webform.url}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} == {"POST /api/v1/tips", "POST /api/v1/follow-ups",
                                               "POST /api/v1/erasure-requests"}
    calls: list[int] = []
    for operation in operations:

        @settings(max_examples=80, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def exercise(case: schemathesis.Case) -> None:
            response = case.call(base_url=webform.url)
            calls.append(response.status_code)
            case.validate_response(response, checks=CHECKS)

        exercise()
    assert len(calls) >= 100
    assert 202 in calls and 422 in calls  # both accepted and refused cases were generated
