"""The review queue at 100,000 cases in PostgreSQL, and an urgent tip's way to an open queue page.

    python -m bench.review_queue [--cases 100000] [--requests 200] [--clients 8] [--tips 50]

1. Queue latency. A private PostgreSQL is started and migrated, and ``--cases`` cases (one signal
   each) are loaded with COPY, spread like the hotline's work: 3 % P1, 10 % P2, 60 % P3, 27 % P4;
   50 states; about 20 % minors, 30 % claimed, 10 % closed. The review app (``build_app``, wired
   as ``main`` wires it, served by the runtime's ``HttpServer``) runs in a child process; this
   process sends keep-alive GETs: the JSON queue with a supervisor's bearer token (first page and
   three filters) and the HTML ``/queue`` with a signed-in session cookie, as a browser sends it.
   All endpoints are interleaved request by request, so the machine's noise falls on each alike.
   Baselines, same run, same server: a constant JSON route added to the app (middleware, no auth,
   no database), the same route behind the staff guard (one token lookup), and ``/login`` (a
   template, no database). The database alone: ``queue()`` called from this process, and its count
   and page statements timed apart, with their plans. Then ``--clients`` concurrent clients.
2. Live latency. A private Kafka broker; the web intake, triage and review as real processes
   (review on the database of part 1). ``/events`` (SSE) is held open as a queue page holds it;
   ``--tips`` urgent tips are posted 200 ms apart to the intake's JSON API, each timed from the
   intake's 202 to the ``case`` event with ``urgent: true`` and its reference number. Baseline:
   the intake's own POST latency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, text

from contracts.events import Urgency
from deploy.ports import free_port
from services.review.auth import COOKIE, Auth, Principal, Role
from services.review.db import Database, migrate
from services.review.queries import QueueFilter, queue

REPO = Path(__file__).resolve().parents[1]
NOW = datetime.now(UTC)
SUPERVISOR, PASSWORD = "bench-supervisor", "a long bench passphrase here"
MS = 1000.0
# Roughly by population, so that a state filter meets both big and small states.
STATES = dict(zip(
    ["CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI", "NJ", "VA", "WA", "AZ", "TN", "MA", "IN",
     "MD", "MO", "WI", "CO", "MN", "SC", "AL", "LA", "KY", "OR", "OK", "CT", "UT", "IA", "NV", "AR", "MS",
     "KS", "NM", "NE", "ID", "WV", "HI", "NH", "ME", "MT", "RI", "DE", "SD", "ND", "AK", "VT", "WY"],
    [39, 30, 22, 20, 13, 12.5, 11.8, 11, 10.8, 10, 9.3, 8.7, 7.8, 7.4, 7, 7, 6.9, 6.2, 6.2, 5.9, 5.8, 5.7,
     5.3, 5.1, 4.6, 4.5, 4.2, 4, 3.6, 3.4, 3.2, 3.2, 3, 2.9, 2.9, 2.1, 2, 1.9, 1.8, 1.4, 1.4, 1.4, 1.1, 1.1,
     1, 0.9, 0.8, 0.7, 0.6, 0.6], strict=True))
URGENCIES = {Urgency.P1_ACT_NOW: (3, timedelta(hours=1)), Urgency.P2_SAME_DAY: (10, timedelta(hours=24)),
             Urgency.P3_BUSINESS_DAYS: (60, timedelta(days=3)),
             Urgency.P4_INFORMATIONAL: (27, timedelta(days=30))}
CALL_TYPES = {"tip": 45, "crisis": 8, "referral": 10, "general_info": 15, "tta": 8, "at_risk": 9,
              "unrelated": 5}
TRAFFICKING = {"sex": 45, "labor": 30, "both": 5, "unknown": 15, "none": 5}
CHANNELS = {"webform": 45, "phone": 35, "email": 20}
CITIES = ("Springfield", "Riverside", "Fairview", "Franklin", "Greenville", "Madison", None)
NARRATIVES = (
    "The nail salon on Oak Street has four women working 12 hours a day; the owner keeps their passports.",
    "A 16 year old is posted online and driven to hotels by an older man every weekend.",
    "Workers at the farm on County Road 12 sleep in a locked barn and are not paid.",
    "We would like a training for our clinic staff on the indicators of labor trafficking.",
    "My cousin was promised a job cleaning houses and now owes the recruiter more every month.",
)
API = "/api/v1/cases"
PING = "/bench/ping"
# label, path, the filter queue() gets for it (None: not a queue read)
ENDPOINTS: tuple[tuple[str, str, QueueFilter | None], ...] = (
    ("ping: constant JSON, no auth", PING, None),
    ("ping behind the staff guard", "/bench/whoami", None),
    ("GET /login page (template)", "/login", None),
    ("API first page", API, QueueFilter()),
    ("API ?state=TX", f"{API}?state=TX", QueueFilter(state="TX")),
    ("API ?minor=yes&unassigned=1", f"{API}?minor=yes&unassigned=1",
     QueueFilter(minor=True, unassigned=True)),
    ("API ?channel=email", f"{API}?channel=email", QueueFilter(channel="email")),
    ("GET /queue (HTML, session cookie)", "/queue", QueueFilter()),
)
LABEL = {path: label for label, path, _ in ENDPOINTS}
CONCURRENT = (PING, API, f"{API}?channel=email", "/queue")
EXPLAINED = (API, f"{API}?channel=email")
URGENT_TIP = {"narrative": "A 15 year old girl is locked in a room at the motel right now",
              "location_state": "TX", "danger_now": "yes"}




def pcts(values: Sequence[float]) -> tuple[float, float, float]:
    """p50, p95, p99 (inclusive method: a small sample is not extrapolated past its maximum)."""
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49], q[94], q[98]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ loading the case store

CASE_COLUMNS = ("id, reference_number, status, urgency, urgency_rank, call_type, trafficking_type, state, "
                "city, minor, imminent_danger, triaged, opened_at, sla_due_at, ack_due_at, acknowledged_at, "
                "acknowledged_by, escalation_level, escalated_at, claimed_by, claim_expires_at, break_glass, "
                "closed_reason, merged_into, updated_at, version")
SIGNAL_COLUMNS = ("signal_id, case_id, reference_number, channel, received_at, subject, narrative, reporter, "
                  "facts, source, attachments, triage, urgency, call_type, rules_version, alerted_at")


def _picker(rng: random.Random, weights: Mapping[Any, float], n: int) -> Iterator[Any]:
    return iter(rng.choices(list(weights), weights=list(weights.values()), k=n))


def fake_cases(n: int, seed: int = 7) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """(case row, signal row), in the order of ``CASE_COLUMNS`` and ``SIGNAL_COLUMNS``."""
    rng = random.Random(seed)  # noqa: S311 - seeded fake data, not a secret
    urgencies = _picker(rng, {urgency: weight for urgency, (weight, _) in URGENCIES.items()}, n)
    states, call_types = _picker(rng, STATES, n), _picker(rng, CALL_TYPES, n)
    kinds, channels = _picker(rng, TRAFFICKING, n), _picker(rng, CHANNELS, n)
    for i in range(n):
        urgency, state, call_type, channel = next(urgencies), next(states), next(call_types), next(channels)
        _, sla = URGENCIES[urgency]
        urgent, minor = urgency.is_urgent, rng.random() < 0.20
        danger = rng.random() < (0.7 if urgency is Urgency.P1_ACT_NOW else 0.01)
        opened = NOW - timedelta(seconds=rng.uniform(60, 365 * 86400))
        r = rng.random()
        status = "closed" if r < 0.10 else "awaiting_approval" if r < 0.11 else "open"
        r = rng.random()  # 30 % hold a live claim, 5 % one that lapsed (unassigned again)
        claimed = f"analyst{rng.randrange(40):02d}" if r < 0.35 else None
        claim_expires = (NOW + timedelta(minutes=rng.uniform(1, 30)) if r < 0.30
                         else NOW - timedelta(hours=rng.uniform(1, 48)) if claimed else None)
        state = state if rng.random() > 0.03 else None
        acked = opened + timedelta(minutes=rng.uniform(1, 10)) if urgent else None
        case_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        reference = f"HT-B{i // 100_000:03d}-{i % 100_000:05d}"
        flags = [{"name": "minor", "raised": minor}, {"name": "imminent_danger", "raised": danger}]
        triage = {"urgency": urgency.value, "call_type": call_type, "routes": [], "flags": flags}
        yield (
            (case_id, reference, status, urgency.value, urgency.rank, call_type, next(kinds), state,
             rng.choice(CITIES) if state else None, minor, danger, True, opened, opened + sla,
             opened + timedelta(minutes=5) if urgent else None, acked, claimed if acked else None,
             int(urgent and rng.random() < 0.1), None, claimed, claim_expires, urgent and minor,
             "resolved" if status == "closed" else None, None, opened, 3),
            (uuid.UUID(int=rng.getrandbits(128), version=4), case_id, reference, channel, opened,
             "Concern about a workplace" if channel == "email" else None, rng.choice(NARRATIVES),
             json.dumps({"role": "community_member", "anonymous": rng.random() < 0.4}),
             json.dumps({"danger_now": "yes" if danger else "no"}), json.dumps({"kind": channel}), "[]",
             json.dumps(triage), urgency, call_type, "bench",
             opened + timedelta(seconds=2) if urgent else None),
        )


def load(db: Database, n: int) -> tuple[float, float]:
    """COPY ``n`` cases and their signals in, then VACUUM ANALYZE (autovacuum's steady state):
    the seconds each took."""
    started = time.perf_counter()
    raw = db.engine.raw_connection()
    try:
        connection = raw.driver_connection
        if connection is None:
            raise RuntimeError("no psycopg connection under the pool")
        rows = list(fake_cases(n))
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY cases ({CASE_COLUMNS}) FROM STDIN") as copy:
                for case, _ in rows:
                    copy.write_row(case)
            with cursor.copy(f"COPY signals ({SIGNAL_COLUMNS}) FROM STDIN") as copy:
                for _, sig in rows:
                    copy.write_row(sig)
        connection.commit()
    finally:
        raw.close()
    copied = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE cases"))
        connection.execute(text("VACUUM ANALYZE signals"))
    return copied - started, time.perf_counter() - copied


def describe(db: Database) -> tuple[int, str, str, str]:
    """Open cases, the size of cases and signals, the server version, the indexes on cases."""
    with db.engine.connect() as c:
        open_cases = c.execute(text("SELECT count(*) FROM cases "
                                    "WHERE status IN ('open', 'awaiting_approval')"))
        size = c.execute(text("SELECT pg_size_pretty(pg_total_relation_size('cases') "
                              "+ pg_total_relation_size('signals'))"))
        version = c.execute(text("SHOW server_version"))
        indexes = c.execute(text("SELECT string_agg(indexname, ', ' ORDER BY indexname) FROM pg_indexes "
                                 "WHERE tablename = 'cases'"))
        return open_cases.scalar_one(), size.scalar_one(), version.scalar_one(), indexes.scalar_one()


# ------------------------------------------------------------------ the server (a child process)

def serve(url: str, port: int) -> int:
    """The review app as ``main`` builds it (no consumers), plus the two baseline routes."""
    from fastapi import Depends

    from services.review.decisions import Decisions
    from services.review.live import LiveHub
    from services.review.web import STAFF, build_app
    from services.runtime.blobs import BlobReader
    from services.runtime.http_server import HttpServer

    def now() -> datetime:
        return datetime.now(UTC)

    async def run() -> None:
        db = Database(url)
        auth = Auth(db, session_ttl=timedelta(hours=10), cookie_secure=False, now=now)
        decisions = Decisions(db, now=now, claim_ttl=timedelta(minutes=30))
        with tempfile.TemporaryDirectory(prefix="bench-review-blobs-") as blobs:
            app = build_app(auth=auth, decisions=decisions, live=LiveHub(), blobs=BlobReader([Path(blobs)]),
                            now=now)
            staff = auth.require(*STAFF)

            @app.get(PING)
            async def ping() -> dict[str, str]:
                return {"status": "ok"}

            @app.get("/bench/whoami")
            async def whoami(principal: Principal = Depends(staff)) -> dict[str, str]:
                return {"username": principal.username}

            server = HttpServer(app, "127.0.0.1", port, name="review")
            stop = asyncio.Event()
            for signum in (signal.SIGTERM, signal.SIGINT):
                asyncio.get_running_loop().add_signal_handler(signum, stop.set)
            await server.start()
            try:
                await stop.wait()
            finally:
                await server.stop()
                db.dispose()

    asyncio.run(run())
    return 0


@contextmanager
def child(name: str, argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process that is always stopped on the way out: SIGTERM, then SIGKILL after 20 s."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    with log.open("ab") as out:
        process = subprocess.Popen(argv, cwd=REPO, env={**clean, **env}, stdout=out, stderr=out,  # noqa: S603 - fixed argv
                                   stdin=subprocess.DEVNULL)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                say(f"{name} ignored SIGTERM for 20 s; killing it")
                process.kill()
                process.wait(10)


def wait_http(name: str, url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise SystemExit(f"{name} exited with {process.returncode}:\n{tail}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{name}: {url} not ready after {timeout:.0f}s")


# ------------------------------------------------------------------ the HTTP client

class Getter:
    """One keep-alive HTTP/1.1 connection sending GETs. Cheaper per request than httpx, so that the
    client's own time (it shares 2 cores with the server and PostgreSQL) stays small."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self._port = port
        self._headers = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> float:
        """Seconds from sending to the last byte of a 200 answer."""
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self._port)
        started = time.perf_counter()
        self._writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{self._headers}\r\n".encode())
        head = (await self._reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
        if "content-length" not in fields:
            raise SystemExit(f"GET {path}: {head[0]} without Content-Length")
        body = await self._reader.readexactly(int(fields["content-length"]))
        elapsed = time.perf_counter() - started
        if head[0].split(" ")[1] != "200":
            raise SystemExit(f"GET {path}: {head[0]} {body[:200]!r}")
        return elapsed

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()


def credentials(path: str, token: str, cookie: str) -> dict[str, str]:
    if path == "/queue":  # a browser: its session cookie, and it asks for HTML
        return {"Cookie": f"{COOKIE}={cookie}", "Accept": "text/html"}
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def sign_in(port: int) -> str:
    """A session cookie, through the login form as a browser gets one."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        form = {"username": SUPERVISOR, "password": PASSWORD, "next": "/queue"}
        response = client.post("/login", data=form)
        if response.status_code != 303 or COOKIE not in response.cookies:
            raise SystemExit(f"sign-in failed: {response.status_code}")
        return response.cookies[COOKIE]


async def interleaved(port: int, token: str, cookie: str, requests: int) -> dict[str, list[float]]:
    """Each endpoint once per round on its own connection; ``requests`` rounds after 20 of warm-up."""
    getters = {path: Getter(port, credentials(path, token, cookie)) for _, path, _ in ENDPOINTS}
    times: dict[str, list[float]] = {path: [] for path in getters}
    try:
        for round_ in range(-20, requests):
            for path, getter in getters.items():
                elapsed = await getter.get(path)
                if round_ >= 0:
                    times[path].append(elapsed)
    finally:
        for getter in getters.values():
            await getter.close()
    return times


async def concurrent(port: int, headers: dict[str, str], path: str, clients: int,
                     per_client: int) -> tuple[list[float], float]:
    """``clients`` connections sending back to back: latencies, and answers per second."""
    latencies: list[float] = []

    async def worker() -> None:
        getter = Getter(port, headers)
        try:
            await getter.get(path)  # connects; not counted
            for _ in range(per_client):
                latencies.append(await getter.get(path))
        finally:
            await getter.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, len(latencies) / (time.perf_counter() - started)


# ------------------------------------------------------------------ the database alone

def statements_of(db: Database, filters: QueueFilter) -> list[tuple[str, Any]]:
    """The SQL ``queue()`` sends (the count, then the page), with its parameters."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.read() as session:
            queue(session, NOW, filters, limit=50)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return [(sql, parameters) for sql, parameters in seen if "FROM cases" in sql]


def time_database(db: Database, filters: QueueFilter, n: int) -> tuple[list[float], list[float], list[float]]:
    """Seconds of ``queue()``, of its count statement and of its page statement, taken in turn ``n``
    times after 5 of warm-up. The statements run on one connection as the app's pooled ones do
    (psycopg prepares a statement from its 6th run on: a generic plan must not lose the index)."""
    (count_sql, count_args), (page_sql, page_args) = statements_of(db, filters)
    whole: list[float] = []
    count: list[float] = []
    page: list[float] = []
    with db.engine.connect() as connection:
        for i in range(-5, n):
            started = time.perf_counter()
            with db.read() as session:
                queue(session, datetime.now(UTC), filters, limit=50)
            counted = time.perf_counter()
            connection.exec_driver_sql(count_sql, count_args).fetchall()
            paged = time.perf_counter()
            connection.exec_driver_sql(page_sql, page_args).fetchall()
            if i >= 0:
                whole.append(counted - started)
                count.append(paged - counted)
                page.append(time.perf_counter() - paged)
    return whole, count, page


def explain(db: Database, statement: str, parameters: Any) -> list[str]:
    with db.engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN ANALYZE {statement}", parameters).fetchall()
    return [f"    {row[0]}" for row in plan]


# ------------------------------------------------------------------ part 1

def part_one(db: Database, token: str, cookie: str, port: int, requests: int, clients: int) -> list[str]:
    lines = [f"\n1. queue latency: {requests} interleaved sequential requests per endpoint after 20 of "
             "warm-up, one keep-alive connection each, ms",
             f"  {'endpoint':36} {'p50':>7} {'p95':>7} {'p99':>7}   p50 / ping   p95 / ping"]
    times = asyncio.run(interleaved(port, token, cookie, requests))
    ping = pcts(times[PING])
    for label, path, _ in ENDPOINTS:
        p50, p95, p99 = pcts(times[path])
        lines.append(f"  {label:36} {p50 * MS:7.2f} {p95 * MS:7.2f} {p99 * MS:7.2f}   "
                     f"{p50 / ping[0]:9.1f}x  {p95 / ping[1]:9.1f}x")

    calls = max(requests // 2, 20)
    say(f"timing queue() and its two statements in turn, {calls} calls each")
    lines += ["", f"  the database alone ({calls} calls each from this process, in turn; ms, p50 / p95):",
              f"  {'endpoint':36} {'queue()':>15} {'count stmt':>15} {'page stmt':>15}  count / queue()"
              "  HTTP / queue()"]
    plans: list[str] = []
    for label, path, filters in ENDPOINTS:
        if filters is None or path == "/queue":
            continue
        q, c, p = (pcts(times_of) for times_of in time_database(db, filters, calls))
        http = pcts(times[path])[0]
        lines.append(f"  {label:36} {q[0] * MS:7.2f}/{q[1] * MS:7.2f} {c[0] * MS:7.2f}/{c[1] * MS:7.2f} "
                     f"{p[0] * MS:7.2f}/{p[1] * MS:7.2f}  {c[0] / q[0]:14.2f}  {http / q[0]:14.2f}")
        if path in EXPLAINED:
            (count_sql, count_args), (page_sql, page_args) = statements_of(db, filters)
            plans += ["", f"  EXPLAIN ANALYZE, {label}, the count:", *explain(db, count_sql, count_args),
                      f"  EXPLAIN ANALYZE, {label}, the page:", *explain(db, page_sql, page_args)]

    per_client = max(requests // clients, 10)
    say(f"{clients} concurrent clients, {per_client} requests each")
    lines += ["", f"  {clients} concurrent clients, {per_client} requests each (ms; answers/s):",
              f"  {'endpoint':36} {'p50':>7} {'p95':>7} {'p99':>7} {'req/s':>8}  req/s / ping"]
    base = 0.0
    for path in CONCURRENT:
        latencies, rate = asyncio.run(concurrent(port, credentials(path, token, cookie), path, clients,
                                                 per_client))
        base = base or rate
        p50, p95, p99 = pcts(latencies)
        lines.append(f"  {LABEL[path]:36} {p50 * MS:7.1f} {p95 * MS:7.1f} {p99 * MS:7.1f} {rate:8.0f}  "
                     f"{rate / base:11.3f}")
    return lines + plans


# ------------------------------------------------------------------ part 2

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


# ------------------------------------------------------------------ main

def run(cases: int, requests: int, clients: int, tips: int, work: Path) -> None:
    from deploy.localpostgres import Postgres

    began = time.perf_counter()
    postgres = Postgres()  # its own directory under /tmp, which the server's user can reach
    try:
        postgres.start()
        say(f"PostgreSQL at {postgres.url} (started in {postgres.start_seconds:.1f}s); migrating")
        migrate(postgres.url)
        db = Database(postgres.url)
        try:
            say(f"loading {cases:,} cases and signals")
            copied, vacuumed = load(db, cases)
            auth = Auth(db, session_ttl=timedelta(hours=1), cookie_secure=False,
                        now=lambda: datetime.now(UTC))
            auth.create_user(SUPERVISOR, "Bench Supervisor", Role.SUPERVISOR, PASSWORD)
            token = auth.create_token(SUPERVISOR, "bench")
            open_cases, size, version, indexes = describe(db)
            lines = [f"review queue, {cases:,} cases ({open_cases:,} open), one signal each, {size}, "
                     f"PostgreSQL {version.split()[0]} (private, fsync off); 2-core machine, shared",
                     f"  indexes on cases: {indexes}",
                     f"  setup: COPY of {cases:,} cases and signals {copied:.1f}s, "
                     f"VACUUM ANALYZE {vacuumed:.1f}s"]
            port, log = free_port(), work / "review-app.log"
            say("starting the review app (uvicorn, child process)")
            argv = [sys.executable, "-m", "bench.review_queue", "--serve", postgres.url, "--port", str(port)]
            with child("review app", argv, {}, log) as server:
                wait_http("review app", f"http://127.0.0.1:{port}{PING}", server, log)
                say(f"{len(ENDPOINTS)} endpoints x {requests} interleaved requests")
                lines += part_one(db, token, sign_in(port), port, requests, clients)
        finally:
            db.dispose()
        print("\n".join(lines), flush=True)
        print("\n".join(part_two(postgres.url, token, cases, tips, work)), flush=True)
    finally:
        postgres.remove()
    print(f"\ntotal run time {time.perf_counter() - began:.0f}s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.review_queue", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="per endpoint, sequential")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--tips", type=int, default=50)
    parser.add_argument("--serve", metavar="DATABASE_URL", help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.serve, args.port)
    # A plain ``kill`` unwinds like Ctrl-C does, so every child is still stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="bench-review-") as work:
        run(args.cases, args.requests, args.clients, args.tips, Path(work))
    return 0


if __name__ == "__main__":
    sys.exit(main())
