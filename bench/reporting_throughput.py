"""Reporting: reports resolved and delivered per second, and break-glass request to first delivery.

    python -m bench.reporting_throughput [--reports 2000] [--samples 60]

A private Kafka broker and PostgreSQL, the local recipients (``deploy.localreceivers``: aiosmtpd
and the signature-checking webhook receiver) and the reporting service as a real process
(``python -m services.reporting``). The protocol sends tip reports to a police desk by email and
emergency-shelter requests to a task force by signed webhook, half and half, one step each.

1. Throughput. ``--reports`` signals and report requests are published as fast as the producer
   takes them; timed from the first publish to the last delivery at the recipients. Baseline, same
   run, same recipients: the service's own senders (``SmtpSender``, ``WebhookSender``) driven
   directly from this process, 20 at a time as the courier sends, with the same documents: what
   the recipients take without Kafka, resolution or the ledger.
2. Latency. ``--samples`` break-glass requests (each after its signal), 250 ms apart, each timed
   from its publish to its arrival at the recipient. Baseline, same records: a plain aiokafka
   consumer of ``reports.requested`` in this process, timed from the same publish (the broker hop
   every request takes before the service can see it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.children import child, say, wait_http
from bench.percentiles import pcts
from contracts import Topic, physical_name
from contracts.events import (
    Channel,
    DeclaredFacts,
    Jurisdiction,
    ReportConditions,
    ReportNeed,
    ReportRequested,
    SignalReceived,
    TraffickingType,
    Urgency,
    WebformSource,
)
from contracts.ids import signal_id_for
from deploy.localreceivers import Receivers
from deploy.ports import free_port
from services.reporting.channels import SmtpSecurity, SmtpSender, WebhookSender
from services.reporting.redaction import Audience, Header, redact, render_text
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings

MS = 1000.0
SECRET = "bench-webhook-secret"
CONCURRENCY = 20  # the courier's batch


def protocol(directory: Path, webhook_url: str) -> Path:
    today = datetime.now(UTC).date().isoformat()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "US.yaml").write_text(f"""version: 1
region: {{country: US}}
contacts:
  - {{id: desk, name: Duty Desk, organisation: Example Police Department, kind: law_enforcement,
     channels: [{{type: email, address: desk@pd.example.gov}}], availability: always, last_verified: {today}}}
  - {{id: unit, name: Task Force, organisation: Example Task Force, kind: federal_agency,
     channels: [{{type: webhook, url: "{webhook_url}"}}], availability: always, last_verified: {today}}}
matrix:
  tip_reporting:
    - chain: [{{contact: desk, wait: 1h}}]
  shelter_emergency:
    - chain: [{{contact: unit, wait: 1h}}]
