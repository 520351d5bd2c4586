"""Behaviour every email intake mailbox port must have. Runs against the in-memory fake and a real Dovecot."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import pytest

from intake_email.source import CONNECTION_ERRORS

OpenMailbox = Callable[[str], Awaitable[Any]]


class Outside(Protocol):
    """What another client does to the server while the port is connected."""

    async def deliver(self, folder: str, raw: bytes) -> None: ...

    async def expunge(self, folder: str, uid: int) -> None: ...


def mail(n: int) -> bytes:
    # CRLF line endings and a trailing newline: what a server stores and hands back byte for byte.
    return (f"From: tipster{n}@example.org\r\nSubject: Tip {n}\r\nMessage-ID: <tip-{n}@example.org>\r\n"
            f"\r\nTip number {n}: three workers kept at a farm.\r\n").encode()


async def listed(mailbox: Any, count: int, above: int = 0) -> list[int]:
    """The UIDs above ``above`` once there are ``count`` of them. A real server shows mail delivered by
    another client to an open connection within moments, not at once (Dovecot looks again at most once a
    second between commands; an IDLE wakes at once): the watcher waits for mail and then lists it."""
    deadline = asyncio.get_running_loop().time() + 10
    while len(uids := await mailbox.after(above)) < count:
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"{count} messages were not listed within 10s: {uids}")
        await asyncio.sleep(0.1)
    return list(uids)


class MailboxBehaviour:
    """Subclasses provide the fixtures ``open_mailbox`` (opened ports on INBOX, Processed and Quarantine,
    closed at teardown) and ``outside``."""

    async def test_uidvalidity_is_the_same_on_every_connection(self, open_mailbox: OpenMailbox) -> None:
        first = await open_mailbox("INBOX")
        second = await open_mailbox("INBOX")
        assert await first.open() == await second.open()
        assert await first.open() != await (await open_mailbox("Processed")).open()

    async def test_new_messages_are_listed_oldest_first_above_the_last_uid(
        self, open_mailbox: OpenMailbox, outside: Outside
    ) -> None:
        inbox = await open_mailbox("INBOX")
        assert await inbox.after(0) == []
        for n in range(3):
            await outside.deliver("INBOX", mail(n))
        uids = await listed(inbox, 3)
        assert len(uids) == 3 and uids == sorted(uids)
        assert await inbox.after(uids[0]) == uids[1:]
        # "N:*" matches the highest UID even above it: the port must not hand that one back again.
        assert await inbox.after(uids[-1]) == []
        assert await inbox.after(uids[-1] + 100) == []

    async def test_a_message_is_fetched_byte_for_byte_and_fetching_twice_leaves_it_there(
        self, open_mailbox: OpenMailbox, outside: Outside
    ) -> None:
        inbox = await open_mailbox("INBOX")
        await outside.deliver("INBOX", mail(1))
        await outside.deliver("INBOX", mail(2))
        uids = await listed(inbox, 2)
        first = await inbox.fetch(uids)
        assert first == dict(zip(uids, [mail(1), mail(2)], strict=True))
        assert await inbox.fetch(uids) == first
        assert await inbox.fetch(uids[1:]) == {uids[1]: mail(2)}
        assert await inbox.after(0) == uids  # fetched is not handed off: only a move takes it out

    async def test_a_message_gone_before_the_fetch_is_left_out(
        self, open_mailbox: OpenMailbox, outside: Outside
    ) -> None:
        inbox = await open_mailbox("INBOX")
        await outside.deliver("INBOX", mail(1))
        await outside.deliver("INBOX", mail(2))
        uids = await listed(inbox, 2)
        await outside.expunge("INBOX", uids[0])
        assert await inbox.fetch(uids) == {uids[1]: mail(2)}
        assert await inbox.fetch([uids[-1] + 50]) == {}

    async def test_moved_messages_leave_the_mailbox_and_land_in_the_folder(
        self, open_mailbox: OpenMailbox, outside: Outside
    ) -> None:
        inbox = await open_mailbox("INBOX")
        for n in range(3):
            await outside.deliver("INBOX", mail(n))
        uids = await listed(inbox, 3)
        await inbox.move(uids[:2], "Processed")
        assert await inbox.after(0) == uids[2:]  # only the moved ones left: the third is still there
        assert await inbox.fetch(uids) == {uids[2]: mail(2)}
        processed = await open_mailbox("Processed")
        landed = await processed.after(0)
        assert sorted((await processed.fetch(landed)).values()) == [mail(0), mail(1)]
        assert await (await open_mailbox("Quarantine")).after(0) == []

    async def test_moving_nothing_or_what_is_gone_changes_nothing(
        self, open_mailbox: OpenMailbox, outside: Outside
    ) -> None:
        inbox = await open_mailbox("INBOX")
        await outside.deliver("INBOX", mail(1))
        [uid] = await listed(inbox, 1)
        await inbox.move([], "Processed")
        await inbox.move([uid], "Quarantine")
        await inbox.move([uid], "Processed")  # already moved: a second move must not raise or copy
        quarantine, processed = await open_mailbox("Quarantine"), await open_mailbox("Processed")
        assert await inbox.after(0) == [] and await processed.after(0) == []
        assert list((await quarantine.fetch(await quarantine.after(0))).values()) == [mail(1)]

    async def test_uids_are_not_reused_after_a_move(
        self, open_mailbox: OpenMailbox, outside: Outside
    ) -> None:
        inbox = await open_mailbox("INBOX")
        await outside.deliver("INBOX", mail(1))
        [first] = await listed(inbox, 1)
        await inbox.move([first], "Processed")
        await outside.deliver("INBOX", mail(2))
        [second] = await listed(inbox, 1, above=first)
        assert second > first
        assert await inbox.fetch([second]) == {second: mail(2)}

    async def test_moving_to_a_missing_folder_fails_and_keeps_the_message(
        self, open_mailbox: OpenMailbox, outside: Outside
    ) -> None:
        inbox = await open_mailbox("INBOX")
        await outside.deliver("INBOX", mail(1))
        [uid] = await listed(inbox, 1)
        with pytest.raises(CONNECTION_ERRORS):
            await inbox.move([uid], "No such folder")
        assert await inbox.fetch([uid]) == {uid: mail(1)}

    async def test_waiting_ends_when_mail_arrives(self, open_mailbox: OpenMailbox, outside: Outside) -> None:
        inbox = await open_mailbox("INBOX")
        waiting = asyncio.create_task(inbox.wait_for_mail(asyncio.Event(), idle_timeout_s=600,
                                                          poll_interval_s=600))
        await asyncio.sleep(0.5)  # the wait has begun (the IDLE is on the wire)
        assert not waiting.done()
        await outside.deliver("INBOX", mail(1))
        # Both timeouts are ten minutes: only the new mail can end the wait within the test's.
        await asyncio.wait_for(waiting, 20)
        assert len(await inbox.after(0)) == 1

    async def test_waiting_ends_on_stop(self, open_mailbox: OpenMailbox) -> None:
        inbox = await open_mailbox("INBOX")
        stop = asyncio.Event()
        waiting = asyncio.create_task(inbox.wait_for_mail(stop, idle_timeout_s=600, poll_interval_s=600))
        await asyncio.sleep(0.2)
        stop.set()
        await asyncio.wait_for(waiting, 20)
        assert await inbox.after(0) == []  # the connection is usable after the wait

    async def test_opening_a_missing_folder_fails_as_a_lost_connection(
        self, open_mailbox: OpenMailbox
    ) -> None:
        with pytest.raises(CONNECTION_ERRORS):
            await open_mailbox("No such folder")
