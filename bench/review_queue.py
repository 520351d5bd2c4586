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
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from bench.children import child, say, wait_http
from bench.percentiles import pcts
from bench.review_cases import NOW, describe, load
from bench.review_live import MS, part_two
from deploy.ports import free_port
from services.review.auth import COOKIE, Auth, Principal, Role
from services.review.db import Database, migrate
from services.review.queries import QueueFilter, queue

SUPERVISOR, PASSWORD = "bench-supervisor", "a long bench passphrase here"
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


# ------------------------------------------------------------------ loading the case store


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
