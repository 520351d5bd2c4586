"""Reporting through kill -9: 1,000 report requests, the service killed at random moments.

The recipients are real servers on loopback (``deploy.localreceivers``: aiosmtpd and a webhook
receiver that checks signatures), the ledger is PostgreSQL, the requests come over the broker.
Recipients acknowledge as people would: the webhook unit always, the police desk one email in
three, the shelter never (its chains end exhausted). An acknowledgement that meets a dead service
is tried again, as somebody would click again.

At the end every report has a final state (each chain completed or exhausted), every step the
ledger counts as sent reached its recipient, and no recipient was sent a step the ledger did not
take. A step can reach its recipient twice only when the process died between the recipient's
"accepted" and the ledger's commit of it (SMTP has no way to close that window: RFC 1047); the
copy carries the same Message-ID or Idempotency-Key and the same acknowledgement link, so a
recipient that honours them (as the webhook contract requires) sees the step once. The test
counts those copies and holds them to the steps whose send was interrupted.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from contracts import CODEC, Topic
from contracts.events import ReportNeed, ReportOutcome
from deploy.localreceivers import Delivery, Receivers
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from services.runtime.topic_reader import read_whole_topic
from tests.builders import received
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess, free_port
from tests.reporting_support import contact, email, report_request, webhook

pytestmark = pytest.mark.e2e

REPORTS = 1_000
KILLS = 12
SECRET = "crash-test-webhook-secret"


def write_protocol(directory: Path, webhook_url: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "US.yaml").write_text(
        "version: 1\nregion: {country: US}\ncontacts:\n"
        + contact("desk", "law_enforcement", email("desk@pd.example.gov"))
        + contact("unit", "federal_agency", webhook(webhook_url))
        + contact("shelter", "service_provider", email("intake@shelter.example.org"))
        + """matrix:
  tip_reporting:
    - chain: [{contact: desk, wait: 2s}, {contact: unit, wait: 10m}]
  shelter_emergency:
    - chain: [{contact: shelter, wait: 2s}]
