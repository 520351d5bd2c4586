"""Phone intake throughput: CDR rows imported per second, and Twilio webhooks per second.

- CDR import: a 100,000-row Master.csv to Kafka's ack. The importer runs in this process (parse,
  translate, hand each batch of 500 to the producer at once with acks=all while the next batch is
  translated, fsync the position); the baseline is raw aiokafka produce measured in the same run.
- Webhooks: signed Twilio status callbacks against the phone intake process (signature validation,
  publish, acks=all), against a bare FastAPI endpoint that only reads the form, same load generator.

    python -m bench.phone_throughput [--bootstrap HOST:PORT] [-n 100000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from twilio.request_validator import RequestValidator

from bench.children import kafka, start_bare_endpoint, start_quiet
from bench.http_load import Prepared
from bench.http_load import closed_loop as load
from bench.kafka_baseline import measure
from contracts import Topic
from deploy.ports import free_port
from intake_phone.cdr import CdrLayout
from intake_phone.handler import IMPORT_BATCH_BYTES, KafkaSink
from intake_phone.importer import Importer, PositionStore
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from services.runtime.heap import settle_after_start
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


def _wait(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


async def webhooks(bootstrap: str, prefix: str, seconds: float, concurrency: int = 32) -> tuple[float, float]:
    token = "bench-twilio-token"
    bare_port, phone_port = free_port(), free_port()
    public = f"http://127.0.0.1:{phone_port}"
    requests = []
    for i in range(2000):
        params = {
            "CallSid": f"CA{i:032x}",
            "From": f"+1214555{i % 10000:04d}",
            "To": "+18883737888",
            "CallStatus": "completed",
            "Direction": "inbound",
            "CallDuration": str(60 + i % 600),
        }
        signature = RequestValidator(token).compute_signature(public + "/twilio/voice/status", params)
        requests.append(
            Prepared(
                urlencode(params).encode(),
                "application/x-www-form-urlencoded",
                {"X-Twilio-Signature": signature},
            )
        )
    bare = start_bare_endpoint(bare_port)
    phone = start_quiet(
        [sys.executable, "-m", "intake_phone"],
        {
            "HOTLINE_KAFKA_BOOTSTRAP": bootstrap,
            "HOTLINE_TOPIC_PREFIX": prefix,
            "HOTLINE_HTTP_PORT": str(phone_port),
            "HOTLINE_TWILIO_AUTH_TOKEN": token,
            "HOTLINE_TWILIO_PUBLIC_URL": public,
            "HOTLINE_LOG_LEVEL": "WARNING",
        },
    )
    try:
        _wait(bare_port, bare)
        _wait(phone_port, phone)
        bare_url = f"http://127.0.0.1:{bare_port}/twilio/voice/status"
        phone_url = f"{public}/twilio/voice/status"
        await load(bare_url, 1, concurrency, requests, expect=204)
        await load(phone_url, 1, concurrency, requests, expect=204)
        bare_rates, phone_rates = [], []
        for _ in range(3):
            bare_rates.append(await load(bare_url, seconds, concurrency, requests, expect=204))
            phone_rates.append(await load(phone_url, seconds, concurrency, requests, expect=204))
    finally:
        for process in (bare, phone):
            process.terminate()
            process.wait(10)
    return statistics.median(phone_rates), statistics.median(bare_rates)


async def run(bootstrap: str, n: int, seconds: float = 5.0) -> str:
    baseline = await measure(bootstrap, 20_000)
    settings = RuntimeSettings(kafka_bootstrap=bootstrap, topic_prefix=f"bench{uuid.uuid4().hex[:6]}.")
    await provision(settings, create=True, topics=(Topic.SIGNALS_RECEIVED, Topic.OPS_EVENTS))
    with tempfile.TemporaryDirectory(prefix="bench-cdr-") as state:
        path = Path(state) / "Master.csv"
        path.write_text(cdr_lines(n))
        publisher = KafkaPublisher(settings, source="/hotline/intake-phone", metrics=RuntimeMetrics("bench"),
                                   max_batch_size=IMPORT_BATCH_BYTES)  # as hotline-phone import-cdr makes it
        await publisher.start()
        importer = Importer(
            sink=KafkaSink(publisher),
            layout=CdrLayout(),
            zone=ZoneInfo("America/New_York"),
            secret=b"bench-secret",
        )
        settle_after_start()  # as hotline-phone import-cdr does before its import
        started = time.perf_counter()
        summary = await importer.run(path, positions=PositionStore(Path(state) / "pos.json"))
        elapsed = time.perf_counter() - started
        await publisher.stop()
    rate = summary.signals / elapsed
    produce = float(baseline["produce_msgs_per_s"])
    hooks, bare = await webhooks(bootstrap, settings.topic_prefix, seconds)
    load = os.getloadavg()
    return "\n".join(
        [
            f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min) on "
            f"{os.cpu_count()} cores: compare the ratios, the absolute figures move with it",
            f"{n} CDR rows, batches of 500, acks=all: {summary.signals} signals, "
            f"{summary.quarantined} quarantined",
            f"  CDR import             {rate:8.0f} rows/s",
            f"  raw aiokafka produce   {produce:8.0f} msg/s   ratio {rate / produce:.2f} (target >= 0.5)",
            f"signed Twilio status callbacks, 32 clients, 3 alternating rounds of {seconds:.0f}s, medians:",
            f"  phone intake (validate, publish, ack)   {hooks:8.0f} req/s",
            f"  bare FastAPI endpoint (read the form)   {bare:8.0f} req/s   ratio {hooks / bare:.2f}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.phone_throughput",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--bootstrap")
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    with kafka(args.bootstrap) as bootstrap:
        print(asyncio.run(run(bootstrap, args.n, args.seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
