"""Local stand-ins for the reports' recipients: an SMTP server and a signed-webhook receiver.

Both are real servers on loopback (aiosmtpd, with STARTTLS when given a certificate; the standard
library's threading HTTP server) that keep every delivery they are given, in arrival order, with the
delivery's identity (the email's Message-ID, the webhook's Idempotency-Key) and its acknowledgement
link. The webhook receiver checks each request's HMAC signature with the secret of the contact named
in its path (``/hooks/<contact-id>``) and refuses a bad one with 401, as a recipient's system would.

``./dev run`` starts them so the local system has somebody to report to (``GET /`` lists what
arrived); the reporting tests and the benchmark use them as the recipients they assert on.

    python -m deploy.localreceivers --smtp-port 2525 --http-port 8087 --secrets '{"id": "secret"}'
"""

from __future__ import annotations

import argparse
import email
import email.policy
import html
import json
import re
import signal
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from deploy.ports import free_port
from services.reporting.signing import verify
from services.runtime.web_edge import security_headers

_ACK = re.compile(r"https?://\S+/ack/[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Delivery:
    channel: str  # email or webhook
    key: str  # Message-ID without brackets, or Idempotency-Key: the same on every attempt of a step
    recipient: str  # the address, or the contact id of the webhook path
    ack_url: str | None
    document: Mapping[str, Any] | str  # the webhook's JSON, or the email's text
    received_at: float
    tls: bool = False  # an email that came over STARTTLS


@dataclass
class Recorder:
    """What arrived, safe to read from any thread; ``on_delivery`` runs for each arrival."""

    deliveries: list[Delivery] = field(default_factory=list)
    rejected: int = 0
    on_delivery: Callable[[Delivery], None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, delivery: Delivery) -> None:
        with self._lock:
            self.deliveries.append(delivery)
        if self.on_delivery is not None:
            self.on_delivery(delivery)

    def reject(self) -> None:
        with self._lock:
            self.rejected += 1

    def snapshot(self) -> list[Delivery]:
        with self._lock:
            return list(self.deliveries)


class _MailHandler:
    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        found = _ACK.search(text)
        message_id = str(message.get("Message-ID", "")).strip().strip("<>")
        for recipient in envelope.rcpt_tos:
            self._recorder.add(Delivery(
                channel="email", key=message_id, recipient=recipient,
                ack_url=found.group(0) if found else None, document=text, received_at=time.time(),
                tls=session.ssl is not None))
        return "250 OK"


class Receivers:
    """Both servers, started together; ``url_for(contact_id)`` is a contact's webhook URL."""

    def __init__(self, *, secrets: Mapping[str, str], smtp_port: int = 0, http_port: int = 0,
                 host: str = "127.0.0.1", smtp_tls: ssl.SSLContext | None = None) -> None:
        self.recorder = Recorder()
        # With a certificate the SMTP server offers STARTTLS and takes no mail before it.
        self._smtp_tls = smtp_tls
        self._secrets = {k: v.encode() for k, v in secrets.items()}
        self._host = host
        self._smtp_port = smtp_port or free_port(host)
        self._http_port = http_port
        self._smtp: Controller | None = None
        self._http: ThreadingHTTPServer | None = None

    @property
    def smtp_port(self) -> int:
        return self._smtp_port

    @property
    def http_port(self) -> int:
        if self._http is None:
            raise RuntimeError("the receivers are not started")
        return int(self._http.server_address[1])

    def url_for(self, contact_id: str) -> str:
        return f"http://{self._host}:{self.http_port}/hooks/{contact_id}"

    def start(self) -> Receivers:
        tls: dict[str, Any] = {}
        if self._smtp_tls is not None:
            tls = {"tls_context": self._smtp_tls, "require_starttls": True}
        self._smtp = Controller(_MailHandler(self.recorder), hostname=self._host, port=self._smtp_port,
                                **tls)
        self._smtp.start()
        self._http = _Server((self._host, self._http_port), _webhook_handler(self))
        self._http.daemon_threads = True
        threading.Thread(target=self._http.serve_forever, name="webhooks", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        if self._smtp is not None:
            self._smtp.stop()

    def __enter__(self) -> Receivers:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept(self, contact_id: str, headers: Mapping[str, str], body: bytes) -> int:
        secret = self._secrets.get(contact_id)
        if secret is None or not verify(secret, headers, body, now=time.time()):
            self.recorder.reject()
            return 401
        try:
            document = json.loads(body)
        except ValueError:
            self.recorder.reject()
            return 400
        self.recorder.add(Delivery(
            channel="webhook", key=headers.get("Idempotency-Key", ""), recipient=contact_id,
            ack_url=document.get("acknowledge") if isinstance(document, dict) else None,
            document=document, received_at=time.time()))
        return 204


class _Server(ThreadingHTTPServer):
    # The standard library listens with a backlog of 5: a burst of connections then loses SYNs
    # and waits out the 1 s retransmission, which would be measured as the sender's slowness.
    request_queue_size = 512


def _webhook_handler(receivers: Receivers) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def end_headers(self) -> None:
            # Every answer, the page of links included, carries the web edge's headers.
            for name, value in security_headers():
                self.send_header(name, value)
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def do_POST(self) -> None:
            contact_id = self.path.removeprefix("/hooks/")
            length = int(self.headers.get("Content-Length", "0") or 0)
            body = self.rfile.read(min(length, 10_000_000))
            if len(body) < min(length, 10_000_000):
                # The sender went away mid-request (a killed process writes its headers and its
                # body separately): nothing was delivered, and no signature was checked.
                self.close_connection = True
                return
            status = receivers._accept(contact_id, dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            deliveries = receivers.recorder.snapshot()
            if self.path == "/deliveries":
                payload = json.dumps([asdict(d) for d in deliveries], default=str).encode()
                content_type = "application/json"
            else:
                rows = "".join(
                    f"<tr><td>{html.escape(d.channel)}</td><td>{html.escape(d.recipient)}</td>"
                    f"<td>{html.escape(d.key)}</td><td>{_link(d.ack_url)}</td></tr>"
                    for d in reversed(deliveries))
                payload = (
                    "<!doctype html><html lang=en><meta charset=utf-8><title>Local recipients</title>"
                    f"<h1>Reports delivered to the local recipients ({len(deliveries)})</h1>"
                    "<table><tr><th>channel<th>recipient<th>delivery<th>acknowledge</tr>"
                    f"{rows}</table></html>").encode()
                content_type = "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            return  # no request log: the paths carry contact ids only, but nothing needs them

    return Handler


def break_glass_protocol(directory: Path, webhook_url: str) -> Path:
    """``directory`` with US.yaml: a break-glass report (victim extraction) goes to one webhook contact,
    ``unit`` (this receiver's ``url_for("unit")``), given ten minutes to acknowledge: each report has
    one step to deliver, once. The fault drill and the system benchmark report through it."""
    directory.mkdir(parents=True, exist_ok=True)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    (directory / "US.yaml").write_text(f"""version: 1
region: {{country: US}}
contacts:
  - {{id: unit, name: Contact unit, organisation: Example Task Force, kind: federal_agency,
     channels: [{{type: webhook, url: "{webhook_url}"}}], availability: always, last_verified: {today}}}
matrix:
  victim_extraction_le_intervention:
    - chain: [{{contact: unit, wait: 10m}}]
""")
    return directory


def _link(url: str | None) -> str:
    if url is None:
        return ""
    return f'<a href="{html.escape(url)}">acknowledge</a>'




def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.localreceivers",
                                     description="Local SMTP and webhook recipients of reports.")
    parser.add_argument("--smtp-port", type=int, default=2525)
    parser.add_argument("--http-port", type=int, default=8087)
    parser.add_argument("--secrets", default="{}", help='JSON: {"contact-id": "webhook secret"}')
    args = parser.parse_args(argv)
    try:
        secrets = json.loads(args.secrets)
    except ValueError:
        parser.error("--secrets must be a JSON object of contact id to secret")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with Receivers(secrets=secrets, smtp_port=args.smtp_port, http_port=args.http_port) as receivers:
        print(f"local recipients: SMTP 127.0.0.1:{receivers.smtp_port}, "
              f"deliveries at http://127.0.0.1:{receivers.http_port}/", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
