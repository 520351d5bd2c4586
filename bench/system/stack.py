"""The whole system for the benchmark: one broker, PostgreSQL, Dovecot, the reports' recipients and
every service as its own process, configured as in production but with no rate limits on the
benchmark's single client."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from subprocess import Popen

from bench.children import child, say, wait_http
from contracts import Topic
from deploy.localimap import PASSWORD, USER, Dovecot
from deploy.localkafka import Broker
from deploy.localpostgres import Postgres
from deploy.localreceivers import Receivers, break_glass_protocol
from deploy.ports import free_port
from services.review.auth import Auth, Role
from services.review.db import Database, migrate
from services.runtime import RuntimeSettings
from services.runtime.provision import provision

TWILIO_TOKEN = "bench-twilio-token"
WEBHOOK_SECRET = "bench-webhook-secret-0123456789"


@dataclass
class Process:
    name: str
    popen: Popen[bytes]
    ops_port: int

    def rss_mb(self) -> float:
        """Resident memory now (``VmRSS``), 0 once the process is gone."""
        try:
            for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0


@dataclass
class System:
    work: Path
    bootstrap: str
    prefix: str
    review_url: str
    reporting_url: str
    token: str
    dovecot: Dovecot
    triage_workers: int = 1
    ports: dict[str, int] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)

    @property
    def settings(self) -> RuntimeSettings:
        return RuntimeSettings(kafka_bootstrap=self.bootstrap, topic_prefix=self.prefix)

    @property
    def cdr_file(self) -> Path:
        return self.work / "Master.csv"

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def exited(self) -> list[str]:
        return [f"{p.name} ({p.popen.returncode})" for p in self.processes if p.popen.poll() is not None]


def _supervisor_token(url: str) -> str:
    migrate(url)
    db = Database(url)
    try:
        auth = Auth(db, session_ttl=timedelta(hours=1), cookie_secure=False, now=lambda: datetime.now(UTC))
        auth.create_user("bench", "Bench Supervisor", Role.SUPERVISOR, "quiet-harbour-lantern-2741")
        return auth.create_token("bench", "bench")
    finally:
        db.dispose()


@contextmanager
def system(work: Path, *, triage_workers: int = 1) -> Iterator[System]:
    """Everything up and ready; everything stopped on the way out."""
    with ExitStack() as stack:
        say("starting a private Kafka broker, PostgreSQL and Dovecot")
        broker = stack.enter_context(Broker(state_dir=work / "kafka", port=0))
        postgres = Postgres().start()
        stack.callback(postgres.remove)
        dovecot = Dovecot().start()
        stack.callback(dovecot.remove)
        receivers = stack.enter_context(Receivers(secrets={"unit": WEBHOOK_SECRET}))
        prefix = f"sys{uuid.uuid4().hex[:6]}."
        asyncio.run(
            provision(
                RuntimeSettings(kafka_bootstrap=broker.bootstrap, topic_prefix=prefix),
                create=True,
                topics=tuple(Topic),
            )
        )
        review_url, reporting_url = postgres.create_database("review"), postgres.create_database("reporting")
        built = System(
            work=work,
            bootstrap=broker.bootstrap,
            prefix=prefix,
            review_url=review_url,
            reporting_url=reporting_url,
            token=_supervisor_token(review_url),
            dovecot=dovecot,
            triage_workers=triage_workers,
        )
        built.cdr_file.write_text("")
        for name, module, args, env in _services(built, receivers):
            ops, log = free_port(), work / f"{name}.log"
            common = {
                "HOTLINE_KAFKA_BOOTSTRAP": broker.bootstrap,
                "HOTLINE_TOPIC_PREFIX": prefix,
                "HOTLINE_ENVIRONMENT": "test",
                "HOTLINE_LOG_LEVEL": "WARNING",
                "HOTLINE_REFERENCE_SECRET": "bench-reference-secret-0123456789abcdef",
                "HOTLINE_ENTITY_KEY_SECRET": "bench-entity-key-secret-0123456789",
                "HOTLINE_OPS_PORT": str(ops),
            }
            popen = stack.enter_context(
                child(name, [sys.executable, "-m", module, *args], {**common, **env}, log)
            )
            built.processes.append(Process(name, popen, ops))
        for process in built.processes:  # started together, then each waited for
            if process.name != "cdr-import":
                wait_http(
                    process.name,
                    f"http://127.0.0.1:{process.ops_port}/readyz",
                    process.popen,
                    work / f"{process.name}.log",
                    timeout=300,
                )
        say(f"{len(built.processes)} processes ready")
        yield built


def _services(s: System, receivers: Receivers) -> list[tuple[str, str, tuple[str, ...], dict[str, str]]]:
    work = s.work
    s.ports.update({name: free_port() for name in ("webform", "sms", "phone", "review", "reporting")})
    blobs = json.dumps([str(work / "webform-blobs"), str(work / "email-blobs"), str(work / "sms-blobs")])
    protocols = break_glass_protocol(work / "protocols", receivers.url_for("unit"))
    services: list[tuple[str, str, tuple[str, ...], dict[str, str]]] = [
        # One client sends everything: no per-client budget (as behind an onion service) and a
        # global budget no benchmark rate reaches.
        (
            "webform",
            "intake_webform",
            (),
            {
                "HOTLINE_HTTP_PORT": str(s.ports["webform"]),
                "HOTLINE_SPOOL_DIR": str(work / "webform-spool"),
                "HOTLINE_BLOB_DIR": str(work / "webform-blobs"),
                "HOTLINE_DEPLOYMENT": "onion",
                "HOTLINE_RATE_GLOBAL_PER_S": "100000",
                "HOTLINE_RATE_GLOBAL_BURST": "100000",
            },
        ),
        (
            "sms",
            "intake_sms",
            (),
            {
                "HOTLINE_HTTP_PORT": str(s.ports["sms"]),
                "HOTLINE_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
                "HOTLINE_TWILIO_PUBLIC_URL": s.url("sms"),
                "HOTLINE_STATE_DIR": str(work / "sms-state"),
                "HOTLINE_SPOOL_DIR": str(work / "sms-spool"),
                "HOTLINE_BLOB_DIR": str(work / "sms-blobs"),
                "HOTLINE_SMS_SENDER": "record",
                "HOTLINE_SMS_OUTBOX_FILE": str(work / "sms-outbox.jsonl"),
            },
        ),
        (
            "email",
            "intake_email",
            (),
            {
                "HOTLINE_IMAP_HOST": "127.0.0.1",
                "HOTLINE_IMAP_PORT": str(s.dovecot.port),
                "HOTLINE_IMAP_TLS": "false",
                "HOTLINE_IMAP_USERNAME": USER,
                "HOTLINE_IMAP_PASSWORD": PASSWORD,
                "HOTLINE_STATE_DIR": str(work / "email-state"),
                "HOTLINE_BLOB_DIR": str(work / "email-blobs"),
                "HOTLINE_POLL_INTERVAL_S": "1",
            },
        ),
        (
            "phone",
            "intake_phone",
            (),
            {
                "HOTLINE_HTTP_PORT": str(s.ports["phone"]),
                "HOTLINE_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
                "HOTLINE_TWILIO_PUBLIC_URL": s.url("phone"),
            },
        ),
        (
            "cdr-import",
            "intake_phone.cli",
            ("import-cdr", "--follow", str(s.cdr_file)),
            {"HOTLINE_STATE_DIR": str(work / "cdr-state")},
        ),
        (
            "review",
            "services.review",
            (),
            {
                "HOTLINE_HTTP_PORT": str(s.ports["review"]),
                "HOTLINE_REVIEW_DATABASE_URL": s.review_url,
                "HOTLINE_BLOB_DIRS": blobs,
                "HOTLINE_COOKIE_SECURE": "false",
            },
        ),
        (
            "reporting",
            "services.reporting",
            (),
            {
                "HOTLINE_HTTP_PORT": str(s.ports["reporting"]),
                "HOTLINE_REPORTING_DATABASE_URL": s.reporting_url,
                "HOTLINE_PROTOCOLS_DIR": str(protocols),
                "HOTLINE_PUBLIC_BASE_URL": s.url("reporting"),
                "HOTLINE_WEBHOOK_SECRETS": json.dumps({"unit": WEBHOOK_SECRET}),
                "HOTLINE_ACK_SECRET": "bench-ack-secret-0123456789abcdef",
            },
        ),
        ("ops", "services.ops", (), {}),
    ]
    workers = [
        (f"triage-{n}", "triage", (), {"HOTLINE_FAUST_DATADIR": str(work / f"faust-{n}")})
        for n in range(1, s.triage_workers + 1)
    ]
    return [*workers, *services]
