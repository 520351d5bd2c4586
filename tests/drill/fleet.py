"""Every service of the hotline as its own process, each on its own Kafka user, and what they stand on.

The secured cluster (``tests.cluster_support``), a private PostgreSQL (the case store and the
delivery ledger; the drill restarts it, so it is never a shared server), a private Dovecot (the
mailbox) and the reports' recipients (``deploy.localreceivers``). Processes are named
(``triage-1``, ``review-2``, ``cdr-import``, ...), each in a process group of its own; ``kill`` is
SIGKILL and ``start`` starts the same process again on the same state, as Kubernetes would.
Ctrl-C (SIGINT) or SIGTERM kills every process group the drill started, the brokers, PostgreSQL
and Dovecot included, before the test unwinds (``tests.drill.interrupt``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from contracts import Service
from deploy.localimap import PASSWORD, USER, Dovecot
from deploy.localpostgres import Postgres
from deploy.localreceivers import Receivers, break_glass_protocol
from services.review.auth import Role
from tests.cluster_support import SecuredCluster, secured_cluster
from tests.drill.interrupt import Interrupts
from tests.e2e.processes import REPO, ServiceProcess, free_port
from tests.e2e.review_support import provision_review

TWILIO_TOKEN = "drill-twilio-token"
WEBHOOK_SECRET = "drill-webhook-secret-0123456789"
REVIEW_USERS = (("sam", Role.SUPERVISOR), ("feed", Role.SERVICE))
# The ceiling of every wait for evidence (a process ready, a probe in review, partitions in sync):
# only a stuck system reaches it. A Python service took over two minutes to start on two cores
# shared with a load average of 40, so it is far above what a quiet machine needs.
PATIENCE_S = 600.0

_COMMON = {
    "HOTLINE_ENVIRONMENT": "test",
    "HOTLINE_LOG_LEVEL": "INFO",
    "HOTLINE_REFERENCE_SECRET": "drill-reference-secret-0123456789",
    "HOTLINE_ENTITY_KEY_SECRET": "drill-entity-key-secret-0123456789",
    "HOTLINE_HEARTBEAT_S": "5",
}


@dataclass
class Managed:
    """One process of the fleet: how to start it again, and its current incarnation."""

    name: str
    module: str
    env: dict[str, str]
    log: Path
    args: tuple[str, ...] = ()  # a command-line tool instead of a service (no ops port)
    process: ServiceProcess | subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def is_service(self) -> bool:
        return not self.args

    def start(self, ready_timeout: float = PATIENCE_S) -> None:
        self.starts += 1
        if self.is_service:
            # Kept before it is ready: one that never becomes ready is still stopped at the end.
            self.process = ServiceProcess(self.module, self.env, self.log, new_session=True)
            self.process.start(ready_timeout=ready_timeout)
            return
        clean = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", self.module, *self.args],  # noqa: S603 - fixed argv
                                            cwd=REPO, env={**clean, **self.env}, stdout=subprocess.DEVNULL,
                                            stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)

    def _popen(self) -> subprocess.Popen[bytes] | None:
        return self.process.process if isinstance(self.process, ServiceProcess) else self.process

    def kill(self) -> None:
        """SIGKILL its whole process group, and reap it."""
        process = self._popen()
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def running(self) -> bool:
        process = self._popen()
        return process is not None and process.poll() is None

    def exit_code(self) -> int | None:
        process = self._popen()
        return process.poll() if process is not None else None

    def stop(self) -> None:
        self.kill()

    def ops_url(self) -> str | None:
        if isinstance(self.process, ServiceProcess):
            return f"http://127.0.0.1:{self.process.ops_port}"
        return None


@dataclass
class Fleet:
    work: Path
    kafka: SecuredCluster
    postgres: Postgres
    dovecot: Dovecot
    receivers: Receivers
    review_url: str
    reporting_url: str
    tokens: dict[str, str]
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, Managed] = field(default_factory=dict)

    @property
    def spool_dir(self) -> Path:
        return self.work / "webform-spool"

    @property
    def sms_spool_dir(self) -> Path:
        return self.work / "sms-spool"

    @property
    def cdr_file(self) -> Path:
        return self.work / "Master.csv"

    @property
    def cdr_state(self) -> Path:
        return self.work / "phone-state"

    def spooled(self) -> int:
        """Signals waiting in the web and SMS intakes' spools (``.rec`` files, ``services.runtime.spool``)."""
        spools = (self.spool_dir, self.sms_spool_dir)
        return sum(sum(1 for _ in d.glob("*.rec")) for d in spools if d.exists())

    def add(self, name: str, module: str, service: Service, *args: str, **env: str) -> Managed:
        full = {**_COMMON, **self.kafka.service_env(service), **env}
        managed = Managed(name, module, full, self.work / f"{name}.log", args)
        self.processes[name] = managed
        return managed

    def review_base(self, replica: int) -> str:
        return f"http://127.0.0.1:{self.ports[f'review-{replica}']}"

    def define(self) -> None:
        """Every process of the system, with its settings (started by ``start_all``)."""
        work = self.work
        self.ports.update({name: free_port() for name in (
            "webform", "sms", "phone", "review-1", "review-2", "reporting-1", "reporting-2")})
        blobs = json.dumps([str(work / "webform-blobs"), str(work / "email-blobs"), str(work / "sms-blobs")])
        self.add("webform", "intake_webform", Service.INTAKE_WEBFORM,
                 HOTLINE_HTTP_PORT=str(self.ports["webform"]), HOTLINE_SPOOL_DIR=str(self.spool_dir),
                 HOTLINE_BLOB_DIR=str(work / "webform-blobs"),
                 # One test client sends everything: no per-client budget (as behind an onion
                 # service), and a global budget above the drill's rate, so no tip is paced.
                 HOTLINE_DEPLOYMENT="onion", HOTLINE_RATE_GLOBAL_PER_S="100",
                 HOTLINE_RATE_GLOBAL_BURST="1000")
        sms_public = f"http://127.0.0.1:{self.ports['sms']}"
        self.add("sms", "intake_sms", Service.INTAKE_SMS, HOTLINE_HTTP_PORT=str(self.ports["sms"]),
                 HOTLINE_TWILIO_AUTH_TOKEN=TWILIO_TOKEN, HOTLINE_TWILIO_PUBLIC_URL=sms_public,
                 HOTLINE_STATE_DIR=str(work / "sms-state"), HOTLINE_SPOOL_DIR=str(self.sms_spool_dir),
                 HOTLINE_BLOB_DIR=str(work / "sms-blobs"), HOTLINE_SMS_SENDER="record",
                 HOTLINE_SMS_OUTBOX_FILE=str(work / "sms-outbox.jsonl"))
        self.add("email", "intake_email", Service.INTAKE_EMAIL,
                 HOTLINE_IMAP_HOST="127.0.0.1", HOTLINE_IMAP_PORT=str(self.dovecot.port),
                 HOTLINE_IMAP_TLS="false",
                 HOTLINE_IMAP_USERNAME=USER, HOTLINE_IMAP_PASSWORD=PASSWORD,
                 HOTLINE_STATE_DIR=str(work / "email-state"), HOTLINE_BLOB_DIR=str(work / "email-blobs"),
                 HOTLINE_POLL_INTERVAL_S="1", HOTLINE_IDLE_TIMEOUT_S="30", HOTLINE_RECONNECT_MAX_S="2")
        public = f"http://127.0.0.1:{self.ports['phone']}"
        self.add("phone", "intake_phone", Service.INTAKE_PHONE, HOTLINE_HTTP_PORT=str(self.ports["phone"]),
                 HOTLINE_TWILIO_AUTH_TOKEN=TWILIO_TOKEN, HOTLINE_TWILIO_PUBLIC_URL=public)
        self.add("cdr-import", "intake_phone.cli", Service.INTAKE_PHONE, "import-cdr", "--follow",
                 str(self.cdr_file), HOTLINE_STATE_DIR=str(self.cdr_state))
        for n in (1, 2):
            self.add(f"triage-{n}", "triage", Service.TRIAGE, HOTLINE_FAUST_DATADIR=str(work / f"faust-{n}"))
        for n in (1, 2):
            self.add(f"review-{n}", "services.review", Service.REVIEW,
                     HOTLINE_HTTP_PORT=str(self.ports[f"review-{n}"]),
                     HOTLINE_REVIEW_DATABASE_URL=self.review_url, HOTLINE_BLOB_DIRS=blobs,
                     HOTLINE_COOKIE_SECURE="false", HOTLINE_SLA_CHECK_S="1",
                     # An urgent case nobody claims escalates 20 s after its alert, once (the
                     # repeat comes after the drill).
                     HOTLINE_URGENT_ACK_MINUTES="0.34", HOTLINE_ESCALATION_REPEAT_MINUTES="120")
        protocols = break_glass_protocol(work / "protocols", self.receivers.url_for("unit"))
        for n in (1, 2):
            port = self.ports[f"reporting-{n}"]
            self.add(f"reporting-{n}", "services.reporting", Service.REPORTING,
                     HOTLINE_HTTP_PORT=str(port), HOTLINE_REPORTING_DATABASE_URL=self.reporting_url,
                     HOTLINE_PROTOCOLS_DIR=str(protocols), HOTLINE_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
                     HOTLINE_WEBHOOK_SECRETS=json.dumps({"unit": WEBHOOK_SECRET}),
                     HOTLINE_ACK_SECRET="drill-ack-secret-0123456789abcdef", HOTLINE_TICK_S="0.5",
                     HOTLINE_SEND_LEASE_S="10", HOTLINE_RETRY_AFTER_S="2", HOTLINE_FACTS_GRACE_S="3")
        self.add("ops", "services.ops", Service.OPS, HOTLINE_OPS_POLL_S="5")

    def start_all(self) -> None:
        """Every process at once (reporting's and review's replicas on empty databases: their
        migrations take turns), then wait until each answers ready."""
        self.cdr_file.write_text("")
        starting: list[ServiceProcess] = []
        for managed in self.processes.values():
            if managed.is_service:
                managed.starts += 1
                managed.process = ServiceProcess(managed.module, managed.env, managed.log, new_session=True)
                starting.append(managed.process)
        _start_together(starting)
        for managed in self.processes.values():
            if not managed.is_service:
                managed.start()

    def stop_all(self) -> None:
        for managed in self.processes.values():
            managed.stop()

    def kill_all(self) -> None:
        for managed in self.processes.values():
            try:
                managed.kill()
            except Exception as error:
                print(f"drill: could not kill {managed.name}: {error}", file=sys.stderr, flush=True)


