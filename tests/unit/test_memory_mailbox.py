"""The in-memory mailbox passes the same behaviour suite as the port over a real Dovecot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.behaviour.mailbox_suite import MailboxBehaviour, OpenMailbox, mail
from tests.memory_mailbox import MemoryMailbox, MemoryMailServer


class Outside:
    def __init__(self, server: MemoryMailServer) -> None:
        self._server = server

    async def deliver(self, folder: str, raw: bytes) -> None:
        self._server.deliver(folder, raw)

    async def expunge(self, folder: str, uid: int) -> None:
        self._server.expunge(folder, uid)


@pytest.fixture
def server() -> MemoryMailServer:
    return MemoryMailServer()


@pytest.fixture
def outside(server: MemoryMailServer) -> Outside:
    return Outside(server)


@pytest.fixture
async def open_mailbox(server: MemoryMailServer) -> AsyncIterator[OpenMailbox]:
    opened: list[MemoryMailbox] = []

    async def open_one(folder: str) -> MemoryMailbox:
        mailbox = server.mailbox(folder)
        await mailbox.open()
        opened.append(mailbox)
        return mailbox

    yield open_one
    for mailbox in opened:
        await mailbox.close()


class TestMemoryMailbox(MailboxBehaviour):
    async def test_the_server_shows_what_each_folder_holds(
        self, server: MemoryMailServer, open_mailbox: OpenMailbox
    ) -> None:
        uid = server.deliver("INBOX", mail(1))
        await (await open_mailbox("INBOX")).move([uid], "Quarantine")
        assert server.messages("INBOX") == {}
        assert list(server.messages("Quarantine").values()) == [mail(1)]
