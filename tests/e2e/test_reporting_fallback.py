"""Reporting end to end: a real SMTP server, a real signed-webhook receiver, PostgreSQL, the broker.

The issue's fallback: the first contact never acknowledges, the second is outside its hours, the
third acknowledges through its link; ``reports.outcomes`` shows exactly that, in that order.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from contracts import CODEC, Topic
from contracts.events import Reporter
from services.reporting.signing import verify
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from tests.builders import received
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess, free_port
from tests.kafka_reader import read_topic
from tests.reporting_support import report_request, write_fallback_protocol

pytestmark = pytest.mark.e2e
SECRET = "third-unit-webhook-secret"


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it is sent."""

    messages: list[tuple[list[str], str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@dataclass
class Receiver:
    verified: list[dict[str, Any]] = field(default_factory=list)
    rejected: int = 0


@pytest.fixture
def webhook() -> Iterator[tuple[Receiver, int]]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if verify(SECRET.encode(), dict(self.headers.items()), body, now=time.time()):
                receiver.verified.append({"body": json.loads(body), "key": self.headers["Idempotency-Key"]})
                self.send_response(204)
            else:
                receiver.rejected += 1
                self.send_response(401)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver, server.server_address[1]
    server.shutdown()


async def test_first_never_acknowledges_second_is_closed_third_acknowledges_by_its_link(
    topics: RuntimeSettings, launch: Callable[..., ServiceProcess], tmp_path: Path, postgres_url: str,
    smtp: tuple[Mailbox, int], webhook: tuple[Receiver, int],
) -> None:
    mailbox, smtp_port = smtp
    receiver, hook_port = webhook
    protocols = write_fallback_protocol(tmp_path / "protocols", first_email="first@pd.example.gov",
                                        third_webhook=f"http://127.0.0.1:{hook_port}/hook")
    http_port = free_port()
    launch("services.reporting", HOTLINE_REPORTING_DATABASE_URL=postgres_url,
           HOTLINE_PROTOCOLS_DIR=str(protocols), HOTLINE_HTTP_PORT=str(http_port),
           HOTLINE_PUBLIC_BASE_URL=f"http://127.0.0.1:{http_port}", HOTLINE_SMTP_PORT=str(smtp_port),
           HOTLINE_WEBHOOK_SECRETS=json.dumps({"third-unit": SECRET}), HOTLINE_TICK_S="0.2",
           HOTLINE_ACK_SECRET="e2e-test-ack-secret-0123456789")
    signal = received(narrative="Workers sleep in the warehouse and cannot leave.",
                      reporter=Reporter(anonymous=False, consent_to_share=False))
    request = report_request(signal.signal_id, signal.reference_number)
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("t")) as publisher:
        await publisher.publish(Topic.SIGNALS_RECEIVED, signal)
        await publisher.publish(Topic.REPORTS_REQUESTED, request)
        await publisher.publish(Topic.REPORTS_REQUESTED, request)  # a redelivery changes nothing

    await wait_for(lambda: receiver.verified, timeout=60, what="the third contact's signed webhook")
    [delivery] = receiver.verified
    document = delivery["body"]
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
    assert [to for to, _ in mailbox.messages] == [["first@pd.example.gov"]]
    assert "/ack/" in mailbox.messages[0][1] and receiver.rejected == 0