def _start_together(processes: list[ServiceProcess], timeout: float = PATIENCE_S) -> None:
    """Start processes at once and wait for each to be ready (ServiceProcess.start, split in two)."""
    import httpx

    for process in processes:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
        env.update(process.env, HOTLINE_OPS_PORT=str(process.ops_port))
        with process.log_path.open("ab") as log:
            process.process = subprocess.Popen([sys.executable, "-m", process.module], cwd=REPO,  # noqa: S603 - fixed argv
                                               env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                               start_new_session=process.new_session)
    deadline = time.monotonic() + timeout
    for process in processes:
        while True:
            assert process.process is not None
            if process.process.poll() is not None:
                raise AssertionError(f"{process.module} exited with {process.process.returncode}: "
                                     f"{process.tail()}")
            try:
                if httpx.get(f"http://127.0.0.1:{process.ops_port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{process.module} not ready after {timeout}s: {process.tail()}")
            time.sleep(0.1)


@asynccontextmanager
async def fleet(work: Path) -> AsyncIterator[Fleet]:
    """Everything up (cluster, PostgreSQL, Dovecot, recipients, every process); torn down after.
    Bringing it up blocks for a minute or more, so it runs in a thread, off the test's event loop."""
    interrupts = Interrupts()
    with interrupts.installed(), ExitStack() as stack:
        yield await asyncio.to_thread(_bring_up, work, stack, interrupts)


