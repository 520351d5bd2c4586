"""A minimal HTTP/1.1 keep-alive load generator for the benchmarks.

httpx's connection pool, not the server, becomes the bottleneck past a few concurrent requests
(about 200 req/s here), which would flatter whichever server is slower. This sends prepared
requests over plain asyncio streams and reads each response by its Content-Length.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Prepared:
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class Connection:
    def __init__(self, url: str, requests: Sequence[Prepared]) -> None:
        parsed = urlsplit(url)
        self._host, self._port, path = parsed.hostname or "127.0.0.1", parsed.port or 80, parsed.path
        self._path = path
        self._requests = itertools.cycle([self._wire(r) for r in requests])
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self) -> int:
        status, _ = await self.exchange(next(self._requests))
        return status

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        """Send one prepared request (see ``prepare``); its status and body."""
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self._reader.readexactly(length)

    def prepare(self, request: Prepared) -> bytes:
        """``request`` as bytes on the wire for this connection's URL."""
        return self._wire(request)

    def _wire(self, r: Prepared) -> bytes:
        return (f"POST {self._path} HTTP/1.1\r\nHost: {self._host}\r\nContent-Type: {r.content_type}\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in r.headers.items())
                + f"Content-Length: {len(r.body)}\r\n\r\n").encode() + r.body

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()


async def closed_loop(url: str, seconds: float, concurrency: int, requests: Sequence[Prepared],
                      expect: int) -> float:
    """Answered requests per second with ``concurrency`` clients each sending back to back."""
    answered = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal answered
        connection = Connection(url, requests)
        try:
            while time.perf_counter() < deadline:
                status = await connection.post()
                if status != expect:
                    raise SystemExit(f"unexpected status {status} (expected {expect})")
                answered += 1
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return answered / (time.perf_counter() - started)
