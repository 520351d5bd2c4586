"""The triage process on a real broker: throughput against raw aiokafka, urgent latency, first after idle.

    python -m bench.triage_pipeline [--bootstrap HOST:PORT] [-n 10000] [--rate 100] [--seconds 20] [--idle 60]

1. Throughput: ``n`` signals are loaded into ``signals.received``; the triage process
   (``python -m triage``, a real subprocess) then drains them into ``signals.triaged``. The
   baseline, measured in the same run on the same records, is a raw aiokafka passthrough: one
   consumer and one idempotent producer copying the records to another topic with 1,000 in flight.
   Both rates count from the first output record to the last.
2. Urgent latency: urgent signals published at a steady ``rate`` per second for ``seconds``;
   latency from just before the publish (an intake's send, including its ack) to the
   ``UrgentAlert`` read by a consumer of ``alerts.urgent``.
3. After ``idle`` seconds with no traffic, one urgent signal: its latency.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.kafka_baseline import measure
from contracts import CODEC, KafkaRecord, Topic, physical_name, signal_id_for
from contracts.events import Answer, Channel, DeclaredFacts, SignalReceived, WebformSource
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from services.runtime.provision import provision

REPO = Path(__file__).resolve().parents[1]
NARRATIVES = (
    "The nail salon on Oak Street has four women working 12 hours a day; the owner keeps their passports.",
    "A 15 year old girl is locked in a room at the Sunset Motel and he is moving her tonight.",
    "En el restaurante los cocineros trabajan todos los días y el dueño les guarda los documentos.",
    "We would like a training for our hospital staff on the indicators of labor trafficking.",
)
URGENT = "A 15 year old girl is locked in a room at the Sunset Motel right now, please help."


def signal(narrative: str, *, danger: bool = False) -> SignalReceived:
    submission = str(uuid.uuid4())
    return SignalReceived(
        signal_id=signal_id_for("webform", f"webform:{submission}"), reference_number="HT-BNCH-0001",
        channel=Channel.WEBFORM, received_at=datetime.now(UTC),
        source=WebformSource(submission_id=submission),
        dedup_key=f"webform:{submission}", narrative=narrative,
        facts=DeclaredFacts(danger_now=Answer.YES if danger else Answer.NOT_ASKED))


def start_triage(settings: RuntimeSettings, log: Path) -> subprocess.Popen[bytes]:
    # HOTLINE_BATCH_* and HOTLINE_COMMIT_* pass through, to compare the agent's settings.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HOTLINE_") or k.startswith(("HOTLINE_BATCH", "HOTLINE_COMMIT"))}
    env.update(HOTLINE_KAFKA_BOOTSTRAP=settings.kafka_bootstrap,
               HOTLINE_TOPIC_PREFIX=settings.topic_prefix,
               HOTLINE_ENVIRONMENT="test", HOTLINE_ENTITY_KEY_SECRET="bench-entity-key-secret-0123456789",
               HOTLINE_FAUST_DATADIR=str(log.parent / "faust"), HOTLINE_LOG_LEVEL="WARNING")
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "triage"], cwd=REPO, env=env, stdout=out, stderr=out)


async def _consumer(settings: RuntimeSettings, topic: Topic, *, from_end: bool) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(physical_name(topic, settings.topic_prefix),
                                bootstrap_servers=settings.kafka_bootstrap, group_id=None,
                                auto_offset_reset="latest" if from_end else "earliest",
                                enable_auto_commit=False, fetch_max_wait_ms=5)
    await consumer.start()
    while not consumer.assignment():  # noqa: ASYNC110 - aiokafka offers no event for this
        await asyncio.sleep(0.05)
    if from_end:
        await consumer.seek_to_end()
        for tp in consumer.assignment():
            await consumer.position(tp)
    return consumer


async def drain(consumer: AIOKafkaConsumer, count: int, limit_s: float) -> tuple[float, float]:
    """Read ``count`` records; (time of the first, time of the last)."""
    seen, first, deadline = 0, 0.0, time.perf_counter() + limit_s
    while seen < count:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"read {seen} of {count} records")
        batches = await consumer.getmany(timeout_ms=200, max_records=5000)
        got = sum(len(r) for r in batches.values())
        if got and not first:
            first = time.perf_counter()
        seen += got
    return first, time.perf_counter()


async def raw_passthrough(settings: RuntimeSettings, n: int) -> float:
    """Copy ``n`` records from signals.received to signals.received.dlq with raw aiokafka: records/s."""
    source = physical_name(Topic.SIGNALS_RECEIVED, settings.topic_prefix)
    target = physical_name(Topic.SIGNALS_RECEIVED_DLQ, settings.topic_prefix)
    consumer = AIOKafkaConsumer(source, bootstrap_servers=settings.kafka_bootstrap,
                                group_id=f"bench-raw-{uuid.uuid4().hex[:6]}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True,
                                acks="all", linger_ms=5)
    reader = await _consumer(settings, Topic.SIGNALS_RECEIVED_DLQ, from_end=True)
    await consumer.start()
    await producer.start()
    copied = 0
    try:
        measuring = asyncio.create_task(drain(reader, n, 300))
        while copied < n:
            batches = await consumer.getmany(timeout_ms=500, max_records=1000)
            futures = [await producer.send(target, r.value, key=r.key, headers=list(r.headers))
                       for records in batches.values() for r in records]
            await asyncio.gather(*futures)
            await consumer.commit()
            copied += len(futures)
        first, last = await measuring
    finally:
        await producer.stop()
        await consumer.stop()
        await reader.stop()
    return n / (last - first)


async def load(settings: RuntimeSettings, signals: list[SignalReceived]) -> None:
    async with KafkaPublisher(settings, source="/hotline/bench", metrics=RuntimeMetrics("bench")) as pub:
        records = [CODEC.encode(s, source="/hotline/intake-webform") for s in signals]
        for i in range(0, len(records), 1000):
            chunk = records[i:i + 1000]
            await asyncio.gather(*(pub.publish_record(Topic.SIGNALS_RECEIVED, r) for r in chunk))


async def steady_latency(settings: RuntimeSettings, rate: float, seconds: float) -> list[float]:
    reader = await _consumer(settings, Topic.ALERTS_URGENT, from_end=True)
    sent: dict[bytes, float] = {}
    latencies: list[float] = []

    async def read() -> None:
        while True:
            batches = await reader.getmany(timeout_ms=100)
            arrived = time.perf_counter()
            for records in batches.values():
                for r in records:
                    if r.key in sent:
                        latencies.append(arrived - sent[r.key])

    task = asyncio.create_task(read())
    count = int(rate * seconds)
    async with KafkaPublisher(settings, source="/hotline/intake-webform",
                              metrics=RuntimeMetrics("bench")) as pub:
        started = time.perf_counter()
        pending = []
        for i in range(count):
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            event = signal(URGENT, danger=True)
            record: KafkaRecord = CODEC.encode(event, source="/hotline/intake-webform")
            sent[record.key or b""] = time.perf_counter()
            pending.append(asyncio.create_task(pub.publish_record(Topic.SIGNALS_RECEIVED, record)))
        await asyncio.gather(*pending)
    deadline = time.perf_counter() + 30
    while len(latencies) < count and time.perf_counter() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    task.cancel()
    await reader.stop()
    return latencies


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


async def run(bootstrap: str, n: int, rate: float, seconds: float, idle: float, workdir: Path) -> str:
    baseline = await measure(bootstrap, n)
    lines = [f"triage pipeline on one local broker (2-core machine, shared); {n} signals"]

    raw_settings = RuntimeSettings(kafka_bootstrap=bootstrap, topic_prefix=f"bench{uuid.uuid4().hex[:6]}.")
    await provision(raw_settings, create=True, topics=tuple(Topic))
    signals = [signal(NARRATIVES[i % len(NARRATIVES)], danger=i % 4 == 1) for i in range(n)]
    await load(raw_settings, signals)
    raw = await raw_passthrough(raw_settings, n)

    settings = RuntimeSettings(kafka_bootstrap=bootstrap, topic_prefix=f"bench{uuid.uuid4().hex[:6]}.")
    await provision(settings, create=True, topics=tuple(Topic))
    await load(settings, signals)
    reader = await _consumer(settings, Topic.SIGNALS_TRIAGED, from_end=False)
    triage = start_triage(settings, workdir / "triage-throughput.log")
    try:
        first, last = await drain(reader, n, 600)
    finally:
        triage.terminate()
        triage.wait(30)
        await reader.stop()
    pipeline = n / (last - first)
    lines += [
        # measure()'s consume figure is left out: when its first fetch already returns every
        # record it divides by almost nothing.
        f"  raw aiokafka produce (measure())    {baseline['produce_msgs_per_s']:>9,.0f} msg/s",
        f"  raw aiokafka passthrough            {raw:>9,.0f} msg/s  1.00",
        f"  triage received -> triaged          {pipeline:>9,.0f} msg/s  {pipeline / raw:.2f}"
        "  (a quarter of them also -> alerts.urgent and reports.requested)",
    ]

    settings = RuntimeSettings(kafka_bootstrap=bootstrap, topic_prefix=f"bench{uuid.uuid4().hex[:6]}.")
    await provision(settings, create=True, topics=tuple(Topic))
    triage = start_triage(settings, workdir / "triage-latency.log")
    try:
        await asyncio.sleep(8)  # the process starts and joins its group
        await steady_latency(settings, rate, 2)  # warm-up, not counted
        latencies = await steady_latency(settings, rate, seconds)
        lines.append(f"  urgent latency at {rate:.0f}/s for {seconds:.0f}s: {len(latencies)} alerts, "
                     f"p50 {_pct(latencies, 0.5):.1f} ms, p99 {_pct(latencies, 0.99):.1f} ms, "
                     f"max {max(latencies) * 1000:.1f} ms, mean {statistics.mean(latencies) * 1000:.1f} ms")
        await asyncio.sleep(idle)
        [after_idle] = await steady_latency(settings, 1, 1)
        lines.append(f"  first urgent signal after {idle:.0f}s idle: {after_idle * 1000:.1f} ms")
    finally:
        triage.terminate()
        triage.wait(30)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.triage_pipeline", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap")
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--idle", type=float, default=60.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-triage-") as work:
        if args.bootstrap:
            print(asyncio.run(run(args.bootstrap, args.n, args.rate, args.seconds, args.idle, Path(work))))
            return 0
        from deploy.localkafka import Broker

        with Broker(state_dir=Path(work) / "kafka", port=0) as broker:
            print(asyncio.run(run(broker.bootstrap, args.n, args.rate, args.seconds, args.idle, Path(work))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
