"""Composition root of the email intake: per mailbox, one watcher (one IMAP connection) and its hand-off."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from contracts import Service
from intake_email.config import EmailSettings
from intake_email.handler import MailHandOff
from intake_email.metrics import EmailMetrics
from intake_email.source import ImapMailbox, MailboxWatcher, imap_connection
from intake_email.state import StateStore
from services.runtime import ServiceContext, load_settings, run_service
from services.runtime.blobs import BlobStore
from services.runtime.lifecycle import start_publisher


async def serve(context: ServiceContext, settings: EmailSettings) -> None:
    publisher = await start_publisher(context, settings, Service.INTAKE_EMAIL)
    state = StateStore(settings.state_dir / "email-state.sqlite3")
    blobs = BlobStore(settings.blob_dir, settings.blob_keyring())
    metrics = EmailMetrics(context.metrics.registry)
    watchers = [
        MailboxWatcher(settings, mailbox, connect=lambda name: ImapMailbox(imap_connection(settings), name),
                       hand_off=MailHandOff(settings, mailbox, publisher=publisher, blobs=blobs, state=state,
                                            metrics=metrics, health=context.health, stop=context.stop,
                                            now=lambda: datetime.now(UTC)),
                       state=state, metrics=metrics, health=context.health, stop=context.stop)
        for mailbox in settings.mailboxes
    ]
    try:
        await asyncio.gather(*(watcher.run() for watcher in watchers))
    finally:
        await context.ops.close()
        await publisher.stop()
        state.close()


def main() -> int:
    settings = load_settings(EmailSettings)
    return run_service(Service.INTAKE_EMAIL, settings, lambda context: serve(context, settings))
