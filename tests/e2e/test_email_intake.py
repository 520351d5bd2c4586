"""The email intake process against a real Dovecot and the real broker: every message in the mailbox
becomes a signal or a quarantine record, even through kill -9 and an IMAP server restart."""

from __future__ import annotations

import asyncio
import email.policy
import hashlib
import json
import random
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from imapclient import IMAPClient

from contracts import CODEC, Topic
from contracts.events import InputQuarantined, SignalReceived
from deploy.localimap import PASSWORD, USER, Dovecot
from intake_email.parse import Unparseable, parse
from intake_email.translate import dedup_key
from services.runtime import RuntimeSettings
from services.runtime.blobs import BlobStore
from services.runtime.topic_reader import read_whole_topic
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess
from tests.email_corpus import TIPS_EN, TIPS_ES, corpus
from tests.kafka_reader import read_topic


def imap(server: Dovecot) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=30)
    client.login(USER, PASSWORD)
    return client


def counts(server: Dovecot) -> dict[str, int]:
    client = imap(server)
    try:
        return {
            folder: (
                client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"]
                if client.folder_exists(folder)
                else 0
            )
            for folder in ("INBOX", "Processed", "Quarantine")
        }
    finally:
        client.logout()


def fill(server: Dovecot, messages: list[bytes]) -> None:
    client = imap(server)
    try:
        for start in range(0, len(messages), 100):
            client.multiappend("INBOX", messages[start : start + 100])
    finally:
        client.logout()


@pytest.fixture
def email_env(service_env: dict[str, str], dovecot: Dovecot, tmp_path: Path) -> dict[str, str]:
    return {
        **service_env,
        "HOTLINE_IMAP_HOST": "127.0.0.1",
        "HOTLINE_IMAP_PORT": str(dovecot.port),
        "HOTLINE_IMAP_TLS": "false",
        "HOTLINE_IMAP_USERNAME": USER,
        "HOTLINE_IMAP_PASSWORD": PASSWORD,
        "HOTLINE_STATE_DIR": str(tmp_path / "email-state"),
        "HOTLINE_BLOB_DIR": str(tmp_path / "email-blobs"),
        "HOTLINE_POLL_INTERVAL_S": "1",
        "HOTLINE_IDLE_TIMEOUT_S": "30",
        "HOTLINE_RECONNECT_MAX_S": "2",
    }


async def signals_and_quarantines(
    settings: RuntimeSettings, signals: int, quarantines: int
) -> tuple[list[SignalReceived], list[InputQuarantined]]:
    received = [
        CODEC.decode(r.value or b"", r.headers).event
        for r in await read_topic(settings, Topic.SIGNALS_RECEIVED, signals, timeout=60)
    ]
    assert all(isinstance(e, SignalReceived) for e in received)

    # ops.events also carries the intake's heartbeats: wait for the quarantine records among them.
    async def quarantine_records() -> list[InputQuarantined]:
        events = [CODEC.decode(r.value or b"", r.headers).event
                  for r in await read_whole_topic(settings, Topic.OPS_EVENTS)]
        found = [e for e in events if isinstance(e, InputQuarantined)]
        return found if len(found) >= quarantines else []

    set_aside = await wait_for(quarantine_records, timeout=60, interval=0.5, what="the quarantine records")
    return received, set_aside  # type: ignore[return-value]


async def test_the_corpus_becomes_signals_and_quarantine_records(
    dovecot: Dovecot, email_env: dict[str, str], topics: RuntimeSettings, tmp_path: Path
) -> None:
    # IMAP cannot store an empty message, nor NUL bytes without the BINARY extension.
    cases = [c for c in corpus() if c.name not in ("empty", "whitespace", "binary")]
    fill(dovecot, [c.raw for c in cases])
    quarantined = sum(c.quarantine for c in cases)
    process = ServiceProcess("intake_email", email_env, tmp_path / "email.log").start()
    try:
        await wait_for(lambda: counts(dovecot)["INBOX"] == 0, timeout=90, what="inbox emptied")
    finally:
        assert process.terminate() == 0
    assert counts(dovecot) == {"INBOX": 0, "Processed": len(cases) - quarantined, "Quarantine": quarantined}
    received, set_aside = await signals_and_quarantines(topics, len(cases) - quarantined, quarantined)
    assert len({e.signal_id for e in received}) == len(cases) - quarantined
    assert sorted(q.reason for q in set_aside) == sorted(_reason(c.raw) for c in cases if c.quarantine)
    automated = {e.source.automated for e in received if e.source.kind == "email"}
    assert {"auto_reply", "bounce"} <= automated
    log = (tmp_path / "email.log").read_text()
    assert "three young women" not in log and "ana.tipster@example.org" not in log


