"""Web intake throughput and latency against a bare FastAPI endpoint measured in the same run.

Both servers are separate uvicorn processes with one worker, driven by the same HTTP load
generator (this process, plain keep-alive HTTP/1.1 connections). The bare endpoint validates the
same ``TipSubmission`` body and answers 202; the intake also derives the reference number and
receipt, encodes the CloudEvent and waits for Kafka's acks=all before answering.

    python -m bench.webform_throughput [--bootstrap HOST:PORT] [--seconds 10] [--rate 200]

Prints: accepted tips/s under a closed loop of concurrent clients (ratio to the bare endpoint),
and p50/p99 latency at a fixed open-loop rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.children import kafka, start_bare_endpoint, start_quiet
from bench.http_load import Connection, Prepared
from bench.http_load import closed_loop as load
from contracts import Topic
from deploy.ports import free_port
from services.runtime import RuntimeSettings
from services.runtime.provision import provision

TIP = {
    "narrative": "Workers at the farm on County Road 12 sleep in a locked barn and are not paid.",
    "location_state": "NC",
    "location_city": "Smithfield",
    "danger_now": "unsure",
    "trafficking_type": "labor",
    "victim_count": 6,
}


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer in {timeout}s")


REQUESTS = [Prepared(json.dumps(TIP).encode())]


async def closed_loop(url: str, seconds: float, concurrency: int) -> float:
    """Tips accepted per second with ``concurrency`` clients each sending back to back."""
    return await load(url, seconds, concurrency, REQUESTS, expect=202)


async def open_loop(url: str, seconds: float, rate: float) -> tuple[float, float, float]:
    """Latency (p50, p99 in ms) at a fixed arrival rate, and the achieved rate."""
    latencies: list[float] = []
    idle: list[Connection] = []

    async def one() -> None:
        connection = idle.pop() if idle else Connection(url, REQUESTS)
        started = time.perf_counter()
        try:
            status = await connection.post()
        except (asyncio.IncompleteReadError, ConnectionResetError):
            # The server closed a keep-alive connection left idle past its timeout while the
            # rate dipped: opened again and sent again, as a browser does (the request never
            # reached the server, so it is not a second tip).
            await connection.close()
            connection = Connection(url, REQUESTS)
            status = await connection.post()
        latencies.append((time.perf_counter() - started) * 1000)
        idle.append(connection)
        if status != 202:
            raise SystemExit(f"unexpected status {status}")

    tasks = []
    begin = time.perf_counter()
    total = int(seconds * rate)
    for i in range(total):
        delay = begin + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    achieved = total / (time.perf_counter() - begin)
    for connection in idle:
        await connection.close()
    quantiles = statistics.quantiles(latencies, n=100)
    return quantiles[49], quantiles[98], achieved


async def run(bootstrap: str, seconds: float, rate: float, concurrency: int, rounds: int = 3) -> str:
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    await provision(
        RuntimeSettings(kafka_bootstrap=bootstrap, topic_prefix=prefix),
        create=True,
        topics=(Topic.SIGNALS_RECEIVED,),
    )
    bare_port, intake_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="bench-webform-") as state:
        bare = start_bare_endpoint(bare_port)
        intake = start_quiet(
            [sys.executable, "-m", "intake_webform"],
            {
                "HOTLINE_KAFKA_BOOTSTRAP": bootstrap,
                "HOTLINE_TOPIC_PREFIX": prefix,
                "HOTLINE_HTTP_PORT": str(intake_port),
                "HOTLINE_SPOOL_DIR": f"{state}/spool",
                "HOTLINE_BLOB_DIR": f"{state}/blobs",
                "HOTLINE_RATE_PER_CLIENT": "100000000",
                "HOTLINE_RATE_GLOBAL_PER_S": "1000000",
                "HOTLINE_LOG_LEVEL": "WARNING",
            },
        )
        try:
            bare_url = f"http://127.0.0.1:{bare_port}/api/v1/tips"
            intake_url = f"http://127.0.0.1:{intake_port}/api/v1/tips"
            _wait_http(f"http://127.0.0.1:{bare_port}/", bare)
            _wait_http(f"http://127.0.0.1:{intake_port}/en/", intake)
            await closed_loop(bare_url, 1, concurrency)  # warm both up
            await closed_loop(intake_url, 1, concurrency)
            # Alternating rounds, medians: this machine's noise moves single runs by 30 %.
            bare_rates, intake_rates = [], []
            for _ in range(rounds):
                bare_rates.append(await closed_loop(bare_url, seconds, concurrency))
                intake_rates.append(await closed_loop(intake_url, seconds, concurrency))
            bare_rate, intake_rate = statistics.median(bare_rates), statistics.median(intake_rates)
            ratios = sorted(i / b for i, b in zip(intake_rates, bare_rates, strict=True))
            bare_p50, bare_p99, _ = await open_loop(bare_url, seconds, rate)
            p50, p99, achieved = await open_loop(intake_url, seconds, rate)
            spooled = len(os.listdir(Path(state, "spool")))
        finally:
            for process in (bare, intake):
                process.terminate()
                process.wait(10)
    load = os.getloadavg()
    return "\n".join(
        [
            f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min) on "
            f"{os.cpu_count()} cores: compare the ratios, the absolute figures move with it",
            f"closed loop, {concurrency} clients, {rounds} alternating rounds of {seconds:.0f}s, medians "
            f"(acks=all on the real broker):",
            f"  bare FastAPI endpoint  {bare_rate:8.0f} req/s",
            f"  web intake             {intake_rate:8.0f} tips/s   "
            f"ratio {intake_rate / bare_rate:.2f} (per round {', '.join(f'{r:.2f}' for r in ratios)}; "
            f"target >= 0.6)",
            f"open loop at {rate:.0f}/s for {seconds:.0f}s (achieved {achieved:.0f}/s):",
            f"  bare FastAPI endpoint  p50 {bare_p50:6.1f} ms   p99 {bare_p99:6.1f} ms",
            f"  web intake             p50 {p50:6.1f} ms   p99 {p99:6.1f} ms",
            f"  tips left in the spool: {spooled} (0 means every tip was acked by Kafka)",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.webform_throughput",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--bootstrap")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)
    with kafka(args.bootstrap) as bootstrap:
        print(asyncio.run(run(bootstrap, args.seconds, args.rate, args.concurrency)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
