"""Reporting end to end: a real SMTP server, a real signed-webhook receiver, PostgreSQL, the broker.

The issue's fallback: the first contact never acknowledges, the second is outside its hours, the
third acknowledges through its link; ``reports.outcomes`` shows exactly that, in that order. The
SMTP relay takes mail only over STARTTLS, with a certificate from a test CA that the service is
told to trust (``HOTLINE_SMTP_CAFILE``), as outside dev it must.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from contracts import CODEC, Topic
from contracts.events import Reporter
from deploy.localreceivers import Delivery, Receivers
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from tests.builders import received
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess, free_port
from tests.kafka_reader import read_topic
from tests.reporting_support import report_request, write_fallback_protocol
from tests.tls_support import ThrowawayCa

pytestmark = pytest.mark.e2e
SECRET = "third-unit-webhook-secret"


@pytest.fixture
def ca(tmp_path: Path) -> ThrowawayCa:
    return ThrowawayCa.make(tmp_path / "ca")


@pytest.fixture
def receivers(ca: ThrowawayCa) -> Iterator[Receivers]:
    with Receivers(secrets={"third-unit": SECRET}, smtp_tls=ca.loopback.server_context()) as running:
        yield running


async def test_first_never_acknowledges_second_is_closed_third_acknowledges_by_its_link(
    topics: RuntimeSettings, launch: Callable[..., ServiceProcess], tmp_path: Path, postgres_url: str,
    receivers: Receivers, ca: ThrowawayCa,
) -> None:
    protocols = write_fallback_protocol(tmp_path / "protocols", first_email="first@pd.example.gov",
                                        third_webhook=receivers.url_for("third-unit"))
    http_port = free_port()
    launch("services.reporting", HOTLINE_REPORTING_DATABASE_URL=postgres_url,
           HOTLINE_PROTOCOLS_DIR=str(protocols), HOTLINE_HTTP_PORT=str(http_port),
           HOTLINE_PUBLIC_BASE_URL=f"http://127.0.0.1:{http_port}",
           HOTLINE_SMTP_PORT=str(receivers.smtp_port), HOTLINE_SMTP_CAFILE=str(ca.ca),
           HOTLINE_WEBHOOK_SECRETS=json.dumps({"third-unit": SECRET}), HOTLINE_TICK_S="0.2",
           HOTLINE_ACK_SECRET="e2e-test-ack-secret-0123456789")
    signal = received(narrative="Workers sleep in the warehouse and cannot leave.",
                      reporter=Reporter(anonymous=False, consent_to_share=False))
    request = report_request(signal.signal_id, signal.reference_number)
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("t")) as publisher:
        await publisher.publish(Topic.SIGNALS_RECEIVED, signal)
        await publisher.publish(Topic.REPORTS_REQUESTED, request)
        await publisher.publish(Topic.REPORTS_REQUESTED, request)  # a redelivery changes nothing

    def webhooks() -> list[Delivery]:
        return [d for d in receivers.recorder.snapshot() if d.channel == "webhook"]

    await wait_for(webhooks, timeout=60, what="the third contact's signed webhook")
    [delivery] = webhooks()
    document = delivery.document
    assert isinstance(document, dict)
    assert document["narrative"] == signal.narrative and document["reporter"] == {"shared": False}
    async with httpx.AsyncClient() as client:
        assert (await client.get(document["acknowledge"])).status_code == 200  # shows a button only
        assert (await client.post(document["acknowledge"])).status_code == 200
        assert (await client.post(document["acknowledge"])).status_code == 200  # "already"

    records = await read_topic(topics, Topic.REPORTS_OUTCOMES, 6, timeout=30)
    events = [CODEC.decode(r.value or b"", r.headers).event for r in records]
    timeline = [(e.step, e.contact_id, e.kind.value) for e in events]  # type: ignore[attr-defined]
    assert timeline == [
        (0, "first-det", "delivered"), (0, "first-det", "timed_out"),
        (1, "second-desk", "skipped_unavailable"),
        (2, "third-unit", "delivered"), (2, "third-unit", "acknowledged"), (None, None, "completed")]
    # Exactly one delivery per step: one email to the first contact, none to the closed second.
    emails = [d for d in receivers.recorder.snapshot() if d.channel == "email"]
    assert [(d.recipient, d.tls) for d in emails] == [("first@pd.example.gov", True)]
    assert emails[0].ack_url is not None and receivers.recorder.rejected == 0
