"""What the runtime costs over raw aiokafka: the publisher (codec + idempotent send) and the consumer loop.

Prints each figure and its ratio to the raw-aiokafka baseline measured in the same run:

    python -m bench.runtime_overhead [--bootstrap HOST:PORT] [-n 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from bench.children import kafka
from bench.kafka_baseline import measure
from contracts import Topic
from contracts.events import (
    CallType,
    Channel,
    Flag,
    FlagName,
    Route,
    RoutingTarget,
    SignalTriaged,
    TraffickingType,
    Urgency,
)
from services.runtime import (
    ConsumerLoop,
    ConsumerPolicy,
    ConsumerSpec,
    Health,
    KafkaPublisher,
    Message,
    RuntimeMetrics,
    RuntimeSettings,
)
from services.runtime.provision import provision


def triaged() -> SignalTriaged:
    now = datetime.now(UTC)
    return SignalTriaged(
        signal_id=uuid.uuid4(), reference_number="HT-BNCH-0000A", channel=Channel.WEBFORM,
        received_at=now, triaged_at=now, rules_version="bench", urgency=Urgency.P3_BUSINESS_DAYS,
        flags=[Flag(name=FlagName.MINOR, raised=False)], call_type=CallType.TIP,
        trafficking_type=TraffickingType.LABOR, business_hours=True, sla_due_at=now + timedelta(days=3),
        routes=[Route(target=RoutingTarget.SUPERVISOR_QUEUE, reason="substantive")],
    )


async def _publish(settings: RuntimeSettings, events: list[SignalTriaged], concurrency: int) -> float:
    async with KafkaPublisher(settings, source="/hotline/bench", metrics=RuntimeMetrics("bench")) as pub:
        started = time.perf_counter()
        for i in range(0, len(events), concurrency):
            await asyncio.gather(*(pub.publish(Topic.SIGNALS_TRIAGED, e) for e in events[i:i + concurrency]))
        return time.perf_counter() - started


async def _consume(settings: RuntimeSettings, count: int) -> float:
    seen = 0
    first_at: list[float] = []
    done = asyncio.Event()

    async def handler(message: Message) -> None:
        nonlocal seen
        if not first_at:
            first_at.append(time.perf_counter())
        seen += 1
        if seen >= count:
            done.set()

    spec = ConsumerSpec(name="bench", topic=Topic.SIGNALS_TRIAGED, group=f"bench-{uuid.uuid4().hex[:6]}",
                        handler=handler, event_type=SignalTriaged,
                        policy=ConsumerPolicy(max_batch=500, poll_timeout_ms=200))
    async with KafkaPublisher(settings, source="/hotline/bench", metrics=RuntimeMetrics("bench")) as dlq:
        stop = asyncio.Event()
        loop = ConsumerLoop(spec, settings=settings, dlq_publisher=dlq, metrics=RuntimeMetrics("bench"),
                            health=Health())
        task = asyncio.create_task(loop.run(stop))
        await asyncio.wait_for(done.wait(), 300)
        finished = time.perf_counter()
        stop.set()
        await task
    return finished - first_at[0]


async def run(bootstrap: str, n: int) -> str:
    baseline = await measure(bootstrap, n)
    settings = RuntimeSettings(kafka_bootstrap=bootstrap, topic_prefix=f"bench{uuid.uuid4().hex[:6]}.")
    await provision(settings, create=True, topics=[Topic.SIGNALS_TRIAGED, Topic.SIGNALS_TRIAGED_DLQ])
    events = [triaged() for _ in range(n)]
    sequential_n = min(n, 2000)
    sequential = sequential_n / await _publish(settings, events[:sequential_n], 1)
    pipelined = n / await _publish(settings, events, 1000)
    consumed = n / await _consume(settings, n + sequential_n)
    raw_produce, raw_consume = baseline["produce_msgs_per_s"], baseline["consume_msgs_per_s"]
    return "\n".join([
        f"runtime overhead, {n} SignalTriaged events (raw aiokafka baseline in the same run)",
        f"  raw produce (1000 in flight)       {raw_produce:>9,.0f} msg/s  1.00",
        f"  publisher, 1000 in flight          {pipelined:>9,.0f} msg/s  {pipelined / raw_produce:.2f}",
        f"  publisher, one awaited at a time   {sequential:>9,.0f} msg/s  {sequential / raw_produce:.2f}",
        f"  raw consume                        {raw_consume:>9,.0f} msg/s  1.00",
        f"  consumer loop (decode + commit)    {consumed:>9,.0f} msg/s  {consumed / raw_consume:.2f}",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.runtime_overhead", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap")
    parser.add_argument("-n", type=int, default=20_000)
    args = parser.parse_args(argv)
    with kafka(args.bootstrap) as bootstrap:
        print(asyncio.run(run(bootstrap, args.n)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