""")
    return directory


def pair(i: int, *, break_glass: bool = False) -> tuple[SignalReceived, ReportRequested]:
    submission = str(uuid.uuid4())
    now = datetime.now(UTC)
    signal = SignalReceived(
        signal_id=signal_id_for("webform", f"webform:{submission}"),
        reference_number="HT-ABCD-EFGH1",
        channel=Channel.WEBFORM,
        received_at=now,
        source=WebformSource(submission_id=submission),
        dedup_key=f"webform:{submission}",
        facts=DeclaredFacts(),
        narrative=f"Report {i}: the workers sleep in the packing shed and their passports are kept.",
    )
    request = ReportRequested(
        report_id=uuid.uuid4(),
        signal_id=signal.signal_id,
        reference_number=signal.reference_number,
        kind="break_glass" if break_glass else "approved",
        requested_by="triage" if break_glass else "review",
        reason="bench",
        need=ReportNeed.TIP_REPORTING if i % 2 else ReportNeed.SHELTER_EMERGENCY,
        requested_at=now,
        urgency=Urgency.P1_ACT_NOW if break_glass else Urgency.P2_SAME_DAY,
        conditions=ReportConditions(
            urgent=break_glass, business_hours=True, minor=False, trafficking_type=TraffickingType.LABOR
        ),
        jurisdiction=Jurisdiction(country="US"),
    )
    return signal, request


async def direct_sends(receivers: Receivers, n: int) -> float:
    """The baseline: the service's senders, 20 at a time, straight to the recipients; sends/s."""
    import httpx

    email = SmtpSender("127.0.0.1", receivers.smtp_port, "reports@hotline.example.org",
                       security=SmtpSecurity(starttls=False))
    before = len(receivers.recorder.snapshot())
    async with httpx.AsyncClient(timeout=20) as client:
        hooks = WebhookSender(client)
        semaphore = asyncio.Semaphore(CONCURRENCY)

        async def one(i: int) -> None:
            header = Header(
                reference_number="HT-ABCD-EFGH1",
                need="tip_reporting",
                urgency="p2_same_day",
                kind="approved",
                ack_url=f"http://127.0.0.1:1/ack/{uuid.uuid4().hex}",
            )
            document = redact(Audience.LAW_ENFORCEMENT, header, None)
            async with semaphore:
                if i % 2:
                    await email.send(
                        "desk@pd.example.gov", "Hotline report", render_text(document), f"baseline-{i}"
                    )
                else:
                    await hooks.send(receivers.url_for("unit"), SECRET.encode(), document, f"baseline-{i}")

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        elapsed = time.perf_counter() - started
    if len(receivers.recorder.snapshot()) - before != n:
        raise RuntimeError("the direct sends did not all arrive")
    return n / elapsed


async def wait_deliveries(receivers: Receivers, count: int, within: float) -> None:
    deadline = time.monotonic() + within
    while len(receivers.recorder.snapshot()) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(receivers.recorder.snapshot())} of {count} deliveries arrived")
        await asyncio.sleep(0.02)


async def throughput(settings: RuntimeSettings, receivers: Receivers, n: int) -> tuple[float, float]:
    before = len(receivers.recorder.snapshot())
    pairs = [pair(i) for i in range(n)]
    async with KafkaPublisher(
        settings, source="/hotline/bench", metrics=RuntimeMetrics("bench")
    ) as publisher:
        started = time.perf_counter()
        for start in range(0, n, 200):
            chunk = pairs[start : start + 200]
            await asyncio.gather(*(publisher.publish(Topic.SIGNALS_RECEIVED, s) for s, _ in chunk))
            await asyncio.gather(*(publisher.publish(Topic.REPORTS_REQUESTED, r) for _, r in chunk))
        published = time.perf_counter() - started
        await wait_deliveries(receivers, before + n, within=600)
        elapsed = time.perf_counter() - started
    return n / elapsed, published


async def latency(
    settings: RuntimeSettings, receivers: Receivers, samples: int
) -> tuple[list[float], list[float]]:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        physical_name(Topic.REPORTS_REQUESTED, settings.topic_prefix),
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=f"bench-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="latest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: dict[bytes, float] = {}

    async def watch() -> None:
        async for record in consumer:
            if record.key is not None:
                seen[record.key] = time.time()

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(3)  # the group join: the baseline consumer must be reading before the first sample
    delivered, hop = [], []
    try:
        async with KafkaPublisher(
            settings, source="/hotline/bench", metrics=RuntimeMetrics("bench")
        ) as publisher:
            for i in range(samples):
                signal, request = pair(i, break_glass=True)
                await publisher.publish(Topic.SIGNALS_RECEIVED, signal)
                before = len(receivers.recorder.snapshot())
                sent_at = time.time()
                await publisher.publish(Topic.REPORTS_REQUESTED, request)
                await wait_deliveries(receivers, before + 1, within=30)
                delivered.append(receivers.recorder.snapshot()[-1].received_at - sent_at)
                key = request.partition_key().encode()
                deadline = time.monotonic() + 10
                while key not in seen and time.monotonic() < deadline:  # noqa: ASYNC110 - a poll is the probe
                    await asyncio.sleep(0.001)
                hop.append(seen[key] - sent_at)
                await asyncio.sleep(0.25)
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        await consumer.stop()
    return delivered, hop


