"""The ``hotline-ops stats`` command: its options, reading a file or the topic, and where the outputs go."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Final, TextIO

from contracts import CODEC, DecodeError, Envelope, Header, Topic
from contracts.events import SignalTriaged
from services.ops.stats.counting import Counts, count
from services.ops.stats.rendering import (
    FORMATS,
    render_charts,
    render_csv,
    render_html,
    render_text,
    write_outputs,
)
from services.ops.stats.suppression import DEFAULT_THRESHOLD, suppress
from services.runtime.exit_codes import EXIT_UNAVAILABLE, EXIT_USAGE
from services.runtime.terminal_progress import Progress, track

_MONTH: Final = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_SHOWN_FAILURES: Final = 10


class _UsageError(Exception):
    """A bad option, an unreadable file or an unwritable directory: one line on stderr, exit 2."""


class _TopicUnavailable(Exception):
    """The broker could not be reached or the topic not read in time: one line on stderr, exit 69."""


@dataclass
class _ReadLog:
    """Counts and undecodable records, on stderr (progress is a bar on a terminal). Decode errors name
    fields and kinds, never values."""

    out: TextIO
    read: int = 0
    failed: int = 0

    def record(self) -> None:
        self.read += 1

    def failure(self, where: str, error: DecodeError) -> None:
        self.failed += 1
        if self.failed <= _SHOWN_FAILURES:
            print(f"stats: skipped {where}: {type(error).__name__}: {error}", file=self.out)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", metavar="PATH",
                        help="JSON lines, each a signals.triaged value as the codec writes it ('-': stdin)")
    source.add_argument("--topic", action="store_true",
                        help="read signals.triaged once from the broker (HOTLINE_KAFKA_BOOTSTRAP, "
                             "HOTLINE_TOPIC_PREFIX)")
    parser.add_argument("--from", dest="from_month", metavar="YYYY-MM",
                        help="first month, by when the signal was received (US/Eastern)")
    parser.add_argument("--to", dest="to_month", metavar="YYYY-MM", help="last month, inclusive")
    parser.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD, metavar="N",
                        help=f"counts under this are shown as '<N' (default {DEFAULT_THRESHOLD})")
    parser.add_argument("--out", metavar="DIR", help="write the outputs into DIR instead of stdout")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="text, csv, html, or all (PNG charts too; needs --out). Default: text to "
                             "stdout, all with --out")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                        help="time allowed to read the topic (default 120)")


def run(args: argparse.Namespace) -> int:
    log = _ReadLog(sys.stderr)
    try:
        first, last = _month(args.from_month, "--from"), _month(args.to_month, "--to")
        if first and last and first > last:
            raise _UsageError(f"--from {first} is after --to {last}")
        if args.threshold < 2:
            raise _UsageError("--threshold must be at least 2")
        output = args.format or ("all" if args.out else "text")
        if output == "all" and not args.out:
            raise _UsageError("--format all writes several files: give --out DIR")
        if args.topic:
            counts = count(_topic_signals(args.timeout, log), first=first, last=last)
        else:
            counts = _count_file(args.file, log, first=first, last=last)
    except _UsageError as error:
        print(f"stats: {error}", file=sys.stderr)
        return EXIT_USAGE
    except _TopicUnavailable as error:
        print(f"stats: cannot read {Topic.SIGNALS_TRIAGED.value}: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    print(f"stats: {log.read} records read, {log.failed} undecodable (skipped), {counts.superseded} repeated "
          "or superseded", file=sys.stderr)
    publication = suppress(counts, args.threshold)
    if not args.out:
        render = {"text": render_text, "csv": render_csv}.get(output)
        sys.stdout.write(render(publication) if render else
                         render_html(publication, render_charts(publication)))
        return 0
    try:
        written = write_outputs(publication, Path(args.out), output)
    except OSError as error:
        print(f"stats: cannot write to {args.out}: {error.strerror or type(error).__name__}", file=sys.stderr)
        return EXIT_USAGE
    print(f"stats: wrote {len(written)} files to {args.out}", file=sys.stderr)
    return 0


def _month(raw: str | None, option: str) -> str | None:
    if raw is None:
        return None
    if not _MONTH.match(raw):
        raise _UsageError(f"{option}: expected a month as YYYY-MM, got {raw!r}")
    return raw


def _count_file(path: str, log: _ReadLog, *, first: str | None, last: str | None) -> Counts:
    try:
        with contextlib.ExitStack() as stack:
            stream: BinaryIO = sys.stdin.buffer if path == "-" else stack.enter_context(Path(path).open("rb"))
            size = None if path == "-" else os.fstat(stream.fileno()).st_size
            bar = stack.enter_context(Progress("stats: reading", total=size, count=False))
            return count(_decode_lines(stream, log, bar), first=first, last=last)
    except OSError as error:
        raise _UsageError(f"cannot read {path}: {error.strerror or type(error).__name__}") from None


def _decode_lines(stream: BinaryIO, log: _ReadLog, bar: Progress) -> Iterator[SignalTriaged]:
    # The file holds record values only: give them the headers a signals.triaged record carries, so
    # that lines are decoded by the one codec like records read from the topic.
    envelope = Envelope(id="stats-file", type=SignalTriaged.ce_type(), source="/hotline/ops/stats",
                        time=datetime.now(UTC))
    headers: tuple[Header, ...] = tuple(envelope.to_headers())
    for number, line in enumerate(stream, start=1):
        bar.advance(len(line))
        if not line.strip():
            continue
        log.record()
        try:
            yield CODEC.decode_as(SignalTriaged, line, headers)
        except DecodeError as error:
            log.failure(f"line {number}", error)


def _topic_signals(timeout_s: float, log: _ReadLog) -> list[SignalTriaged]:
    from services.runtime import HotlineError, RuntimeSettings, load_settings
    from services.runtime.topic_reader import read_whole_topic

    settings = load_settings(RuntimeSettings)
    print(f"stats: reading {Topic.SIGNALS_TRIAGED.value} from {settings.kafka_bootstrap}", file=log.out)
    try:
        records = asyncio.run(read_whole_topic(settings, Topic.SIGNALS_TRIAGED, timeout_s=timeout_s))
    except (HotlineError, TimeoutError) as error:  # runtime errors carry kinds and ids only
        raise _TopicUnavailable(str(error)) from error
    signals: list[SignalTriaged] = []
    # In offset order per partition, and a signal's records share one partition.
    for record in track(records, "stats: decoding"):
        log.record()
        try:
            signals.append(CODEC.decode_as(SignalTriaged, record.value, record.headers))
        except DecodeError as error:
            log.failure(f"partition {record.partition} offset {record.offset}", error)
    return signals
