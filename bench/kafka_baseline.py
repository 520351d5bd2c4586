"""Baseline: raw aiokafka produce and consume throughput on the local broker, ~1 KB JSON messages.

Later benchmarks import ``measure`` and report their own figures as ratios against these,
measured in the same run, because these machines are noisy:

    python -m bench.kafka_baseline [--bootstrap HOST:PORT] [-n 50000] [--json]

Without ``--bootstrap`` a private broker is started (and stopped) for the run.
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
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

PARTITIONS = 3
PIPELINE = 1000  # sends in flight at once, as a pipelined producer (an intake under load) has


def make_payloads(n: int, size: int = 1024) -> list[bytes]:
    """Event-like JSON of about ``size`` bytes each, made once so that encoding is not measured."""
    payloads = []
    for i in range(n):
        body = {
            "signal_id": str(uuid.uuid4()), "reference_number": f"HT-{i:04d}-BENCH", "channel": "webform",
            "received_at": "2026-03-16T14:30:00+00:00", "dedup_key": f"webform:{uuid.uuid4()}",
            "facts": {"victims": [{"count": 1, "age": 16, "gender": "female"}], "danger_now": "yes"},
            "narrative": "",
        }
        raw = json.dumps(body)
        body["narrative"] = "x" * max(0, size - len(raw))
        payloads.append(json.dumps(body).encode())
    return payloads


async def _create_topic(bootstrap: str, name: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, PARTITIONS, 1)])
    finally:
        await admin.close()


async def _produce(bootstrap: str, topic: str, payloads: list[bytes]) -> float:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all",
                                linger_ms=5)
    await producer.start()
    try:
        started = time.perf_counter()
        for i in range(0, len(payloads), PIPELINE):
            futures = [await producer.send(topic, p, key=str(j).encode())
                       for j, p in enumerate(payloads[i:i + PIPELINE], start=i)]
            await asyncio.gather(*futures)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def _consume(bootstrap: str, topic: str, count: int) -> float:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"bench-{uuid.uuid4().hex[:6]}",
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                max_partition_fetch_bytes=4 * 1024 * 1024)
    await consumer.start()
    try:
        # Wait for the first records so that the group join is not counted as reading time.
        seen = sum(len(r) for r in (await consumer.getmany(timeout_ms=10_000)).values())
        started = time.perf_counter()
        while seen < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            if not batches:
                raise RuntimeError(f"consumed {seen} of {count} records")
            seen += sum(len(records) for records in batches.values())
        return time.perf_counter() - started
    finally:
        await consumer.stop()


async def _latencies(bootstrap: str, topic: str, payloads: list[bytes]) -> list[float]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all",
                                linger_ms=0)
    await producer.start()
    try:
        samples = []
        for payload in payloads:
            started = time.perf_counter()
            await producer.send_and_wait(topic, payload)
            samples.append(time.perf_counter() - started)
        return samples
    finally:
        await producer.stop()


async def measure(bootstrap: str, n: int = 50_000, latency_samples: int = 2000) -> dict[str, float]:
    """Produce and consume ``n`` messages on a fresh topic; per-message latency of awaited sends."""
    topic = f"bench.baseline.{uuid.uuid4().hex[:8]}"
    await _create_topic(bootstrap, topic)
    payloads = make_payloads(n)
    size = sum(len(p) for p in payloads)
    produce_s = await _produce(bootstrap, topic, payloads)
    consume_s = await _consume(bootstrap, topic, n)
    samples = sorted(await _latencies(bootstrap, topic, payloads[:latency_samples]))
    return {
        "messages": n,
        "message_bytes": size / n,
        "produce_msgs_per_s": n / produce_s,
        "produce_mb_per_s": size / produce_s / 1e6,
        "consume_msgs_per_s": (n - 0) / consume_s,
        "consume_mb_per_s": size / consume_s / 1e6,
        "send_latency_p50_ms": statistics.median(samples) * 1000,
        "send_latency_p99_ms": samples[int(len(samples) * 0.99) - 1] * 1000,
    }


def report(figures: dict[str, float]) -> str:
    return "\n".join([
        f"kafka baseline: {int(figures['messages'])} messages of {figures['message_bytes']:.0f} B, "
        f"{PARTITIONS} partitions, idempotent producer (acks=all)",
        f"  produce  {figures['produce_msgs_per_s']:>10,.0f} msg/s  {figures['produce_mb_per_s']:>7.1f} MB/s",
        f"  consume  {figures['consume_msgs_per_s']:>10,.0f} msg/s  {figures['consume_mb_per_s']:>7.1f} MB/s",
        f"  one awaited send: p50 {figures['send_latency_p50_ms']:.2f} ms, "
        f"p99 {figures['send_latency_p99_ms']:.2f} ms",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kafka_baseline", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", help="an existing broker; default: start a private one")
    parser.add_argument("-n", type=int, default=50_000, help="messages to produce and consume")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.bootstrap:
        figures = asyncio.run(measure(args.bootstrap, args.n))
    else:
        from deploy.localkafka import Broker

        with tempfile.TemporaryDirectory(prefix="bench-kafka-") as state, \
                Broker(state_dir=Path(state), port=0) as broker:
            figures = asyncio.run(measure(broker.bootstrap, args.n))
    print(json.dumps(figures, indent=2) if args.json else report(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