def run(reports: int, samples: int, work: Path) -> list[str]:
    from deploy.localkafka import Broker
    from deploy.localpostgres import Postgres
    from services.runtime.provision import provision

    postgres = Postgres()
    try:
        postgres.start()
        say(f"PostgreSQL at {postgres.url}; starting a private Kafka broker")
        with (
            Broker(state_dir=work / "kafka", port=0) as broker,
            Receivers(secrets={"unit": SECRET}) as receivers,
        ):
            prefix = f"bench{uuid.uuid4().hex[:6]}."
            settings = RuntimeSettings(kafka_bootstrap=broker.bootstrap, topic_prefix=prefix)
            asyncio.run(provision(settings, create=True, topics=tuple(Topic)))
            say(f"baseline: {reports} direct sends to the recipients")
            baseline = asyncio.run(direct_sends(receivers, reports))
            http_port = free_port()
            ops = free_port()
            env = {
                "HOTLINE_KAFKA_BOOTSTRAP": broker.bootstrap,
                "HOTLINE_TOPIC_PREFIX": prefix,
                # The local recipients speak plain SMTP, which only dev may use; the baseline's
                # direct sends are plain text too, so the ratio compares like with like.
                "HOTLINE_ENVIRONMENT": "dev",
                "HOTLINE_SMTP_STARTTLS": "false",
                "HOTLINE_LOG_LEVEL": "WARNING",
                "HOTLINE_OPS_PORT": str(ops),
                "HOTLINE_REPORTING_DATABASE_URL": postgres.url,
                "HOTLINE_PROTOCOLS_DIR": str(protocol(work / "protocols", receivers.url_for("unit"))),
                "HOTLINE_HTTP_PORT": str(http_port),
                "HOTLINE_PUBLIC_BASE_URL": f"http://127.0.0.1:{http_port}",
                "HOTLINE_SMTP_PORT": str(receivers.smtp_port),
                "HOTLINE_WEBHOOK_SECRETS": json.dumps({"unit": SECRET}),
                "HOTLINE_ACK_SECRET": "bench-ack-secret-0123456789abcdef",
            }
            log = work / "reporting.log"
            with child("reporting", [sys.executable, "-m", "services.reporting"], env, log) as process:
                wait_http("reporting", f"http://127.0.0.1:{ops}/readyz", process, log)
                say(f"throughput: {reports} report requests")
                rate, published = asyncio.run(throughput(settings, receivers, reports))
                say(f"latency: {samples} break-glass requests 250 ms apart")
                delivered, hop = asyncio.run(latency(settings, receivers, samples))
    finally:
        postgres.remove()
    (d50, d95, _), (h50, h95, _) = pcts(delivered), pcts(hop)
    return [
        "reporting: one step per report, half email (aiosmtpd), half signed webhook; PostgreSQL ledger; "
        "2-core machine, shared",
        f"1. throughput, {reports:,} report requests (published in {published:.1f}s)",
        f"  service (Kafka -> resolution -> ledger -> send):  {rate:8.1f} reports delivered/s",
        f"  baseline (the same senders, direct, {CONCURRENCY} at a time): {baseline:8.1f} sends/s",
        f"  ratio {rate / baseline:.2f}",
        f"2. break-glass request to the first contact's delivery, {samples} requests 250 ms apart, ms",
        f"  {'':44} {'p50':>7} {'p95':>7} {'max':>7}",
        row("publish -> delivery at the recipient", delivered),
        row("publish -> a plain consumer has it (baseline)", hop),
        f"  mean {statistics.fmean(delivered) * MS:.1f} ms; "
        f"p50 {d50 / h50:.1f}x and p95 {d95 / h95:.1f}x the broker hop",
    ]


def row(label: str, values: list[float]) -> str:
    p50, p95, _ = pcts(values)
    return f"  {label:44} {p50 * MS:7.1f} {p95 * MS:7.1f} {max(values) * MS:7.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reporting_throughput", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-reporting-") as work:
        print("\n".join(run(args.reports, args.samples, Path(work))), flush=True)
    print(f"\ntotal run time {time.perf_counter() - began:.0f}s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