def _reason(raw: bytes) -> str:
    try:
        parse(raw)
    except Unparseable as unparseable:
        return unparseable.reason
    raise AssertionError("expected a quarantine")


def _mixed(n: int, start: int = 0) -> list[bytes]:
    texts = TIPS_EN + TIPS_ES
    messages = []
    for i in range(start, start + n):
        message = EmailMessage()
        message["From"] = f"sender{i}@example.org"
        message["Subject"] = f"Tip {i}"
        message["Message-ID"] = make_msgid(domain="example.org")
        message.set_content(f"Tip number {i}. {texts[i % len(texts)]}")
        messages.append(message.as_bytes(policy=email.policy.SMTP))  # CRLF, as IMAP stores it
    return messages


async def test_kill_9_at_random_moments_loses_nothing(
    dovecot: Dovecot, email_env: dict[str, str], topics: RuntimeSettings, tmp_path: Path
) -> None:
    """Each kill lands while a hand-off is in flight, whatever the machine's speed.

    The test sets its own pace instead of guessing a lifetime: before each start the inbox is
    topped up to a backlog the process cannot finish before its kill, and the kill comes when the
    process has stored a randomly chosen number of this cycle's raw messages (the first step of a
    hand-off), plus a jitter far shorter than the rest of the backlog takes, so that kills also land
    between a batch's publish and its move.
    """
    backlog, rng, kills = 250, random.Random(7), 0  # noqa: S311 - seeded kill points
    blobs = BlobStore(Path(email_env["HOTLINE_BLOB_DIR"]))  # where the intake keeps raw messages
    messages: list[bytes] = []
    log = tmp_path / "email-crash.log"
    while kills < 10:
        waiting = counts(dovecot)["INBOX"]
        top_up = _mixed(backlog - waiting, start=len(messages))
        fill(dovecot, top_up)
        messages += top_up
        unstored = [path for path in (blobs.path_for(_sha(raw)) for raw in messages) if not path.exists()]
        target, jitter = rng.randint(1, 80), rng.uniform(0, 0.05)
        process = ServiceProcess("intake_email", email_env, log).start()

        def stored(paths: list[Path] = unstored, target: int = target) -> bool:
            return sum(path.exists() for path in paths) >= target

        await wait_for(stored, timeout=60, interval=0.005, what=f"{target} messages stored by the intake")
        await asyncio.sleep(jitter)
        process.kill()
        kills += 1
        assert counts(dovecot)["INBOX"] > 0, f"the mailbox emptied before kill {kills}: raise the backlog"
    process = ServiceProcess("intake_email", email_env, log).start()
    try:
        await wait_for(lambda: counts(dovecot)["INBOX"] == 0, timeout=180, what="inbox emptied after crashes")
    finally:
        assert process.terminate() == 0
    assert counts(dovecot) == {"INBOX": 0, "Processed": len(messages), "Quarantine": 0}
    # The intake has stopped: the topic is final. Read all of it, since kills make duplicates and a
    # read that stops at len(messages) records could miss distinct ones.
    records = await read_whole_topic(topics, Topic.SIGNALS_RECEIVED)
    events = [CODEC.decode(r.value or b"", r.headers).event for r in records]
    expected = {dedup_key(parse(raw), _sha(raw)) for raw in messages}
    seen = [e.dedup_key for e in events if isinstance(e, SignalReceived)]
    assert set(seen) == expected, "every message's dedup key is on the topic"
    duplicates = len(seen) - len(set(seen))
    by_key: dict[str, set[str]] = {}
    for event in events:
        assert isinstance(event, SignalReceived)
        by_key.setdefault(event.dedup_key, set()).add(str(event.signal_id))
    assert all(len(ids) == 1 for ids in by_key.values()), "a duplicate always carries the same signal id"
    (tmp_path / "crash-figures.json").write_text(
        json.dumps({"kills": kills, "messages": len(messages), "duplicates": duplicates}))
    print(f"kills={kills} messages={len(messages)} duplicates={duplicates}")


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


