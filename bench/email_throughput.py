"""Email intake throughput: messages per second from a mailbox of mixed mail to Kafka ack and move.

A local Dovecot holds ``-n`` mixed messages (plain, HTML, attachments, Spanish, replies, auto-replies);
the intake process runs until the inbox is empty. Baselines measured in the same run:

- IMAP alone: one client FETCHes and MOVEs every message one by one (no parsing, no Kafka), which is
  the floor of the intake's hand-off order (one message at a time, moved only after the ack);
- raw aiokafka produce throughput (``bench.kafka_baseline``).

    python -m bench.email_throughput [--bootstrap HOST:PORT] [-n 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import email.policy
import io
import os
import subprocess
import sys
import tempfile
import time
import uuid
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from imapclient import IMAPClient
from PIL import Image

from bench.children import kafka
from bench.kafka_baseline import measure
from contracts import Topic
from deploy.localimap import PASSWORD, USER, Dovecot
from services.runtime import RuntimeSettings
from services.runtime.provision import provision

REPO = Path(__file__).resolve().parents[1]
TEXTS = [
    "There are three young women living in the back of the massage parlor. They never leave.",
    "Mi prima trabaja en una casa y le quitaron el pasaporte. No le pagan desde hace meses.",
    "Workers at the farm sleep in a locked barn. The crew boss keeps their pay and their phones.",
    "Un hombre lleva a chicas al motel todas las noches. Una parece menor de edad.",
]


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def mixed_messages(n: int) -> list[bytes]:
    photo = _photo()
    messages = []
    for i in range(n):
        message = EmailMessage()
        message["From"] = f"sender{i}@example.org"
        message["Subject"] = ["Tip", "Re: Tip", "Out of Office", "Reporte"][i % 4] + f" {i}"
        message["Message-ID"] = make_msgid(domain="example.org")
        if i % 4 == 1:
            message["In-Reply-To"] = "<earlier@example.org>"
        text = TEXTS[i % len(TEXTS)] + f"\n\nOn Monday, someone wrote:\n> earlier text {i}\n"
        message.set_content(text)
        if i % 5 == 0:
            message.add_alternative(
                f"<html><body><p>{TEXTS[i % len(TEXTS)]}</p></body></html>", subtype="html"
            )
        if i % 7 == 0:
            message.add_attachment(photo, maintype="image", subtype="jpeg", filename=f"photo-{i}.jpg")
        messages.append(message.as_bytes(policy=email.policy.SMTP))
    return messages


def _client(server: Dovecot) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=60)
    client.login(USER, PASSWORD)
    return client


def fill(server: Dovecot, messages: list[bytes]) -> None:
    client = _client(server)
    for start in range(0, len(messages), 200):
        client.multiappend("INBOX", messages[start : start + 200])
    client.logout()


def inbox_count(server: Dovecot) -> int:
    client = _client(server)
    try:
        return int(client.folder_status("INBOX", [b"MESSAGES"])[b"MESSAGES"])
    finally:
        client.logout()


def imap_baseline(server: Dovecot, n: int) -> float:
    """FETCH and MOVE each message, one at a time: messages/s."""
    fill(server, mixed_messages(n))
    client = _client(server)
    if not client.folder_exists("Baseline"):
        client.create_folder("Baseline")
    client.select_folder("INBOX")
    started = time.perf_counter()
    for uid in sorted(client.search(["ALL"])):
        client.fetch([uid], ["BODY.PEEK[]"])
        client.move([uid], "Baseline")
    elapsed = time.perf_counter() - started
    client.logout()
    return n / elapsed


def intake_run(server: Dovecot, bootstrap: str, n: int, state: Path) -> float:
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    asyncio.run(
        provision(
            RuntimeSettings(kafka_bootstrap=bootstrap, topic_prefix=prefix),
            create=True,
            topics=(Topic.SIGNALS_RECEIVED, Topic.OPS_EVENTS),
        )
    )
    fill(server, mixed_messages(n))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update(
        {
            "HOTLINE_KAFKA_BOOTSTRAP": bootstrap,
            "HOTLINE_TOPIC_PREFIX": prefix,
            "HOTLINE_IMAP_PORT": str(server.port),
            "HOTLINE_IMAP_TLS": "false",
            "HOTLINE_IMAP_PASSWORD": PASSWORD,
            "HOTLINE_STATE_DIR": str(state / "state"),
            "HOTLINE_BLOB_DIR": str(state / "blobs"),
            "HOTLINE_LOG_LEVEL": "WARNING",
            "HOTLINE_POLL_INTERVAL_S": "0.2",
        }
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "intake_email"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while inbox_count(server) > 0:
            if process.poll() is not None:
                raise SystemExit(f"intake exited with {process.returncode}")
            time.sleep(0.2)
        elapsed = time.perf_counter() - started  # includes the process start-up, which is paid once
    finally:
        process.terminate()
        process.wait(30)
    return n / elapsed


def run(bootstrap: str, n: int) -> str:
    kafka = asyncio.run(measure(bootstrap, 20_000))
    with tempfile.TemporaryDirectory(prefix="bench-email-") as state:
        server = Dovecot().start()
        try:
            baseline = imap_baseline(server, n)
            intake = intake_run(server, bootstrap, n, Path(state))
        finally:
            server.remove()
    produce = float(kafka["produce_msgs_per_s"])
    return "\n".join(
        [
            f"{n} mixed messages, one mailbox, local Dovecot, acks=all on the real broker:",
            f"  email intake (parse, blobs, publish, move)  {intake:8.0f} msg/s",
            f"  IMAP alone (fetch + move, no Kafka)         {baseline:8.0f} msg/s   "
            f"intake ratio {intake / baseline:.2f}",
            f"  raw aiokafka produce                        {produce:8.0f} msg/s   "
            f"intake ratio {intake / produce:.3f}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.email_throughput",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--bootstrap")
    parser.add_argument("-n", type=int, default=2000)
    args = parser.parse_args(argv)
    with kafka(args.bootstrap) as bootstrap:
        print(run(bootstrap, args.n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
