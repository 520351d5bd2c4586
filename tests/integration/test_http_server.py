"""The shared HTTP server on loopback: forwarded client addresses are believed only from a proxy the
operator named, and only apps behind the web edge are served."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

from services.runtime import HttpServer, RuntimeSettings
from services.runtime.http_server import GRACEFUL_SHUTDOWN_S
from services.runtime.web_edge import protect

pytestmark = pytest.mark.unit


def echo_app() -> FastAPI:
    app = FastAPI()

    @app.get("/who")
    async def who(request: Request) -> dict[str, str | None]:
        return {"client": request.client.host if request.client else None, "scheme": request.url.scheme}

    protect(app)
    return app


async def seen_by_the_app(server: HttpServer, headers: dict[str, str]) -> dict[str, str]:
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
            response = await client.get("/who", headers=headers)
    finally:
        await server.stop()
    assert response.status_code == 200
    return dict(response.json())


FORGED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


async def test_forwarded_headers_are_ignored_unless_a_proxy_is_named() -> None:
    # A client on loopback (an onion service's tor daemon, a local proxy, anyone on the host) used
    # to be believed: uvicorn trusts X-Forwarded-For from 127.0.0.1 by default, so one client could
    # be a new address on every request and never meet its rate limit.
    seen = await seen_by_the_app(HttpServer(echo_app(), "127.0.0.1", 0, name="test"), FORGED)
    assert seen == {"client": "127.0.0.1", "scheme": "http"}


async def test_a_named_proxy_is_believed_and_the_address_never_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server = HttpServer(echo_app(), "127.0.0.1", 0, name="test", trusted_proxies=("127.0.0.1",))
    assert await seen_by_the_app(server, FORGED) == {"client": "203.0.113.9", "scheme": "https"}
    assert caplog.records and "203.0.113.9" not in caplog.text
    other = HttpServer(echo_app(), "127.0.0.1", 0, name="test", trusted_proxies=("10.0.0.0/8",))
    assert (await seen_by_the_app(other, FORGED))["client"] == "127.0.0.1"


def test_an_app_without_the_web_edge_is_not_served() -> None:
    with pytest.raises(ValueError, match="web edge"):
        HttpServer(FastAPI(), "127.0.0.1", 0, name="test")


def test_trusted_proxies_are_addresses_or_networks_never_everyone() -> None:
    settings = RuntimeSettings(trusted_proxies=" 10.0.0.5, 192.168.0.0/16,::1 ")  # type: ignore[arg-type]
    assert settings.trusted_proxies == ("10.0.0.5", "192.168.0.0/16", "::1")
    assert RuntimeSettings().trusted_proxies == ()
    for bad in ("*", "proxy.example.org", "10.0.0.5,*"):
        with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
            RuntimeSettings(trusted_proxies=bad)  # type: ignore[arg-type]


async def test_a_stream_that_never_ends_does_not_hold_a_stopping_server() -> None:
    # Review's /events stays open as long as a queue page does; a stopping service must not wait
    # for every page to go away (it used to wait forever).
    app = FastAPI()

    @app.get("/events")
    async def events() -> StreamingResponse:
        async def forever() -> AsyncIterator[str]:
            yield "retry: 3000\n\n"
            while True:
                await asyncio.sleep(0.2)
                yield ": keep-alive\n\n"
        return StreamingResponse(forever(), media_type="text/event-stream")

    protect(app)
    server = HttpServer(app, "127.0.0.1", 0, name="test")
    await server.start()
    async with (httpx.AsyncClient(base_url=server.url, timeout=httpx.Timeout(5, read=None)) as client,
                client.stream("GET", "/events") as stream):
        lines = stream.aiter_lines()  # held: the page stays connected
        assert await anext(lines) == "retry: 3000"
        stopping = asyncio.create_task(server.stop())
        done, _ = await asyncio.wait([stopping], timeout=GRACEFUL_SHUTDOWN_S + 30)
        assert done, "the server waited for the stream to end"
