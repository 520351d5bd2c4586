"""How every service process and its long commands run: logging, signals, the ops endpoint, exit codes."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError

from contracts import Service
from services.runtime.durable import ConnectWhenPossible
from services.runtime.errors import BrokerUnavailable, ConsumerHalted, ServerStartError, describe
from services.runtime.exit_codes import EXIT_CONFIG, EXIT_HALTED, EXIT_OK, EXIT_UNAVAILABLE
from services.runtime.health import Health
from services.runtime.http_server import HttpServer, ops_app
from services.runtime.metrics import RuntimeMetrics
from services.runtime.ops_reporter import OpsReporter
from services.runtime.publisher import KafkaPublisher
from services.runtime.settings import RuntimeSettings
from services.runtime.structured_logging import configure_logging
from services.runtime.trace_export import configure_tracing

log = logging.getLogger(__name__)

S = TypeVar("S", bound=RuntimeSettings)


@dataclass(frozen=True)
class ServiceContext:
    """What a service's body gets from the runtime; it builds the rest of its parts itself."""

    name: str
    settings: RuntimeSettings
    metrics: RuntimeMetrics
    health: Health
    stop: asyncio.Event
    ops_url: str
    # Heartbeats and runtime reports to ops.events; the body attaches its publisher to it.
    ops: OpsReporter


ServiceBody = Callable[[ServiceContext], Awaitable[None]]


async def start_publisher(context: ServiceContext, settings: RuntimeSettings,
                          service: Service) -> KafkaPublisher:
    """The process's one publisher, started (a broker out of reach raises BrokerUnavailable: exit 75),
    ready on /readyz and reporting to ops."""
    publisher = KafkaPublisher(settings, source=service.source, metrics=context.metrics)
    await publisher.start()
    context.health.set("publisher", ready=True, detail="connected")
    context.ops.attach(publisher)
    return publisher


async def connect_when_possible(context: ServiceContext, settings: RuntimeSettings,
                                service: Service) -> ConnectWhenPossible:
    """A spooling intake's publisher: connected now if the broker answers, else by the spool's drainer
    later. Ready either way, since what comes in meanwhile is kept in the spool."""
    publisher = ConnectWhenPossible(
        lambda: KafkaPublisher(settings, source=service.source, metrics=context.metrics))
    try:
        await publisher.connect()
        context.health.set("publisher", ready=True, detail="connected")
    except BrokerUnavailable:
        context.health.set("publisher", ready=True, detail="broker unreachable at start; spooling")
    return publisher


def run_service(name: str, settings: RuntimeSettings, body: ServiceBody) -> int:
    """Run ``body`` until SIGTERM/SIGINT; returns the process exit code."""
    configure_logging(name, settings.log_level)
    tracing = configure_tracing(name, settings)
    try:
        return asyncio.run(_run(name, settings, body))
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        tracing.shutdown()  # the spans still batched go out before the process does


async def _run(name: str, settings: RuntimeSettings, body: ServiceBody) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    metrics = RuntimeMetrics(name)
    health = Health()
    ops = HttpServer(ops_app(health, metrics), settings.ops_host, settings.ops_port, name="ops")
    reporter = OpsReporter(name, health=health, metrics=metrics, interval_s=settings.heartbeat_s)
    heartbeats: asyncio.Task[None] | None = None
    try:
        await ops.start()
        context = ServiceContext(name=name, settings=settings, metrics=metrics, health=health,
                                 stop=stop, ops_url=ops.url, ops=reporter)
        log.info("service started", extra={"component": name, "port": ops.port,
                                           "bootstrap": settings.kafka_bootstrap})
        heartbeats = asyncio.create_task(reporter.run(stop), name="ops.heartbeats")
        await body(context)
    except ServerStartError as error:
        log.critical("cannot start", extra={"error": describe(error)})
        return EXIT_CONFIG
    except ConsumerHalted as error:
        log.critical("consumer halted", extra={"error": describe(error)})
        return EXIT_HALTED
    except BrokerUnavailable as error:
        log.critical("broker unavailable at start-up", extra={"error": describe(error)})
        return EXIT_HALTED
    finally:
        if heartbeats is not None:
            heartbeats.cancel()
        await ops.stop()
    log.info("service stopped", extra={"component": name})
    return EXIT_OK


def load_settings(settings_type: type[S]) -> S:
    """Build a service's settings from the environment, or exit with one clear line per problem."""
    settings = read_settings(settings_type)
    if settings is None:
        raise SystemExit(EXIT_CONFIG)
    return settings


def read_settings(settings_type: type[S]) -> S | None:
    """A service's settings from the environment, or None after one ``configuration error:`` line per
    problem on standard error (a command returns EXIT_CONFIG; a service exits with it)."""
    try:
        return settings_type()
    except ValidationError as error:
        for problem in error.errors(include_input=False, include_url=False):
            where = ".".join(str(p) for p in problem["loc"]) or "settings"
            print(f"configuration error: {where}: {problem['msg']}", file=sys.stderr)
        return None


CommandBody = Callable[[asyncio.Event], Awaitable[int]]


def run_command(name: str, settings: RuntimeSettings, body: CommandBody, *, program: str) -> int:
    """Run a service's long command (an import that may follow a file for days) as its service runs:
    the same JSON logging and tracing, SIGTERM/SIGINT set the ``stop`` event ``body`` gets, and a
    broker that cannot be reached is one line and EXIT_UNAVAILABLE. Returns the exit code."""
    configure_logging(name, settings.log_level)
    tracing = configure_tracing(name, settings)
    try:
        return asyncio.run(_command(body, program))
    finally:
        tracing.shutdown()  # the command's spans go out before it ends


async def _command(body: CommandBody, program: str) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        return await body(stop)
    except BrokerUnavailable as error:
        print(f"{program}: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE


async def supervise(stop: asyncio.Event, work: Mapping[str, Coroutine[Any, Any, None]]) -> None:
    """Run each piece of ``work`` (by task name) until all of them end or one fails, whose error is
    raised: a consumer that halted itself stops the whole service (exit 75) rather than leaving the
    rest running without it. On the way out ``stop`` is set and every task is waited for."""
    tasks = [asyncio.create_task(coroutine, name=name) for name, coroutine in work.items()]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
