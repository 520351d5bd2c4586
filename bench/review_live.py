"""Part 2 of the review queue benchmark: an urgent tip from the web intake to an open queue page (SSE)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import httpx

from bench.children import child, say, wait_http
from bench.percentiles import pcts
from deploy.ports import free_port

MS = 1000.0
URGENT_TIP = {"narrative": "A 15 year old girl is locked in a room at the motel right now",
              "location_state": "TX", "danger_now": "yes"}


async def live_latency(webform: int, review: int, token: str,
                       tips: int) -> tuple[list[float], list[float], list[float]]:
    """Seconds, per tip: the intake's POST; its 202 to the first ``case`` event of its reference (the
    signal as received, untriaged); its 202 to the ``case`` event with ``urgent: true``."""
    first: dict[str, float] = {}
    urgent: dict[str, float] = {}
    seen: dict[str, asyncio.Event] = {}
    opened = asyncio.Event()
    # The event stream stays open: no read timeout on it, but connecting still has one.
    async with (httpx.AsyncClient(base_url=f"http://127.0.0.1:{review}", timeout=httpx.Timeout(30, read=None),
                                  headers={"Authorization": f"Bearer {token}"}) as sse,
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{webform}", timeout=30) as intake):

        async def listen() -> None:
            async with sse.stream("GET", "/events", headers={"Accept": "text/event-stream"}) as stream:
                if stream.status_code != 200:
                    raise SystemExit(f"/events answered {stream.status_code}")
                kind = ""
                async for line in stream.aiter_lines():
                    arrived = time.perf_counter()
                    opened.set()
                    if line.startswith("event:"):
                        kind = line.partition(":")[2].strip()
                    elif line.startswith("data:") and kind == "case":
                        message = json.loads(line.partition(":")[2])
                        reference = message["reference_number"]
                        first.setdefault(reference, arrived)
                        if message.get("urgent") and reference not in urgent:
                            urgent[reference] = arrived
                            seen.setdefault(reference, asyncio.Event()).set()

        async def post() -> tuple[str, float, float]:
            started = time.perf_counter()
            response = await intake.post("/api/v1/tips", json=URGENT_TIP)
            answered = time.perf_counter()
            if response.status_code != 202:
                raise SystemExit(f"the intake answered {response.status_code}: {response.text[:200]}")
            return response.json()["reference_number"], answered - started, answered

        listener = asyncio.create_task(listen())
        try:
            await asyncio.wait_for(opened.wait(), 10)
            # Warm-up, not counted: the first tips also wait for every consumer group to settle.
            for _ in range(2):
                reference, _, _ = await post()
                await asyncio.wait_for(seen.setdefault(reference, asyncio.Event()).wait(), 90)
            posted: list[tuple[str, float, float]] = []
            begin = time.perf_counter()
            for i in range(tips):
                await asyncio.sleep(max(0.0, begin + i * 0.2 - time.perf_counter()))
                posted.append(await post())
            for reference, _, _ in posted:
                await asyncio.wait_for(seen.setdefault(reference, asyncio.Event()).wait(), 60)
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
    return ([took for _, took, _ in posted], [first[ref] - at for ref, _, at in posted],
            [urgent[ref] - at for ref, _, at in posted])


def part_two(url: str, token: str, cases: int, tips: int, work: Path) -> list[str]:
    from contracts import Topic
    from deploy.localkafka import Broker
    from services.runtime import RuntimeSettings
    from services.runtime.provision import provision

    say("starting a private Kafka broker")
    with Broker(state_dir=work / "kafka", port=0) as broker, ExitStack() as services:
        say(f"broker at {broker.bootstrap} (started in {broker.start_seconds:.1f}s); creating topics")
        prefix = f"bench{uuid.uuid4().hex[:6]}."
        asyncio.run(provision(RuntimeSettings(kafka_bootstrap=broker.bootstrap, topic_prefix=prefix),
                              create=True, topics=tuple(Topic)))
        webform, review = free_port(), free_port()
        common = {"HOTLINE_KAFKA_BOOTSTRAP": broker.bootstrap, "HOTLINE_TOPIC_PREFIX": prefix,
                  "HOTLINE_ENVIRONMENT": "test", "HOTLINE_LOG_LEVEL": "WARNING",
                  "HOTLINE_REFERENCE_SECRET": "bench-reference-secret-0123456789abcdef",
                  "HOTLINE_ENTITY_KEY_SECRET": "bench-entity-key-secret-0123456789",
                  "HOTLINE_FAUST_DATADIR": str(work / "faust"), "HOTLINE_SPOOL_DIR": str(work / "spool"),
                  "HOTLINE_BLOB_DIR": str(work / "blobs"), "HOTLINE_RATE_PER_CLIENT": "100000",
                  "HOTLINE_RATE_GLOBAL_PER_S": "100000"}
        own: dict[str, dict[str, str]] = {
            "triage": {},
            "services.review": {"HOTLINE_HTTP_PORT": str(review), "HOTLINE_REVIEW_DATABASE_URL": url,
                                "HOTLINE_COOKIE_SECURE": "false"},
            "intake_webform": {"HOTLINE_HTTP_PORT": str(webform)},
        }
        for module, env in own.items():
            say(f"starting {module}")
            ops, log = free_port(), work / f"{module}.log"
            process = services.enter_context(child(module, [sys.executable, "-m", module],
                                                   {**common, **env, "HOTLINE_OPS_PORT": str(ops)}, log))
            wait_http(module, f"http://127.0.0.1:{ops}/readyz", process, log)
        say(f"posting {tips} urgent tips 200 ms apart; /events of review open")
        posts, received, live = asyncio.run(live_latency(webform, review, token, tips))
        say("stopping the services and the broker")
    rows = (("intake: POST /api/v1/tips until its 202", posts),
            ("202 until the first case event (untriaged)", received),
            ("202 until the urgent case event", live))
    lines = [f"\n2. urgent tip to an open queue page: web intake -> Kafka -> triage -> Kafka -> review -> "
             f"SSE; {tips} tips 200 ms apart, review on the {cases:,}-case database, ms",
             f"  {'':44} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"]
    for label, values in rows:
        p50, p95, p99 = pcts(values)
        lines.append(f"  {label:44} {p50 * MS:7.1f} {p95 * MS:7.1f} {p99 * MS:7.1f} {max(values) * MS:7.1f}")
    (b50, b95, _), (l50, l95, _) = pcts(posts), pcts(live)
    return [*lines, f"  202 to the urgent event / the intake's POST: p50 {l50 / b50:.1f}x, "
                    f"p95 {l95 / b95:.1f}x"]
