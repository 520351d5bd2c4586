"""``hotline-ops``: watch the running system, and publish its statistics.

    hotline-ops status [--json]                        liveness, lag, dead letters, spools, urgent alerts
    hotline-ops tail [--service S] [--kind K] [--severity warning] [--since 10m] [--json] [--no-follow]
    hotline-ops stats [--topic | --file F] [--out DIR] aggregate, suppressed statistics (CSV, PNG, HTML)

Reads the broker named by ``HOTLINE_KAFKA_BOOTSTRAP`` (and ``HOTLINE_TOPIC_PREFIX``) without a
consumer group: looking never moves anyone's offsets. Prints ids, names and counts, never content.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError

from contracts.events import InputQuarantined, OpsEvent, OpsKind, Severity
from services.ops import stats
from services.ops.collect import OPS_TOPICS, broker_snapshot, folded_state
from services.ops.render import SEVERITY_RANK, event_json, event_line, severity_of, status_data, status_text
from services.ops.state import OpsState
from services.runtime import BrokerUnavailable, RuntimeSettings
from services.runtime.broker_view import MissingTopics, TopicFollower
from services.runtime.exit_codes import EXIT_FAILED, EXIT_UNAVAILABLE

EXIT_ATTENTION = EXIT_FAILED  # status: something needs a person (a silent service, an old urgent alert)

_DURATION = re.compile(r"^(\d+)([smhd])$")


def duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 90s, 10m, 2h or 1d")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match[2]]
    return timedelta(**{unit: int(match[1])})


def _settings() -> RuntimeSettings:
    try:
        return RuntimeSettings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                             for e in error.errors(include_input=False, include_url=False))
        raise SystemExit(f"configuration error: {problems}") from None


def _colour(choice: str) -> bool:
    return sys.stdout.isatty() if choice == "auto" else choice == "always"


# ------------------------------------------------------------------ status

async def _status(args: argparse.Namespace) -> int:
    settings = _settings()
    now = datetime.now(UTC)
    state, snapshot = await asyncio.gather(
        folded_state(settings, history=args.history, timeout_s=args.timeout),
        broker_snapshot(settings))
    data = status_data(state, snapshot, now=now, silent_after=args.silent_after)
    if args.json:
        print(json.dumps(data, indent=2, sort_keys=True))
    else:
        print(status_text(data, colour=_colour(args.color), urgent_ack_s=args.urgent_ack.total_seconds()))
    oldest = data["oldest_unacknowledged"]
    attention = (any(s["state"] == "silent" for s in data["services"].values())
                 or (oldest is not None and oldest["age_s"] >= args.urgent_ack.total_seconds()))
    return EXIT_ATTENTION if attention else 0


# ------------------------------------------------------------------ tail

def _wanted(event: OpsEvent | InputQuarantined, args: argparse.Namespace) -> bool:
    kind = "quarantine" if isinstance(event, InputQuarantined) else event.kind.value
    if args.service and event.service not in args.service:
        return False
    if args.kind and kind not in args.kind:
        return False
    return SEVERITY_RANK[severity_of(event)] >= SEVERITY_RANK[Severity(args.severity)]


async def _tail(args: argparse.Namespace) -> int:
    settings = _settings()
    follower = TopicFollower(settings, OPS_TOPICS, client_id="hotline.ops.tail")
    await follower.start(since=datetime.now(UTC) - args.since)
    state = OpsState()
    colour = _colour(args.color)
    shown = 0
    try:
        async for batch in follower.batches(timeout_ms=500):
            for record in batch:
                event = state.apply(record)
                if not isinstance(event, OpsEvent | InputQuarantined) or not _wanted(event, args):
                    continue
                print(event_json(event) if args.json else event_line(event, colour=colour), flush=True)
                shown += 1
                if args.max is not None and shown >= args.max:
                    return 0
            if args.no_follow and await follower.caught_up():
                return 0
    finally:
        await follower.stop()
        if state.undecodable:
            print(f"{state.undecodable} records on ops.events could not be decoded", file=sys.stderr)
    return 0


# ------------------------------------------------------------------ entry

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotline-ops", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    status = sub.add_parser("status", help="one screen: liveness, lag, dead letters, spools, urgent alerts")
    status.add_argument("--json", action="store_true", help="one JSON document instead of the screen")
    status.add_argument("--history", type=duration, default=timedelta(minutes=15),
                        help="how far back to look for heartbeats (default 15m)")
    status.add_argument("--silent-after", type=duration, default=timedelta(seconds=60),
                        help="a service with no heartbeat for this long is silent (default 60s)")
    status.add_argument("--urgent-ack", type=duration, default=timedelta(minutes=5),
                        help="an urgent alert unanswered this long needs a person (default 5m)")
    status.add_argument("--timeout", type=float, default=60.0, help="seconds to read the streams")
    status.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    tail = sub.add_parser("tail", help="follow ops.events, filtered")
    tail.add_argument("--service", action="append", help="only this service (repeatable)")
    tail.add_argument("--kind", action="append",
                      choices=[k.value for k in OpsKind] + ["quarantine"], help="only this kind (repeatable)")
    tail.add_argument("--severity", choices=[s.value for s in Severity], default="info",
                      help="at least this severity (default info: everything)")
    tail.add_argument("--since", type=duration, default=timedelta(minutes=10),
                      help="start this far back (default 10m)")
    tail.add_argument("--json", action="store_true", help="JSON lines instead of coloured text")
    tail.add_argument("--no-follow", action="store_true", help="stop at the end of the topic")
    tail.add_argument("--max", type=int, default=None, help="stop after this many events")
    tail.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    stats.configure_parser(sub.add_parser("stats", help="aggregate statistics with small-number suppression"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The Kafka client narrates every retry at WARNING; the command says what matters itself.
    logging.basicConfig(level=logging.ERROR, format="%(name)s: %(message)s")
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        if args.command == "status":
            return asyncio.run(_status(args))
        if args.command == "tail":
            return asyncio.run(_tail(args))
        return stats.run(args)
    except MissingTopics as error:
        print(f"hotline-ops: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except BrokerUnavailable as error:
        print(f"hotline-ops: {error} (is HOTLINE_KAFKA_BOOTSTRAP right?)", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except TimeoutError as error:
        print(f"hotline-ops: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