def _bring_up(work: Path, stack: ExitStack, interrupts: Interrupts) -> Fleet:
    kafka = stack.enter_context(_generator_context(secured_cluster(work / "kafka")))
    interrupts.on_interrupt("the Kafka cluster", kafka.cluster.kill)
    # Their default directories: the servers' own system users (when run as root) can reach them.
    postgres = Postgres()
    interrupts.on_interrupt("PostgreSQL", lambda: postgres.stop(timeout=10))
    postgres.start()
    stack.callback(postgres.remove)
    dovecot = Dovecot()
    interrupts.on_interrupt("Dovecot", dovecot.stop)
    dovecot.start()
    stack.callback(dovecot.remove)
    receivers = stack.enter_context(Receivers(secrets={"unit": WEBHOOK_SECRET}))
    review_url = postgres.create_database("review")
    reporting_url = postgres.create_database("reporting")
    tokens = provision_review(review_url, *REVIEW_USERS)
    system = Fleet(work=work, kafka=kafka, postgres=postgres, dovecot=dovecot, receivers=receivers,
                   review_url=review_url, reporting_url=reporting_url, tokens=tokens)
    stack.callback(system.stop_all)
    interrupts.on_interrupt("the services", system.kill_all)
    system.define()
    system.start_all()
    return system


@contextmanager
def _generator_context(generator: Iterator[SecuredCluster]) -> Iterator[SecuredCluster]:
    try:
        yield next(generator)
    finally:
        generator.close()
