"""CDR import throughput: rows per second from a 100,000-row Master.csv to Kafka's ack.

The importer runs in this process (parse, translate, publish each batch of 500 concurrently with
acks=all, fsync the position); the baseline is raw aiokafka produce measured in the same run.

    python -m bench.phone_cdr [--bootstrap HOST:PORT] [-n 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.kafka_baseline import measure
from contracts import Topic
from intake_phone.cdr import CdrLayout
from intake_phone.cli import KafkaSink
from intake_phone.importer import Importer, PositionStore
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from services.runtime.provision import provision


def cdr_lines(n: int) -> str:
    start = datetime(2026, 3, 16, 9, 0, 0)
    lines = []
    for i in range(n):
        begin = start + timedelta(seconds=i)
        end = begin + timedelta(seconds=60 + i % 600)
        answered = i % 3 != 0
        answer = f'"{(begin + timedelta(seconds=6)):%Y-%m-%d %H:%M:%S}"' if answered else ""
        lines.append(
            f'"","+1214555{i % 10000:04d}","18883737888","from-pstn",'
            f'"""Caller {i}"" <+1214555{i % 10000:04d}>",'
            f'"SIP/trunk-{i:05d}","SIP/agent-{i:05d}","Dial","SIP/agent,30",'
            f'"{begin:%Y-%m-%d %H:%M:%S}",{answer},'
            f'"{end:%Y-%m-%d %H:%M:%S}",{60 + i % 600},{54 + i % 600 if answered else 0},'
            f'"{"ANSWERED" if answered else "NO ANSWER"}","DOCUMENTATION","1773669600.{i}"\n'
        )
    return "".join(lines)


async def run(bootstrap: str, n: int) -> str:
    baseline = await measure(bootstrap, 20_000)
    settings = RuntimeSettings(kafka_bootstrap=bootstrap, topic_prefix=f"bench{uuid.uuid4().hex[:6]}.")
    await provision(settings, create=True, topics=(Topic.SIGNALS_RECEIVED, Topic.OPS_EVENTS))
    with tempfile.TemporaryDirectory(prefix="bench-cdr-") as state:
        path = Path(state) / "Master.csv"
        path.write_text(cdr_lines(n))
        publisher = KafkaPublisher(settings, source="/hotline/intake-phone", metrics=RuntimeMetrics("bench"))
        await publisher.start()
        importer = Importer(
            sink=KafkaSink(publisher),
            layout=CdrLayout(),
            zone=ZoneInfo("America/New_York"),
            secret=b"bench-secret",
        )
        started = time.perf_counter()
        summary = await importer.run(path, positions=PositionStore(Path(state) / "pos.json"))
        elapsed = time.perf_counter() - started
        await publisher.stop()
    rate = summary.signals / elapsed
    produce = float(baseline["produce_msgs_per_s"])
    return "\n".join(
        [
            f"{n} CDR rows, batches of 500, acks=all: {summary.signals} signals, "
            f"{summary.quarantined} quarantined",
            f"  CDR import             {rate:8.0f} rows/s",
            f"  raw aiokafka produce   {produce:8.0f} msg/s   ratio {rate / produce:.2f}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.phone_cdr",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--bootstrap")
    parser.add_argument("-n", type=int, default=100_000)
    args = parser.parse_args(argv)
    if args.bootstrap:
        print(asyncio.run(run(args.bootstrap, args.n)))
        return 0
    from deploy.localkafka import Broker

    with (
        tempfile.TemporaryDirectory(prefix="bench-kafka-") as state,
        Broker(state_dir=Path(state), port=0) as broker,
    ):
        print(asyncio.run(run(broker.bootstrap, args.n)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
