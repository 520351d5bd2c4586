"""Serving an ASGI app inside a service's own event loop: the ops endpoints, and web intakes' apps."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Generator, Sequence

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from services.runtime.errors import ServerStartError
from services.runtime.health import Health
from services.runtime.metrics import RuntimeMetrics
from services.runtime.web_edge import is_protected, protect

log = logging.getLogger(__name__)
GRACEFUL_SHUTDOWN_S = 5


class _EmbeddedServer(uvicorn.Server):
    # The service owns SIGTERM/SIGINT (see lifecycle); uvicorn must not replace its handlers.
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class HttpServer:
    """One uvicorn server on ``host:port`` (port 0 picks a free one), started and stopped explicitly.

    Only apps behind the runtime's web edge are served. ``X-Forwarded-For`` and ``-Proto`` are
    believed only from ``trusted_proxies`` (the operator's ``HOTLINE_TRUSTED_PROXIES``): uvicorn's
    default believes them from loopback, where an onion service's tor daemon and anyone on the
    host connect from, so any client could claim a new address on every request.
    """

    def __init__(self, app: ASGIApp, host: str, port: int, *, name: str,
                 trusted_proxies: Sequence[str] = ()) -> None:
        if not is_protected(app):
            raise ValueError(f"{name}: serve apps behind the runtime's web edge (web_edge.protect)")
        # access_log stays off: access lines carry client addresses and user agents, whether the
        # proxy's or, with a trusted proxy, the client's own.
        # A stream that never ends by itself (review's /events, held open by every queue page)
        # must not hold a stopping service: open requests get a few seconds, then are cut.
        config = uvicorn.Config(app, host=host, port=port, access_log=False, log_config=None,
                                server_header=False, date_header=False, lifespan="on",
                                proxy_headers=bool(trusted_proxies),
                                forwarded_allow_ips=list(trusted_proxies) or None,
                                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S)
        self._server = _EmbeddedServer(config)
        self._name = name
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        task = asyncio.create_task(self._serve(), name=f"http:{self._name}")
        while not self._server.started:
            if task.done():
                task.result()  # raises the ServerStartError of _serve
            await asyncio.sleep(0.02)
        self._task = task
        log.info("http server listening", extra={"component": self._name, "port": self.port})

    async def _serve(self) -> None:
        try:
            await self._server.serve()
        except SystemExit:
            # uvicorn reports a failed bind with sys.exit() (after logging why). A SystemExit
            # escaping a task would end the whole process with a traceback; convert it here.
            config = self._server.config
            raise ServerStartError(f"{self._name} server cannot listen on {config.host}:"
                                   f"{config.port} (in use, or not permitted)") from None

    @property
    def port(self) -> int:
        sockets = self._server.servers[0].sockets if self._server.servers else []
        return int(sockets[0].getsockname()[1]) if sockets else 0

    @property
    def url(self) -> str:
        return f"http://{self._server.config.host}:{self.port}"

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None


def ops_app(health: Health, metrics: RuntimeMetrics) -> Starlette:
    """``/livez``, ``/readyz`` and ``/metrics`` for one process."""

    async def livez(_: Request) -> Response:
        return JSONResponse({"live": health.live, "components": health.snapshot()},
                            status_code=200 if health.live else 503)

    async def readyz(_: Request) -> Response:
        return JSONResponse({"ready": health.ready, "components": health.snapshot()},
                            status_code=200 if health.ready else 503)

    async def prometheus(_: Request) -> Response:
        return Response(metrics.exposition(), media_type="text/plain; version=0.0.4; charset=utf-8")

    app = Starlette(routes=[
        Route("/livez", livez),
        Route("/readyz", readyz),
        Route("/metrics", prometheus),
    ])
    protect(app)
    return app