""")
    return directory


class Acknowledger:
    """Clicks acknowledgement links from a thread, again and again while the service is down."""

    def __init__(self) -> None:
        self._links: list[str] = []
        self._lock = threading.Condition()
        self._stop = False
        self.done = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __call__(self, delivery: Delivery) -> None:
        if delivery.ack_url is None:
            return
        wanted = delivery.recipient == "unit" or (
            delivery.recipient.startswith("desk@") and zlib.crc32(_step_key(delivery).encode()) % 3 == 0)
        if wanted:
            with self._lock:
                self._links.append(delivery.ack_url)
                self._lock.notify()

    def __enter__(self) -> Acknowledger:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._stop = True
            self._lock.notify()
        self._thread.join(10)

    def _run(self) -> None:
        with httpx.Client(timeout=5) as client:
            while True:
                with self._lock:
                    while not self._links and not self._stop:
                        self._lock.wait()
                    if self._stop:
                        return
                    link = self._links.pop(0)
                try:
                    status = client.post(link).status_code
                except httpx.HTTPError:
                    status = 0
                if status == 200:
                    self.done += 1
                else:
                    assert status in (0, 502, 503), f"acknowledgement answered {status}"
                    time.sleep(0.2)
                    with self._lock:
                        self._links.append(link)


@pytest.fixture
def receivers() -> Iterator[Receivers]:
    with Receivers(secrets={"unit": SECRET}) as running:
        yield running


@pytest.mark.timeout(420)
async def test_a_thousand_reports_through_kill_9_each_end_final_and_no_step_is_lost_or_repeated(
    topics: RuntimeSettings, service_env: dict[str, str], tmp_path: Path, postgres_url: str,
    receivers: Receivers,
) -> None:
    rng = random.Random(11)  # noqa: S311 - seeded kill points
    protocols = write_protocol(tmp_path / "protocols", receivers.url_for("unit"))
    http_port = free_port()
    env = {**service_env, "HOTLINE_REPORTING_DATABASE_URL": postgres_url,
           "HOTLINE_PROTOCOLS_DIR": str(protocols), "HOTLINE_HTTP_PORT": str(http_port),
           "HOTLINE_PUBLIC_BASE_URL": f"http://127.0.0.1:{http_port}",
           "HOTLINE_SMTP_PORT": str(receivers.smtp_port),
           # The recipients speak plain SMTP, which only dev may use (the fallback test uses TLS).
           "HOTLINE_ENVIRONMENT": "dev", "HOTLINE_SMTP_STARTTLS": "false",
           "HOTLINE_WEBHOOK_SECRETS": json.dumps({"unit": SECRET}), "HOTLINE_TICK_S": "0.2",
           "HOTLINE_SEND_LEASE_S": "3", "HOTLINE_RETRY_AFTER_S": "1", "HOTLINE_FACTS_GRACE_S": "2",
           "HOTLINE_ACK_SECRET": "crash-test-ack-secret-0123456789",
           # A killed process's partitions come back to its restart after this: the broker's minimum.
           "HOTLINE_KAFKA_SESSION_TIMEOUT_MS": "6000"}
    engine = create_engine(postgres_url)

    def count(sql: str) -> int:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())

    needs = [ReportNeed.SHELTER_EMERGENCY if i % 5 == 0 else ReportNeed.TIP_REPORTING
             for i in range(REPORTS)]
    requests = []
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("t")) as publisher:

        async def publish_wave(wave: int) -> None:
            for i in range(REPORTS * wave // KILLS, REPORTS * (wave + 1) // KILLS):
                signal = received(narrative=f"Report {i}: workers cannot leave the farm.")
                request = report_request(signal.signal_id, signal.reference_number).model_copy(
                    update={"need": needs[i]})
                requests.append(request)
                await publisher.publish(Topic.SIGNALS_RECEIVED, signal)
                await publisher.publish(Topic.REPORTS_REQUESTED, request)

        sent_steps = "SELECT count(*) FROM steps WHERE sent_at IS NOT NULL"
        with Acknowledger() as acknowledger:
            receivers.recorder.on_delivery = acknowledger
            kills = 0
            # The test sets its own pace: every cycle brings a wave of new requests, and the kill
            # comes a random moment after the process has demonstrably sent something new, not
            # after a guessed lifetime. Every chain waits at least 2 s at its first step, so work
            # is still open at each kill on any machine.
            for cycle in range(KILLS):
                await publish_wave(cycle)
                before = count(sent_steps) if cycle else 0
                process = ServiceProcess("services.reporting", env,
                                         tmp_path / f"reporting-{cycle}.log").start()
                await wait_for(lambda: count(sent_steps) > before,  # noqa: B023 (awaited here)
                               timeout=90, interval=0.02, what=f"a new step sent in cycle {cycle}")
                await asyncio.sleep(rng.uniform(0, 1.5))
                process.kill()
                kills += 1
                assert count("SELECT count(*) FROM lookups WHERE state = 'open'") \
                    + count("SELECT count(*) FROM reports WHERE state = 'awaiting_facts'") \
                    + (REPORTS - count("SELECT count(*) FROM reports")) > 0, \
                    f"all work was done at kill {kills}: the kill tested nothing"
            final = ServiceProcess("services.reporting", env, tmp_path / "reporting-final.log").start()
            try:
                deadline = time.monotonic() + 240
                while (count("SELECT count(*) FROM reports WHERE state = 'active'") < REPORTS
                       or count("SELECT count(*) FROM lookups WHERE state = 'open'") > 0
                       or count("SELECT count(*) FROM outbox WHERE published_at IS NULL") > 0):
                    assert time.monotonic() < deadline, "reports not final 240 s after the last restart"
                    await asyncio.sleep(0.5)
            finally:
                final.terminate()
    assert kills == KILLS

    with engine.connect() as connection:
        steps = connection.execute(text(
            "SELECT report_id, lookup_index, step_index, state, attempts, sent_at FROM steps")).all()
        lookups = Counter(row[0] for row in connection.execute(text("SELECT state FROM lookups")))
        outbox_outcomes = int(connection.execute(text(
            "SELECT count(*) FROM outbox WHERE topic = 'reports.outcomes'")).scalar_one())
    engine.dispose()
    key = {f"report-{r}-{lk}-{st}": (state, attempts, sent_at)
           for r, lk, st, state, attempts, sent_at in steps}
    deliveries = receivers.recorder.snapshot()
    arrivals = Counter(_step_key(d) for d in deliveries)

    # Every report is final, and the three endings the recipients chose all happened.
    assert sum(lookups.values()) == REPORTS and set(lookups) == {"completed", "exhausted"}, lookups
    assert lookups["exhausted"] == needs.count(ReportNeed.SHELTER_EMERGENCY), lookups
    # Never zero: every step the ledger sent reached its recipient.
    sent = {k for k, (_, _, sent_at) in key.items() if sent_at is not None}
    assert sent <= set(arrivals), f"{len(sent - set(arrivals))} steps sent but never received"
    # Nothing the ledger did not take: no second contact after an acknowledged first.
    assert set(arrivals) <= {k for k, (_, attempts, _) in key.items() if attempts > 0}
    for k, (state, _, _) in key.items():
        if state == "pending":
            assert k not in arrivals, f"{k} was delivered although its chain had ended"
    # A copy only where a send was interrupted, and the copy is the same delivery.
    repeated = {k: n for k, n in arrivals.items() if n > 1}
    for k in repeated:
        assert key[k][1] > 1, f"{k} arrived {arrivals[k]} times from a single send"
        copies = {(d.key, d.ack_url) for d in deliveries if _step_key(d) == k}
        assert len(copies) == 1, f"the copies of {k} differ: {copies}"
    assert receivers.recorder.rejected == 0  # every webhook's signature held
    # Outcomes: every chain's end is on reports.outcomes, once per chain after deduplication.
    # The service has stopped with its outbox published: the topic is final. Read all of it (a
    # relay killed between publish and mark publishes again, so the topic may hold more records
    # than the outbox has rows, and stopping at that count could miss distinct ones).
    records = await read_whole_topic(topics, Topic.REPORTS_OUTCOMES)
    assert len(records) >= outbox_outcomes
    outcomes = [CODEC.decode(r.value or b"", r.headers).event for r in records]
    ends = {(e.report_id, e.victim) for e in outcomes
            if isinstance(e, ReportOutcome) and e.kind.value in ("completed", "exhausted")}
    assert ends == {(r.report_id, 0) for r in requests}
    figures = {"kills": kills, "reports": REPORTS, "steps_received": len(arrivals),
               "copies_after_interrupted_sends": sum(n - 1 for n in repeated.values()),
               "acknowledged_by_link": acknowledger.done, "completed": lookups["completed"],
               "exhausted": lookups["exhausted"]}
    (tmp_path / "crash-figures.json").write_text(json.dumps(figures))
    print(figures)


def _step_key(delivery: Delivery) -> str:
    return delivery.key.partition("@")[0]