async def test_the_watcher_reconnects_after_the_imap_server_restarts(
    dovecot: Dovecot, email_env: dict[str, str], topics: RuntimeSettings, tmp_path: Path
) -> None:
    first = _mixed(20)
    fill(dovecot, first)
    process = ServiceProcess("intake_email", email_env, tmp_path / "email-restart.log").start()
    try:
        await wait_for(lambda: counts(dovecot)["INBOX"] == 0, timeout=60, what="first batch")
        dovecot.restart()
        fill(dovecot, _mixed(20))
        await wait_for(lambda: counts(dovecot)["INBOX"] == 0, timeout=60, what="second batch after restart")
    finally:
        assert process.terminate() == 0
    assert counts(dovecot)["Processed"] == 40
    await read_topic(topics, Topic.SIGNALS_RECEIVED, 40, timeout=60)
    lines = [
        json.loads(line)
        for line in (tmp_path / "email-restart.log").read_text().splitlines()
        if line.startswith("{")
    ]
    assert any("reconnecting" in line.get("msg", "") for line in lines)


async def test_a_new_uidvalidity_rereads_the_mailbox_and_replies_link_to_their_signal(
    dovecot: Dovecot, email_env: dict[str, str], topics: RuntimeSettings, tmp_path: Path
) -> None:
    env = {**email_env, "HOTLINE_MAILBOXES": '["Tips"]'}
    client = imap(dovecot)
    client.create_folder("Tips")
    original_id = make_msgid(domain="example.org")
    first = EmailMessage()
    first["From"], first["Subject"], first["Message-ID"] = "a@example.org", "Tip", original_id
    first.set_content("The girls at the salon are never allowed outside.")
    client.append("Tips", first.as_bytes(policy=email.policy.SMTP))
    client.logout()
    process = ServiceProcess("intake_email", env, tmp_path / "email-uv.log").start()
    await wait_for(lambda: counts_of(dovecot, "Tips") == 0, timeout=60, what="first message")
    process.terminate()
    # The server renumbers the mailbox (delete and re-create): UIDs start at 1 again.
    client = imap(dovecot)
    client.delete_folder("Tips")
    client.create_folder("Tips")
    reply = EmailMessage()
    reply["From"], reply["Subject"], reply["Message-ID"] = "a@example.org", "Re: Tip", make_msgid()
    reply["In-Reply-To"] = original_id
    reply.set_content("One more thing: they were moved last night.")
    client.append("Tips", reply.as_bytes(policy=email.policy.SMTP))
    client.logout()
    process = ServiceProcess("intake_email", env, tmp_path / "email-uv.log").start()
    try:
        await wait_for(lambda: counts_of(dovecot, "Tips") == 0, timeout=60, what="message after renumbering")
    finally:
        assert process.terminate() == 0
    events = [CODEC.decode(r.value or b"", r.headers).event
              for r in await read_topic(topics, Topic.SIGNALS_RECEIVED, 2, timeout=30)]
    by_subject = {e.subject: e for e in events if isinstance(e, SignalReceived)}
    related = by_subject["Re: Tip"].related
    assert related is not None and related.relation == "reply"
    assert related.signal_id == by_subject["Tip"].signal_id
    assert "UIDVALIDITY changed" in (tmp_path / "email-uv.log").read_text()


def counts_of(server: Dovecot, folder: str) -> int:
    client = imap(server)
    try:
        return int(client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])
    finally:
        client.logout()
