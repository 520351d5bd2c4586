"""``hotline-review purge`` and ``hotline-review hold``: the retention purge by hand and legal holds.

    hotline-review purge [--dry-run] [--json]        remove what the retention schedule says is due
                                                     (dry: list the cases and classes, change nothing)
    hotline-review hold place REF --by SUPERVISOR --reason "court order 24-123"
    hotline-review hold release REF --by SUPERVISOR --reason "order lifted"
    hotline-review hold list [--json]
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy import select

from services.review.config import ReviewSettings
from services.review.db import Database
from services.review.holds import Holds
from services.review.models import User
from services.review.purge import Purge
from services.runtime.terminal_progress import Progress

__all__ = ["add_commands"]


class RetentionUsage(Exception):
    """Settings or arguments that cannot be used: exit 2 with the message."""


def _now() -> datetime:
    return datetime.now(UTC)


def _settings() -> ReviewSettings:
    try:
        return ReviewSettings()
    except ValidationError as error:
        raise RetentionUsage(f"configuration error: {error.errors()[0]['msg']}") from None


def _purge(url: str, args: argparse.Namespace) -> int:
    settings = _settings()
    db = Database(url)
    try:
        purge = Purge(db, settings.retention_schedule(), settings.attachment_dirs(), now=_now,
                      batch=settings.purge_batch)
        with Progress("retention purge" + (" (dry run)" if args.dry_run else ""), count=True) as bar:
            result = purge.run(dry_run=args.dry_run, progress=lambda _n: bar.advance())
    finally:
        db.dispose()
    items = {data_class.value: count for data_class, count in sorted(result.items.items())}
    if args.json:
        print(json.dumps({"dry_run": args.dry_run, "cases": result.cases, "items": items,
                          "held": result.held, "blocked": result.blocked, "outbox_rows": result.outbox_rows,
                          "planned": [{"reference_number": due.reference_number,
                                       "closed_at": due.closed_at.isoformat(),
                                       "classes": [c.value for c in due.classes]}
                                      for due in result.planned]}, sort_keys=True))
        return 0 if not result.blocked else 1
    for due in result.planned:
        print(f"{due.reference_number:<20} closed {due.closed_at:%Y-%m-%d}  would purge "
              f"{', '.join(c.value for c in due.classes)}")
    verb = "would purge" if args.dry_run else "purged"
    counts = ", ".join(f"{name} {count}" for name, count in items.items()) or "nothing"
    print(f"{verb} {result.cases} case(s): {counts}; {result.held} case(s) on legal hold left whole")
    if result.outbox_rows:
        print(f"removed {result.outbox_rows} published event(s) from the outbox")
    if result.blocked:
        print(f"{result.blocked} class(es) could not be removed (a blob store not writable?): "
              "they stay due and the next run retries them")
        return 1
    return 0


def _role(db: Database, username: str) -> str:
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == username.strip().lower(),
                                                 User.active.is_(True)))
    if user is None:
        raise RetentionUsage(f"no active account named {username!r}: --by names the supervisor")
    return user.role


def _hold(url: str, args: argparse.Namespace) -> int:
    db = Database(url)
    try:
        holds = Holds(db, now=_now)
        if args.action == "list":
            rows = holds.all()
            if args.json:
                print(json.dumps([{"reference_number": h.reference_number, "placed_by": h.placed_by,
                                   "placed_at": h.placed_at.isoformat(), "reason": h.reason}
                                  for h in rows]))
            for h in [] if args.json else rows:
                print(f"{h.reference_number:<20} {h.placed_at:%Y-%m-%d} {h.placed_by:<16} {h.reason}")
            return 0
        by = args.by.strip().lower()
        role = _role(db, by)
        if args.action == "place":
            holds.place(args.reference, by=by, role=role, reason=args.reason)
            print(f"{args.reference} is on legal hold: the retention purge leaves it whole")
        else:
            holds.release(args.reference, by=by, role=role, reason=args.reason)
            print(f"{args.reference} is released from legal hold: its retention periods apply again")
        return 0
    finally:
        db.dispose()


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    purge = sub.add_parser("purge", help="remove closed cases' content past its retention period")
    purge.add_argument("--dry-run", action="store_true", help="list what would go; change nothing")
    purge.add_argument("--json", action="store_true")
    purge.set_defaults(run=_purge)

    hold = sub.add_parser("hold", help="legal holds (a held case is never purged)")
    actions = hold.add_subparsers(dest="action", required=True)
    for name, text in (("place", "put a case on legal hold"), ("release", "release a case's hold")):
        command = actions.add_parser(name, help=text)
        command.add_argument("reference", metavar="REFERENCE_NUMBER")
        command.add_argument("--by", required=True, metavar="SUPERVISOR",
                             help="the supervisor who decided it (their review account)")
        command.add_argument("--reason", required=True,
                             help="the order's or request's reference (kept in the audit trail for good)")
        command.set_defaults(run=_hold)
    listing = actions.add_parser("list", help="cases on legal hold")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=_hold)
