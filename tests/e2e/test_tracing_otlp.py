"""One trace per signal, across processes, received by a real OpenTelemetry Collector over OTLP.

The collector (built from the Go module proxy by ./dev setup, ``deploy.localotelcol``) writes
what it receives to a file with its file exporter; the web intake, triage and review export to
it. A tip posted to the intake is one trace: the intake's acceptance, triage's consumer span and
assessment, review's consumer spans and case updates, each a child of the record it read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.localotelcol import Collector, CollectorError
from services.review.auth import Role
from services.runtime import RuntimeSettings
from services.runtime.span_attributes import ALLOWED
from tests.conftest import unavailable, wait_for
from tests.e2e.processes import ServiceProcess, free_port
from tests.e2e.review_support import provision_review

pytestmark = pytest.mark.e2e

NARRATIVE = "A 16 year old boy is locked in the back of the Blue Lantern bar on 4th Street right now."
CONTACT = "tipster-e2e@example.org"


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[Collector]:
    receiver = Collector(tmp_path / "otelcol")
    try:
        receiver.start()
    except CollectorError as error:
        unavailable(str(error), "the OpenTelemetry Collector (./dev setup builds it)")
    try:
        yield receiver
    finally:
        receiver.stop()


def _traces(collector: Collector) -> dict[str, list[dict[str, Any]]]:
    traces: dict[str, list[dict[str, Any]]] = {}
    for span in collector.spans():
        traces.setdefault(span["traceId"], []).append(span)
    return traces


def _attributes(span: dict[str, Any]) -> dict[str, Any]:
    return {a["key"]: next(iter(a["value"].values()), None) for a in span.get("attributes", [])}


async def test_one_trace_spans_web_intake_triage_and_review(
    topics: RuntimeSettings, launch: Callable[..., ServiceProcess], collector: Collector, tmp_path: Path
) -> None:
    webform_port, review_port = free_port(), free_port()
    review_db = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    token = provision_review(review_db, ("feed", Role.SERVICE))["feed"]
    export = {"HOTLINE_OTLP_ENDPOINT": collector.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"}
    services = [
        launch("triage", **export),
        launch("services.review", HOTLINE_HTTP_PORT=str(review_port), HOTLINE_REVIEW_DATABASE_URL=review_db,
               **export),
        launch("intake_webform", HOTLINE_HTTP_PORT=str(webform_port), **export),
    ]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{webform_port}") as client:
        response = await client.post("/api/v1/tips", json={
            "narrative": NARRATIVE, "location_state": "TX", "location_city": "Austin", "danger_now": "yes",
            "anonymous": False, "consent_to_contact": True, "contact_email": CONTACT})
    assert response.status_code == 202, response.text
    signal_id = response.json().get("signal_id")

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{review_port}",
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        async def recorded() -> list[dict[str, Any]]:
            return [c for c in (await client.get("/api/v1/cases")).json()["cases"] if c["triaged"]]
        await wait_for(recorded, what="the triaged case in review")

    wanted = {("intake-webform", "intake accept"), ("intake-webform", "send signals.received"),
              ("triage", "process signals.received"), ("triage", "triage assess"),
              ("triage", "send signals.triaged"), ("review", "process signals.received"),
              ("review", "process signals.triaged"), ("review", "review apply")}

    async def one_trace() -> list[dict[str, Any]]:
        for spans in _traces(collector).values():
            if wanted <= {(s["service"], s["name"]) for s in spans}:
                return spans
        return []

    spans = await wait_for(one_trace, what="one trace from the intake to review at the collector",
                           timeout=60)
    by_id = {s["spanId"]: s for s in spans}
    [root] = [s for s in spans if not s.get("parentSpanId")]
    assert (root["service"], root["name"]) == ("intake-webform", "intake accept")
    # Each service's consumer span is the child of the producer span of the record it read.
    for span in spans:
        if span["name"].startswith("process "):
            parent = by_id[span["parentSpanId"]]
            assert parent["name"] == "send " + span["name"].removeprefix("process "), span["name"]
    assessment = next(s for s in spans if s["name"] == "triage assess")
    assert _attributes(assessment)["hotline.urgency"] == "p1_act_now"
    if signal_id:
        assert _attributes(assessment)["hotline.signal_id"] == signal_id
    for span in spans:
        assert set(_attributes(span)) <= set(ALLOWED), (span["service"], span["name"])

    for service in services:
        assert service.terminate() == 0
    # Nothing the tipster wrote or gave reached the collector, in any span of any trace.
    # The services flushed their spans on the way out; a collector that has stopped has written them all.
    collector.stop()
    exported = collector.out.read_text()
    for secret in ("locked in the back", "Blue Lantern", "4th Street", CONTACT, "Austin"):
        assert secret not in exported
