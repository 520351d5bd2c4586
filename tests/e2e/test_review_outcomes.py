"""Review reads what reporting says happened: outcomes on the case, an exhausted chain in front of people."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts import Topic
from contracts.events import OutcomeKind, ReportNeed, ReportOutcome
from contracts.reference_numbers import reference_for
from services.review.auth import Role
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from tests.builders import received, triaged
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess, free_port
from tests.e2e.review_support import provision_review

pytestmark = pytest.mark.e2e


async def test_outcomes_reach_the_case_and_an_exhausted_chain_is_flagged(
    topics: RuntimeSettings, launch: Callable[..., ServiceProcess], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    token = provision_review(url, ("feed", Role.SERVICE))["feed"]
    port = free_port()
    launch("services.review", HOTLINE_REVIEW_DATABASE_URL=url, HOTLINE_HTTP_PORT=str(port))
    signal = received(narrative="Workers sleep in the warehouse and cannot leave.")
    signal = signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"t")})
    report_id = uuid.uuid4()

    def outcome(kind: OutcomeKind, step: int | None) -> ReportOutcome:
        return ReportOutcome(report_id=report_id, signal_id=signal.signal_id,
                             reference_number=signal.reference_number, need=ReportNeed.TIP_REPORTING,
                             victim=0, step=step, contact_id="us-tx-det-smith" if step is not None else None,
                             channel="email" if step is not None else None, kind=kind,
                             occurred_at=datetime.now(UTC))

    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("t")) as publisher:
        await publisher.publish(Topic.SIGNALS_RECEIVED, signal)
        await publisher.publish(Topic.SIGNALS_TRIAGED, triaged(signal_id=signal.signal_id,
                                                               reference_number=signal.reference_number))
        steps = ((OutcomeKind.DELIVERED, 0), (OutcomeKind.TIMED_OUT, 0), (OutcomeKind.EXHAUSTED, None))
        for kind, step in steps:
            await publisher.publish(Topic.REPORTS_OUTCOMES, outcome(kind, step))

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}",
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        async def exhausted() -> list[dict[str, Any]]:
            cases = (await client.get("/api/v1/cases")).json()["cases"]
            return [c for c in cases if c["report_exhausted"]]

        [case] = await wait_for(exhausted, timeout=60, what="the exhausted chain on the case")
        detail = (await client.get(f"/api/v1/cases/{case['case_id']}")).json()
    assert case["reference_number"] == signal.reference_number
    assert [o["kind"] for o in detail["outcomes"]] == ["delivered", "timed_out", "exhausted"]
