"""Review's SLA clock as a process on the real broker: a non-urgent case past its deadline is an
``sla_breach`` ops event and a count on review's /metrics (what HotlineCaseDeadlineMissed reads)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from contracts import CODEC, Topic
from contracts.events import OpsEvent, OpsKind, Urgency
from contracts.reference_numbers import reference_for
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from services.runtime.topic_reader import read_whole_topic
from tests.builders import received, triaged
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess, free_port
from tests.e2e.review_support import provision_review

pytestmark = pytest.mark.e2e
GAUGE = 'hotline_review_cases_past_deadline{urgency="p3_business_days"}'


async def test_a_missed_non_urgent_deadline_raises_an_ops_event_and_a_metric(
    topics: RuntimeSettings, launch: Callable[..., ServiceProcess], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    provision_review(url)
    review = launch("services.review", HOTLINE_REVIEW_DATABASE_URL=url, HOTLINE_HTTP_PORT=str(free_port()),
                    HOTLINE_SLA_CHECK_S="0.5")
    now = datetime.now(UTC)
    late, on_time = (received(narrative=text, received_at=now - timedelta(days=4))
                     for text in ("The cooks sleep above the restaurant.", "A question about training."))
    late = late.model_copy(update={"reference_number": reference_for(str(late.signal_id), b"t")})
    on_time = on_time.model_copy(update={"reference_number": reference_for(str(on_time.signal_id), b"t")})
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("t")) as publisher:
        for signal, due in ((late, now - timedelta(minutes=30)), (on_time, now + timedelta(days=2))):
            await publisher.publish(Topic.SIGNALS_RECEIVED, signal)
            await publisher.publish(Topic.SIGNALS_TRIAGED, triaged(
                signal_id=signal.signal_id, reference_number=signal.reference_number,
                received_at=signal.received_at, urgency=Urgency.P3_BUSINESS_DAYS, sla_due_at=due))

    async def breaches() -> list[OpsEvent]:
        records = await read_whole_topic(topics, Topic.OPS_EVENTS)
        events = [CODEC.decode(r.value, r.headers).event for r in records]
        return [e for e in events if isinstance(e, OpsEvent) and e.kind is OpsKind.SLA_BREACH]

    [breach] = await wait_for(breaches, timeout=60, interval=0.5, what="the sla_breach ops event")
    assert (breach.service, breach.severity.value) == ("review", "warning")
    assert breach.signal_id == late.signal_id and breach.reason == "deadline_missed_p3_business_days"
    assert breach.value is not None and breach.value >= 30 * 60

    async def counted() -> str | None:
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"http://127.0.0.1:{review.ops_port}/metrics")).text
        return text if f"{GAUGE} 1.0" in text else None

    metrics = await wait_for(counted, timeout=30, interval=0.5, what="the past-deadline count on /metrics")
    assert 'hotline_review_cases_past_deadline{urgency="p4_informational"} 0.0' in metrics
    assert review.terminate() == 0
    assert "The cooks" not in review.log_path.read_text()
