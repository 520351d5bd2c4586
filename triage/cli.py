"""``hotline-triage``: triage offline (classify, evaluate, replay), and its model (train, model, ledger).

    hotline-triage classify [FILE]          JSON lines in (stdin by default), one assessment per line out
    hotline-triage evaluate FILE [--json]   precision/recall/F1 per flag, accuracy per class, confusion
    hotline-triage replay --file FILE       re-assess lines that carry a "decided" assessment
    hotline-triage replay --topics          re-assess signals.received against signals.triaged (Kafka)
    hotline-triage train [--check]          fit the model from triage/corpus (train, dev) and write it
    hotline-triage model [--top N]          what the model is: heads, thresholds, its strongest features
    hotline-triage ledger [add BATCH FILE]  the blind batches' first scores; add scores a new batch once

Narratives are read and never printed: outputs carry flags, evidence spans and ids only (an
evidence span quotes the matched words, as the assessment itself does).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from contracts import CODEC, DecodeError, Topic
from contracts.events import SignalReceived, SignalTriaged
from triage import ledger
from triage.evaluation import Report, evaluate
from triage.model import DEFAULT_PATH, TriageModel, default_model
from triage.model_report import describe
from triage.offline import LineError, output_line, signal_from_line
from triage.replay import ReplayReport, Row, replay
from triage.rules import assess, version
from triage.training import CORPUS


def _lines(stream: TextIO) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError:
            raise SystemExit(f"line {number}: not JSON") from None
        if not isinstance(line, dict):
            raise SystemExit(f"line {number}: not a JSON object")
        yield number, line


def _open(path: str | None) -> TextIO:
    if path in (None, "-"):
        return sys.stdin
    return Path(str(path)).open(encoding="utf-8")


def _line_count(path: str | None) -> int | None:
    """How many lines a file holds (the bar's total); None for standard input."""
    if path in (None, "-"):
        return None
    with Path(str(path)).open("rb") as file:
        return sum(1 for raw in file if raw.strip())


def _progress_lines(path: str | None, stream: TextIO, what: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The lines of ``stream`` with a bar (on a terminal) of how many are done."""
    from services.runtime.terminal_progress import Progress  # not for classify: it starts fast

    with Progress(what, total=_line_count(path)) as bar:
        for item in _lines(stream):
            yield item
            bar.advance()


def _assess_line(number: int, line: dict[str, Any], now: datetime) -> dict[str, Any]:
    try:
        signal = signal_from_line(line, now=now)
    except LineError as error:
        raise SystemExit(f"line {number}: {error}") from None
    return output_line(assess(signal, now=now), line.get("id"))


def classify(args: argparse.Namespace) -> int:
    now = _now(args.now)
    out = sys.stdout
    with _open(args.file) as stream:
        for number, line in _lines(stream):
            out.write(json.dumps(_assess_line(number, line, now), ensure_ascii=False) + "\n")
    return 0


def _score(paths: list[str], now: datetime) -> Report:
    pairs = []
    for path in paths:
        with _open(path) as stream:
            for number, line in _progress_lines(path, stream, "evaluate: assessing"):
                labels = line.get("labels")
                if not isinstance(labels, dict):
                    raise SystemExit(f"{path} line {number}: needs 'labels'")
                pairs.append((line.get("id", number), _assess_line(number, line, now), labels))
    return evaluate(pairs)


def evaluate_command(args: argparse.Namespace) -> int:
    report = _score([args.file], _now(args.now))
    if not report.cases:  # no figure at all rather than a perfect one
        print(f"hotline-triage evaluate: {args.file} holds no labelled case", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(report.render())
        if args.misses:
            for miss in report.misses:
                print(json.dumps(miss, ensure_ascii=False))
    return 0


def replay_command(args: argparse.Namespace) -> int:
    now = _now(args.now)
    if args.file:
        report = replay(version(default_model()), _replay_file(args.file, now))
    else:
        from services.runtime import BrokerUnavailable
        from services.runtime.broker_view import MissingTopics
        from services.runtime.exit_codes import EXIT_UNAVAILABLE

        try:
            report = asyncio.run(_replay_topics(args, now))
        except (BrokerUnavailable, MissingTopics) as error:  # one line, not a traceback
            print(f"hotline-triage replay: {error} (is HOTLINE_KAFKA_BOOTSTRAP right?)", file=sys.stderr)
            return EXIT_UNAVAILABLE
    print(json.dumps(report.as_dict(), indent=2) if args.json else report.render())
    return 0


def _replay_file(path: str, now: datetime) -> Iterator[Row]:
    with _open(path) as stream:
        for number, line in _progress_lines(path, stream, "replay: re-assessing"):
            decided, labels = line.get("decided"), line.get("labels")
            yield (str(line.get("id", f"line {number}")), decided if isinstance(decided, dict) else None,
                   _assess_line(number, line, now), labels if isinstance(labels, dict) else None)


async def _replay_topics(args: argparse.Namespace, now: datetime) -> ReplayReport:
    from services.runtime import RuntimeSettings, load_settings
    from services.runtime.terminal_progress import track
    from services.runtime.topic_reader import read_whole_topic

    settings = load_settings(RuntimeSettings)
    received = await read_whole_topic(settings, Topic.SIGNALS_RECEIVED, max_records=args.max)
    triaged_records = await read_whole_topic(settings, Topic.SIGNALS_TRIAGED)
    decided: dict[str, dict[str, Any]] = {}
    for record in triaged_records:  # in offset order per partition: the latest decision wins
        try:
            event = CODEC.decode_as(SignalTriaged, record.value, record.headers)
        except DecodeError:
            continue
        decided[str(event.signal_id)] = output_line(event)
    rows = []
    for record in track(received, "replay: re-assessing"):
        try:
            signal = CODEC.decode_as(SignalReceived, record.value, record.headers)
        except DecodeError:
            continue
        rows.append((str(signal.signal_id), decided.get(str(signal.signal_id)),
                     output_line(assess(signal, now=now))))
    return replay(version(default_model()), rows)


def train_command(args: argparse.Namespace) -> int:
    from triage.training import train_and_write

    return train_and_write(Path(args.corpus), Path(args.out), seed=args.seed, check=args.check)


def model_command(args: argparse.Namespace) -> int:
    model = default_model() if args.path is None else TriageModel.load(Path(args.path))
    print(describe(model, top=args.top))
    return 0


def ledger_command(args: argparse.Namespace) -> int:
    if args.action == "add":
        if not args.batch or not args.files:
            raise SystemExit("usage: hotline-triage ledger add BATCH FILE [FILE ...]")
        report = _score(args.files, _now(args.now))
        try:
            entry = ledger.add(args.batch, report, version(default_model()), today=_now(args.now).date(),
                               note=args.note or "")
        except ledger.AlreadyScored as error:
            raise SystemExit(str(error)) from None
        print(ledger.render([entry]))
        return 0
    print(ledger.render(ledger.entries()))
    return 0


def _now(raw: str | None) -> datetime:
    if not raw:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="hotline-triage", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = root.add_subparsers(dest="command", required=True)
    c = commands.add_parser("classify", help="assess JSON lines (a file or stdin)")
    c.add_argument("file", nargs="?", help="JSON-lines file; '-' or nothing for stdin")
    c.set_defaults(run=classify)
    e = commands.add_parser("evaluate", help="score the rules on a labelled JSON-lines file")
    e.add_argument("file")
    e.add_argument("--json", action="store_true", help="machine-readable figures")
    e.add_argument("--misses", action="store_true", help="print every wrong case (ids and fields)")
    e.set_defaults(run=evaluate_command)
    r = commands.add_parser("replay", help="what the current rules would change on past signals")
    source = r.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", help="JSON lines, each an input line with an optional 'decided' object")
    source.add_argument("--topics", action="store_true",
                        help="signals.received against signals.triaged (HOTLINE_KAFKA_BOOTSTRAP, "
                             "HOTLINE_TOPIC_PREFIX)")
    r.add_argument("--max", type=int, default=None, help="at most this many signals")
    r.add_argument("--json", action="store_true")
    r.set_defaults(run=replay_command)
    t = commands.add_parser("train", help="fit the model from the corpus (train, dev) and write it")
    t.add_argument("--corpus", default=str(CORPUS), help="the corpus folder (default: triage/corpus)")
    t.add_argument("--out", default=str(DEFAULT_PATH), help="where to write the model")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--check", action="store_true",
                   help="write nothing; fail if the fitted model differs from the one at --out")
    t.set_defaults(run=train_command)
    m = commands.add_parser("model", help="what the model is: heads, thresholds, strongest features")
    m.add_argument("--top", type=int, default=10, help="features shown per class")
    m.add_argument("--path", default=None, help="a model file (default: the packaged one)")
    m.set_defaults(run=model_command)
    g = commands.add_parser("ledger", help="the first scores of blind batches; add scores a new one once")
    g.add_argument("action", nargs="?", choices=["show", "add"], default="show")
    g.add_argument("batch", nargs="?", help="the batch's name (add)")
    g.add_argument("files", nargs="*", help="its labelled JSON-lines files (add)")
    g.add_argument("--note", help="a line kept with the score (add)")
    g.set_defaults(run=ledger_command)
    for sub in (c, e, r, g):
        sub.add_argument("--now", help="ISO time used as the triage time (default: now); received_at "
                                       "defaults to it too")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as Unix tools do
        sys.stderr.close()
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
