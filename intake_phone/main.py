"""Composition root of the phone intake: the HTTP service (Twilio callbacks, specialists' reports) and the
call-detail import (``hotline-phone import-cdr``), both built and run here through the runtime."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from contracts import Service
from intake_phone.config import PhoneSettings
from intake_phone.handler import IMPORT_BATCH_BYTES, KafkaSink, PrintSink
from intake_phone.importer import Importer, PositionStore, Sink
from intake_phone.source import build_app
from services.runtime import (
    HttpServer,
    KafkaPublisher,
    RuntimeMetrics,
    ServiceContext,
    load_settings,
    run_service,
)
from services.runtime.exit_codes import EXIT_CONFIG, EXIT_NO_INPUT, EXIT_OK
from services.runtime.heap import settle_after_start
from services.runtime.lifecycle import read_settings, run_command, start_publisher
from services.runtime.local_time import LocalClock
from services.runtime.terminal_progress import Progress

_PROGRAM = "hotline-phone"


async def serve(context: ServiceContext, settings: PhoneSettings) -> None:
    publisher = await start_publisher(context, settings, Service.INTAKE_PHONE)
    app = build_app(publisher=publisher, twilio_auth_token=settings.twilio_auth_token.get_secret_value(),
                    public_url=settings.twilio_public_url,
                    specialist_tokens={name: token.get_secret_value()
                                       for name, token in settings.specialist_tokens.items()},
                    secret=settings.reference_secret.get_secret_value().encode(),
                    now=lambda: datetime.now(UTC), default_region=settings.default_region,
                    registry=context.metrics.registry, clock=LocalClock(settings.timezone))
    server = HttpServer(app, settings.http_host, settings.http_port, name="phone",
                        trusted_proxies=settings.trusted_proxies)
    try:
        await server.start()
        context.health.set("http", ready=True, detail=server.url)
        await context.stop.wait()
    finally:
        await server.stop()
        await context.ops.close()
        await publisher.stop()


def main() -> int:
    settings = load_settings(PhoneSettings)
    return run_service(Service.INTAKE_PHONE, settings, lambda context: serve(context, settings))


# ------------------------------------------------------------ the call-detail import


def _positions(settings: PhoneSettings, path: Path) -> PositionStore:
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return PositionStore(settings.state_dir / "cdr-positions" / f"{name}.json")


async def import_cdr(settings: PhoneSettings, path: Path, stop: asyncio.Event, *, follow: bool,
                     dry_run: bool) -> int:
    publisher: KafkaPublisher | None = None
    sink: Sink = PrintSink()
    if not dry_run:
        publisher = KafkaPublisher(settings, source=Service.INTAKE_PHONE.source,
                                   metrics=RuntimeMetrics(Service.INTAKE_PHONE),
                                   max_batch_size=IMPORT_BATCH_BYTES)
        await publisher.start()  # a broker out of reach: one line and EXIT_UNAVAILABLE (run_command)
        sink = KafkaSink(publisher)
    layout = settings.layout()
    if layout is not None:
        print(f"CDR layout: {layout.describe()}, from the settings", file=sys.stderr)
    importer = Importer(sink=sink, layout=layout, zone=ZoneInfo(settings.cdr_timezone),
                        secret=settings.reference_secret.get_secret_value().encode(),
                        default_region=settings.default_region,
                        announce=lambda line: print(line, file=sys.stderr))
    # A bar for a whole-file import on a terminal (following a file has no end to measure).
    bar = Progress("CDR import", total=max(os.stat(path).st_size, 1), count=False,
                   enabled=False if follow or dry_run else None)
    settle_after_start()  # a row allocates hundreds of objects: spare its collections the start-up's
    try:
        with bar:
            summary = await importer.run(path, positions=None if dry_run else _positions(settings, path),
                                         follow=follow, stop=stop, progress=bar)
    finally:
        if publisher is not None:
            await publisher.stop()
    for line, reason in summary.problems:
        print(f"line {line}: {reason} (quarantined)", file=sys.stderr)
    print(summary.line(), file=sys.stderr)
    return EXIT_OK


def import_cdr_command(path: Path, *, follow: bool, dry_run: bool) -> int:
    """``hotline-phone import-cdr``: the settings, the file, then the import through the runtime."""
    settings = read_settings(PhoneSettings)
    if settings is None:
        return EXIT_CONFIG
    if not path.is_file():
        print(f"{_PROGRAM}: {path} is not a readable file", file=sys.stderr)
        return EXIT_NO_INPUT
    return run_command(Service.INTAKE_PHONE, settings,
                       lambda stop: import_cdr(settings, path, stop, follow=follow, dry_run=dry_run),
                       program=_PROGRAM)
