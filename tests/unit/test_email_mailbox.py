"""The email intake's mailbox port over the IMAP commands: what it asks of a server without MOVE or IDLE."""

from __future__ import annotations

import asyncio
from typing import Any

from imapclient import DELETED

from intake_email.source import ImapMailbox


class OldServer:
    """IMAPClient's calls against a server with neither MOVE nor IDLE, with or without UIDPLUS."""

    def __init__(self, uidplus: bool) -> None:
        self.capabilities = {"UIDPLUS"} if uidplus else set()
        self.calls: list[tuple[str, Any]] = []

    def select_folder(self, folder: str) -> dict[bytes, Any]:
        return {b"UIDVALIDITY": 9}

    def has_capability(self, name: str) -> bool:
        return name in self.capabilities

    def copy(self, uids: list[int], folder: str) -> None:
        self.calls.append(("copy", (uids, folder)))

    def add_flags(self, uids: list[int], flags: list[bytes]) -> None:
        self.calls.append(("add_flags", (uids, flags)))

    def uid_expunge(self, uids: list[int]) -> None:
        self.calls.append(("uid_expunge", uids))

    def expunge(self) -> None:
        self.calls.append(("expunge", None))


async def test_without_move_a_message_is_copied_flagged_deleted_and_only_it_expunged() -> None:
    server = OldServer(uidplus=True)
    mailbox = ImapMailbox(server, "INBOX")
    assert await mailbox.open() == 9
    await mailbox.move([3, 4], "Processed")
    assert server.calls == [("copy", ([3, 4], "Processed")), ("add_flags", ([3, 4], [DELETED])),
                            ("uid_expunge", [3, 4])]


async def test_without_uidplus_the_whole_mailbox_is_expunged_and_nothing_moves_for_no_uids() -> None:
    server = OldServer(uidplus=False)
    mailbox = ImapMailbox(server, "INBOX")
    await mailbox.move([], "Processed")
    assert server.calls == []
    await mailbox.move([5], "Quarantine")
    assert server.calls[-1] == ("expunge", None)


async def test_without_idle_waiting_for_mail_is_a_poll_that_a_stop_cuts_short() -> None:
    mailbox = ImapMailbox(OldServer(uidplus=True), "INBOX")
    await mailbox.open()
    stop = asyncio.Event()
    stop.set()
    # A poll interval of an hour: only the stop can end the wait within the test's timeout.
    await asyncio.wait_for(mailbox.wait_for_mail(stop, idle_timeout_s=600, poll_interval_s=3600), 30)
