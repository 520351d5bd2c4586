"""The email intake's equivalent of a spool depth: mail waiting in the mailbox for Kafka, on /metrics."""

from __future__ import annotations

import asyncio
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from pydantic import SecretStr

from contracts import KafkaRecord, Topic
from intake_email.config import EmailSettings
from intake_email.handler import MailHandOff
from intake_email.metrics import EmailMetrics
from intake_email.source import MailboxWatcher
from intake_email.state import StateStore
from services.runtime import Delivery, Health, InMemoryPublisher, RuntimeMetrics
from services.runtime.blobs import BlobStore
from tests.conftest import wait_for
from tests.memory_mailbox import MemoryMailServer


def _message(n: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"sender{n}@example.org"
    message["Subject"] = f"Tip {n}"
    message["Message-ID"] = f"<tip-{n}@example.org>"
    message.set_content(f"Tip number {n}: a man keeps three workers at a farm.")
    return message.as_bytes(policy=email.policy.SMTP)


class HeldBroker(InMemoryPublisher):
    """Takes records only once released, as a broker that has gone away and comes back."""

    def __init__(self) -> None:
        super().__init__()
        self.back = asyncio.Event()

    async def publish_record(self, topic: Topic, record: KafkaRecord) -> Delivery:
        await self.back.wait()
        return await super().publish_record(topic, record)


async def test_mail_waiting_for_kafka_is_counted_on_the_intakes_metrics(tmp_path: Path) -> None:
    settings = EmailSettings(environment="test", reference_secret=SecretStr("unit-test-reference-secret"),
                             imap_tls=False, poll_interval_s=0.05)
    server = MemoryMailServer()
    messages = [_message(n) for n in range(3)]
    for message in messages:
        server.deliver("INBOX", message)
    broker = HeldBroker()
    await broker.start()
    runtime = RuntimeMetrics("intake-email")
    stop = asyncio.Event()
    state, metrics, health = StateStore(tmp_path / "state.sqlite3"), EmailMetrics(runtime.registry), Health()
    hand_off = MailHandOff(settings, "INBOX", publisher=broker, blobs=BlobStore(tmp_path / "blobs"),
                           state=state, metrics=metrics, health=health, stop=stop,
                           now=lambda: datetime.now(UTC))
    watcher = MailboxWatcher(settings, "INBOX", connect=server.mailbox, hand_off=hand_off, state=state,
                             metrics=metrics, health=health, stop=stop)

    def backlog() -> float | None:
        return runtime.registry.get_sample_value("hotline_email_backlog_messages", {"mailbox": "INBOX"})

    running = asyncio.create_task(watcher.run())
    try:
        await wait_for(lambda: backlog() == 3, what="three messages counted while Kafka is away")
        assert len(server.messages("INBOX")) == 3  # nothing leaves the mailbox before Kafka has it
        broker.back.set()
        await wait_for(lambda: backlog() == 0 and not server.messages("INBOX"), what="the backlog handed off")
        assert sorted(server.messages("Processed").values()) == sorted(messages)
    finally:
        stop.set()
        broker.back.set()
        await asyncio.wait_for(running, 10)
