"""The Dovecot fixture itself: a real IMAP server on loopback that keeps its mail across a restart."""

from __future__ import annotations

from imapclient import IMAPClient

from deploy.localimap import PASSWORD, USER, Dovecot


def _client(server: Dovecot) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=10)
    client.login(USER, PASSWORD)
    return client


def test_mail_appended_is_there_after_a_restart_with_the_same_uidvalidity(dovecot: Dovecot) -> None:
    client = _client(dovecot)
    client.append(
        "INBOX", b"From: tipster@example.org\r\nSubject: Tip\r\nMessage-ID: <t1@example.org>\r\n\r\nHi\r\n"
    )
    before = client.select_folder("INBOX")
    assert b"IDLE" in client.capabilities() and b"MOVE" in client.capabilities()
    client.logout()
    dovecot.restart()
    client = _client(dovecot)
    after = client.select_folder("INBOX")
    assert after[b"EXISTS"] == 1 and after[b"UIDVALIDITY"] == before[b"UIDVALIDITY"]
    [uid] = client.search(["ALL"])
    assert b"Subject: Tip" in client.fetch([uid], ["RFC822"])[uid][b"RFC822"]
    client.logout()


def test_the_demo_sample_lands_in_the_inbox(dovecot: Dovecot) -> None:
    from deploy.localimap import send_sample

    message_id = send_sample(dovecot.port, "es")
    client = _client(dovecot)
    client.select_folder("INBOX")
    [uid] = client.search(["ALL"])
    raw = client.fetch([uid], ["RFC822"])[uid][b"RFC822"]
    assert message_id.encode() in raw and b"Reporte sobre el rancho" in raw
    client.logout()
