"""The email intake's mailbox port over a real Dovecot: the same behaviour suite as the in-memory fake.

Each test runs three times: with MOVE, and with MOVE hidden so that the port copies, flags and
expunges (with UIDPLUS, and without it). Hiding a capability changes only what the port chooses;
every command still runs on the real server.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
from imapclient import DELETED, IMAPClient

from deploy.localimap import PASSWORD, USER, Dovecot
from intake_email.source import ImapMailbox
from tests.behaviour.mailbox_suite import MailboxBehaviour, OpenMailbox


def _client(server: Dovecot) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=10)
    client.login(USER, PASSWORD)
    return client


class Hiding:
    """An IMAPClient that does not admit to some capabilities: the port takes its fallback."""

    def __init__(self, client: IMAPClient, hidden: tuple[str, ...]) -> None:
        self._client = client
        self._hidden = hidden

    def has_capability(self, name: str) -> bool:
        return name not in self._hidden and bool(self._client.has_capability(name))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


class Outside:
    def __init__(self, server: Dovecot) -> None:
        self._server = server

    async def deliver(self, folder: str, raw: bytes) -> None:
        await asyncio.to_thread(self._run, lambda c: c.append(folder, raw))

    async def expunge(self, folder: str, uid: int) -> None:
        def expunge(client: IMAPClient) -> None:
            client.select_folder(folder)
            client.add_flags([uid], [DELETED])
            client.expunge()
        await asyncio.to_thread(self._run, expunge)

    def _run(self, command: Any) -> None:
        client = _client(self._server)
        try:
            command(client)
        finally:
            client.logout()


@pytest.fixture
def outside(dovecot: Dovecot) -> Outside:
    client = _client(dovecot)
    for folder in ("Processed", "Quarantine"):
        client.create_folder(folder)
    client.logout()
    return Outside(dovecot)


@pytest.fixture(params=[(), ("MOVE",), ("MOVE", "UIDPLUS")], ids=["move", "copy-uidplus", "copy-expunge"])
async def open_mailbox(request: pytest.FixtureRequest, dovecot: Dovecot,
                       outside: Outside) -> AsyncIterator[OpenMailbox]:
    hidden = cast(tuple[str, ...], request.param)
    opened: list[ImapMailbox] = []

    async def open_one(folder: str) -> ImapMailbox:
        client = await asyncio.to_thread(_client, dovecot)
        mailbox = ImapMailbox(cast(IMAPClient, Hiding(client, hidden)), folder)
        opened.append(mailbox)
        await mailbox.open()
        return mailbox

    yield open_one
    for mailbox in opened:
        await mailbox.close()


class TestImapMailbox(MailboxBehaviour):
    pass


def test_the_server_is_dovecot_and_offers_what_the_port_falls_back_from(dovecot: Dovecot) -> None:
    # The "copy" variants hide MOVE and UIDPLUS: they test the fallbacks only if the real server
    # offers both, and the "move" variant tests MOVE only then.
    client = _client(dovecot)
    try:
        assert b"Dovecot" in client.welcome
        assert client.has_capability("MOVE") and client.has_capability("UIDPLUS")
    finally:
        client.logout()
