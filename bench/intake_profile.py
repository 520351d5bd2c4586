"""Where an intake's CPU goes, per tip and per CDR row, without the noise of sockets and other processes.

- ``webform``: the web intake's app and the bare endpoint (``bench.bare_endpoint``) called as ASGI
  apps in this process, no server and no sockets, the intake on an in-memory publisher: CPU per
  request of each (best and median of 5 rounds), then the intake's pieces one by one (the tip's
  translation, the encoding, the acceptance spans, the receipt, the answer).
- ``cdr``: the call-detail import of ``-n`` rows to the broker (``--bootstrap``, else a private one),
  CPU per row.

With ``--profile N`` each also prints cProfile's top N functions by their own time (cProfile slows
small calls several times over: read the shares, not the times).

    python -m bench.intake_profile webform [--requests 2000] [--profile 30]
    python -m bench.intake_profile cdr [--bootstrap HOST:PORT] [-n 20000] [--profile 30]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import timeit
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from starlette.types import ASGIApp, Message

from bench.children import kafka
from bench.phone_throughput import cdr_lines
from bench.webform_throughput import TIP

BODY = json.dumps(TIP).encode()


def _scope() -> dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "path": "/api/v1/tips", "raw_path": b"/api/v1/tips", "query_string": b"",
            "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {},
            "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
                        (b"content-length", str(len(BODY)).encode())]}


async def _post(app: ASGIApp) -> None:
    delivered = False
    status = 0

    async def receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": BODY, "more_body": False}
        await asyncio.Event().wait()  # the client stays connected
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(_scope(), receive, send)
    if status != 202:
        raise SystemExit(f"unexpected status {status}")


def _intake_app(state: str) -> ASGIApp:
    from contracts import Service
    from intake_webform.handler import Intake, Limits
    from intake_webform.metrics import WebformMetrics
    from intake_webform.ratelimit import GlobalBudget, RateLimiter
    from intake_webform.source import Contact, build_app
    from services.runtime.blobs import BlobStore
    from services.runtime.durable import DurableSender
    from services.runtime.memory import InMemoryPublisher
    from services.runtime.spool import Spool

    publisher = InMemoryPublisher(source=Service.INTAKE_WEBFORM.source)
    publisher.started = True
    sender = DurableSender(publisher, Spool(Path(state, "spool"), max_records=1000, max_bytes=1 << 30),
                           publish_timeout=3, budget=GlobalBudget(per_s=1e9, burst=1 << 30))
    intake = Intake(sender=sender, blobs=BlobStore(Path(state, "blobs"), None),
                    limits=Limits(5, 10 << 20), secret=b"bench-reference-secret-0123456789",
                    now=lambda: datetime.now(UTC), metrics=WebformMetrics(),
                    source=Service.INTAKE_WEBFORM.source)
    return build_app(intake=intake, limiter=RateLimiter(per_client=1 << 30, window_s=60),
                     max_request_bytes=1 << 20, contact=Contact())


async def _cpu_per_call(call: Callable[[], Awaitable[None]], n: int) -> tuple[float, float]:
    for _ in range(min(n, 300)):
        await call()
    rounds = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(n):
            await call()
        rounds.append((time.process_time() - started) / n * 1e6)
    return min(rounds), statistics.median(rounds)


def _profile(profiler: cProfile.Profile, top: int) -> None:
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


def _pieces() -> list[str]:
    from contracts import CODEC, Topic
    from intake_webform.api import TipAccepted
    from intake_webform.receipts import receipt_for
    from intake_webform.submission import TipSubmission
    from intake_webform.translate import to_signal
    from services.runtime.tracing import start_accepting

    tip = TipSubmission.model_validate_json(BODY)
    now = datetime.now(UTC)
    secret = b"bench-reference-secret-0123456789"
    signal = to_signal(tip, submission_id=f"api-{uuid.uuid4()}", received_at=now, reference_secret=secret)

    def accept() -> None:
        start_accepting("webform", Topic.SIGNALS_RECEIVED, str(signal.signal_id)).end()

    pieces: list[tuple[str, Callable[[], object]]] = [
        ("the body validated (TipSubmission)", lambda: TipSubmission.model_validate_json(BODY)),
        ("the tip as a signal (to_signal)", lambda: to_signal(tip, submission_id="api-1", received_at=now,
                                                             reference_secret=secret)),
        ("the record encoded (CODEC.encode)", lambda: CODEC.encode(signal, source="/hotline/intake-webform")),
        ("the acceptance spans (start_accepting, end)", accept),
        ("the receipt (receipt_for)", lambda: receipt_for(signal.reference_number, secret)),
        ("the answer's model (TipAccepted)", lambda: TipAccepted(reference_number=signal.reference_number,
                                                                 receipt="x", message="ok").model_dump()),
    ]
    lines = []
    for name, piece in pieces:
        best = min(timeit.repeat(piece, number=2000, repeat=5)) / 2000 * 1e6
        lines.append(f"    {name:48s} {best:7.1f} us")
    return lines


async def webform(requests: int, top: int) -> None:
    import bench.bare_endpoint as bare

    with tempfile.TemporaryDirectory(prefix="bench-profile-") as state:
        intake = _intake_app(state)
        bare_best, bare_median = await _cpu_per_call(lambda: _post(bare.app), requests)
        best, median = await _cpu_per_call(lambda: _post(intake), requests)
        load = os.getloadavg()
        print(f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores")
        print(f"CPU per request, ASGI app called directly ({requests} requests x 5 rounds, best / median):")
        print(f"  bare FastAPI endpoint            {bare_best:7.0f} / {bare_median:7.0f} us")
        print(f"  web intake, in-memory publisher  {best:7.0f} / {median:7.0f} us   "
              f"(+{best - bare_best:.0f} us a tip)")
        print("  the intake's pieces, each alone (best of 5):")
        print("\n".join(_pieces()))
        if top:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(requests):
                await _post(intake)
            profiler.disable()
            _profile(profiler, top)


async def cdr(bootstrap: str, rows: int, top: int) -> None:
    from contracts import Topic
    from intake_phone.cdr import CdrLayout
    from intake_phone.handler import IMPORT_BATCH_BYTES, KafkaSink
    from intake_phone.importer import Importer, PositionStore
    from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
    from services.runtime.heap import settle_after_start
    from services.runtime.provision import provision

    settings = RuntimeSettings(kafka_bootstrap=bootstrap, topic_prefix=f"bench{uuid.uuid4().hex[:6]}.")
    await provision(settings, create=True, topics=(Topic.SIGNALS_RECEIVED, Topic.OPS_EVENTS))
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as state:
        path = Path(state) / "Master.csv"
        path.write_text(cdr_lines(rows))
        publisher = KafkaPublisher(settings, source="/hotline/intake-phone", metrics=RuntimeMetrics("bench"),
                                   max_batch_size=IMPORT_BATCH_BYTES)
        await publisher.start()
        try:
            importer = Importer(sink=KafkaSink(publisher), layout=CdrLayout(),
                                zone=ZoneInfo("America/New_York"), secret=b"bench-secret")
            settle_after_start()
            profiler = cProfile.Profile() if top else None
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            summary = await importer.run(path, positions=PositionStore(Path(state) / "pos.json"))
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        finally:
            await publisher.stop()
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores")
    profiled = " under cProfile" if profiler else ""
    print(f"{summary.signals} rows{profiled}: {summary.signals / wall:.0f} rows/s, "
          f"CPU {cpu / summary.signals * 1e6:.0f} us a row (this process, aiokafka included)")
    if profiler:
        _profile(profiler, top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.intake_profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("webform", "cdr"))
    parser.add_argument("--bootstrap")
    parser.add_argument("-n", type=int, default=20_000, help="CDR rows")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print cProfile's top N")
    args = parser.parse_args(argv)
    if args.what == "webform":
        asyncio.run(webform(args.requests, args.profile))
    else:
        with kafka(args.bootstrap) as bootstrap:
            asyncio.run(cdr(bootstrap, args.n, args.profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
