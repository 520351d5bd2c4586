"""``hotline-phone import-cdr FILE [--follow] [--dry-run]``: Asterisk CDRs into signals.

Without ``--follow`` the file is imported from where the last import of it stopped (a position kept
under ``HOTLINE_STATE_DIR``) to its end, with a progress bar, and a summary at the end; rows that
cannot be read are reported by line number and quarantined, and the import carries on. With
``--follow`` it keeps reading the file as the PBX appends to it, until Ctrl-C or SIGTERM, and resumes
from the saved position after a restart. ``--dry-run`` prints the signals (and quarantine records)
as JSON lines and publishes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import signal
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from contracts import Service, Topic
from contracts.events import InputQuarantined, SignalReceived
from intake_phone.config import PhoneSettings
from intake_phone.importer import Importer, PositionStore
from services.runtime import BrokerUnavailable, KafkaPublisher, RuntimeMetrics
from services.runtime.exit_codes import EXIT_CONFIG, EXIT_NO_INPUT, EXIT_UNAVAILABLE
from services.runtime.structured_logging import configure_logging
from services.runtime.terminal_progress import Progress
from services.runtime.trace_export import configure_tracing
from services.runtime.tracing import accepting, annotate


class PrintSink:
    async def send(self, signals: list[SignalReceived], quarantined: list[InputQuarantined]) -> None:
        for event in [*signals, *quarantined]:
            print(event.model_dump_json())


class KafkaSink:
    def __init__(self, publisher: KafkaPublisher) -> None:
        self._publisher = publisher

    async def send(self, signals: list[SignalReceived], quarantined: list[InputQuarantined]) -> None:
        # All acknowledged (acks=all) before the caller moves its position past them.
        await asyncio.gather(*(self._accept(s) for s in signals),
                             *(self._publisher.publish(Topic.OPS_EVENTS, q) for q in quarantined))

    async def _accept(self, signal: SignalReceived) -> None:
        # Each imported row is a signal of its own: the root of its trace.
        with accepting(signal.channel.value) as accepted:
            annotate(accepted, {"hotline.signal_id": str(signal.signal_id)})
            await self._publisher.publish(Topic.SIGNALS_RECEIVED, signal)


def _positions(settings: PhoneSettings, path: Path) -> PositionStore:
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return PositionStore(settings.state_dir / "cdr-positions" / f"{name}.json")


async def import_cdr(settings: PhoneSettings, path: Path, *, follow: bool, dry_run: bool) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    publisher: KafkaPublisher | None = None
    if not dry_run:
        publisher = KafkaPublisher(settings, source=Service.INTAKE_PHONE.source,
                                   metrics=RuntimeMetrics(Service.INTAKE_PHONE))
        try:
            await publisher.start()
        except BrokerUnavailable as error:
            print(f"hotline-phone: {error}", file=sys.stderr)
            return EXIT_UNAVAILABLE
    layout = settings.layout()
    if layout is not None:
        print(f"CDR layout: {layout.describe()}, from the settings", file=sys.stderr)
    importer = Importer(sink=PrintSink() if dry_run else KafkaSink(publisher),  # type: ignore[arg-type]
                        layout=layout, zone=ZoneInfo(settings.cdr_timezone),
                        secret=settings.reference_secret.get_secret_value().encode(),
                        default_region=settings.default_region,
                        announce=lambda line: print(line, file=sys.stderr))
    # A bar for a whole-file import on a terminal (following a file has no end to measure).
    bar = Progress("CDR import", total=max(os.stat(path).st_size, 1), count=False,
                   enabled=False if follow or dry_run else None)
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
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hotline-phone", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    cdr = commands.add_parser("import-cdr", help="import an Asterisk Master.csv")
    cdr.add_argument("file", type=Path)
    cdr.add_argument("--follow", action="store_true", help="keep reading as the file grows")
    cdr.add_argument("--dry-run", action="store_true",
                     help="print the signals as JSON lines, publish nothing")
    args = parser.parse_args(argv)
    try:
        settings = PhoneSettings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}"
                             for e in error.errors())
        print(f"hotline-phone: configuration error: {problems}", file=sys.stderr)
        return EXIT_CONFIG
    if not args.file.is_file():
        print(f"hotline-phone: {args.file} is not a readable file", file=sys.stderr)
        return EXIT_NO_INPUT
    configure_logging(Service.INTAKE_PHONE, settings.log_level)
    tracing = configure_tracing(Service.INTAKE_PHONE, settings)
    try:
        return asyncio.run(import_cdr(settings, args.file, follow=args.follow, dry_run=args.dry_run))
    finally:
        tracing.shutdown()  # the import's spans go out before the command ends


if __name__ == "__main__":
    sys.exit(main())
