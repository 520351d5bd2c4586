"""``hotline-review``: the case store's schema, staff accounts and API tokens, and the audit trail.

    hotline-review migrate                                              schema to the latest revision
    hotline-review user add --username U --name "N" --role R [--password-stdin]
    hotline-review user deactivate U
    hotline-review mfa reset U --by SUPERVISOR                          a lost phone: remove U's second
                                                                       factor (audited, names who asked)
    hotline-review mfa list [--json]                                    who has a second factor, codes left
    hotline-review token add --username U --name N                     prints the token, once
    hotline-review token revoke --username U --name N
    hotline-review audit verify [--expect-head SEQ:HASH] [--json]      exit 0 intact, 1 tampered
    hotline-review audit head [--json]                                 record it outside the database
    hotline-review export-labels [--all] [--out FILE]                  supervisors' flag corrections as
                                                                       labelled cases (audited)
    hotline-review purge [--dry-run] [--json]                          the retention purge (retention_cli)
    hotline-review hold place|release|list ...                         legal holds (retention_cli)
    hotline-review demo-users                                          local runs only: alice, bob, ana
    hotline-review export-archive new-key|public-key|verify FILE --public-key KEY
                                                                       lawful-request archives (archive_cli)

The database is ``HOTLINE_REVIEW_DATABASE_URL`` (default ``sqlite:///.local/review.sqlite3``).
Exit codes: 0 done, 1 refused or tampered, 2 usage, 69 database unavailable.
"""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from services.review import archive_cli, audit
from services.review.auth import Auth, AuthError, Role, password_problem
from services.review.db import Database, migrate
from services.review.holds import HoldError
from services.review.mfa import MfaError
from services.review.retention_cli import RetentionUsage, add_commands
from services.runtime.exit_codes import EXIT_FAILED, EXIT_UNAVAILABLE, EXIT_USAGE

PROG = "hotline-review"
EXIT_REFUSED = EXIT_FAILED
_HEAD = re.compile(r"^(\d+):([0-9a-f]{64})$")


class _CliSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_", extra="ignore", frozen=True)

    review_database_url: SecretStr = SecretStr("sqlite:///.local/review.sqlite3")


class _Usage(Exception):
    """Bad input from the person at the keyboard: exit 2 with the message."""


def _fail(message: str, code: int) -> NoReturn:
    print(f"{PROG}: {message}", file=sys.stderr)
    raise SystemExit(code)


def _url() -> str:
    try:
        return _CliSettings().review_database_url.get_secret_value()
    except ValidationError as error:
        _fail(f"configuration error: {error.errors()[0]['msg']}", EXIT_USAGE)


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable URL)"


def _operator() -> str:
    """Who ran the command, for the audit trail."""
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):
        return "cli"


@contextmanager
def _database(url: str) -> Iterator[Database]:
    db = Database(url)
    try:
        yield db
    finally:
        db.dispose()


@contextmanager
def _auth(url: str) -> Iterator[Auth]:
    # Account operations only: the session settings are the app's business, not the CLI's.
    with _database(url) as db:
        yield Auth(db, session_ttl=timedelta(hours=1), cookie_secure=True, now=lambda: datetime.now(UTC))


def expect_head(text: str) -> tuple[int, str]:
    match = _HEAD.match(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not SEQ:HASH (as printed by '{PROG} audit head')")
    return int(match[1]), match[2]


# ------------------------------------------------------------------ commands

def _migrate(url: str, _args: argparse.Namespace) -> int:
    migrate(url)
    print(f"schema is at the latest revision: {_shown(url)}")
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    if not sys.stdin.isatty():
        raise _Usage("no terminal to ask for the password on; pipe it in with --password-stdin")
    first = getpass.getpass("Password (12 characters or more): ")
    problem = password_problem(first, args.username)
    if problem is not None:
        raise _Usage(problem)
    if getpass.getpass("The same password again: ") != first:
        raise _Usage("the two passwords differ")
    return first


def _user_add(url: str, args: argparse.Namespace) -> int:
    role = Role(args.role)
    if role is Role.SERVICE:
        if args.password_stdin:
            raise _Usage("service accounts have no password; give them a token with 'token add'")
        password = None
    else:
        password = _read_password(args)
        problem = password_problem(password, args.username)
        if problem is not None:
            raise _Usage(problem)
    with _auth(url) as auth:
        auth.create_user(args.username, args.name, role, password, by=_operator())
    print(f"user {args.username.strip().lower()} added ({role.value})")
    return 0


def _user_deactivate(url: str, args: argparse.Namespace) -> int:
    with _auth(url) as auth:
        auth.deactivate(args.username, by=_operator())
    print(f"user {args.username} deactivated: sessions ended, tokens revoked")
    return 0


def _mfa_reset(url: str, args: argparse.Namespace) -> int:
    with _auth(url) as auth:
        auth.mfa.reset(args.username, by=args.by, operator=_operator())
    print(f"two-step sign-in of {args.username.strip().lower()} removed: sessions ended; the next sign-in "
          "sets it up again where it is required")
    return 0


def _mfa_list(url: str, args: argparse.Namespace) -> int:
    with _auth(url) as auth:
        rows = auth.mfa.overview()
    if args.json:
        print(json.dumps([{"username": name, "role": role, "second_factor": on, "recovery_codes": left}
                          for name, role, on, left in rows]))
        return 0
    for name, role, on, left in rows:
        state = f"on, {left} recovery code{'s' if left != 1 else ''} left" if on else "OFF"
        print(f"{name:<24} {role:<10} {state}")
    return 0


def _token_add(url: str, args: argparse.Namespace) -> int:
    with _auth(url) as auth:
        token = auth.create_token(args.username, args.name, by=_operator())
    print(token)
    print("This token is shown once and cannot be recovered; store it now.", file=sys.stderr)
    return 0


def _token_revoke(url: str, args: argparse.Namespace) -> int:
    with _auth(url) as auth:
        revoked = auth.revoke_token(args.username, args.name, by=_operator())
    if not revoked:
        print(f"{PROG}: {args.username} has no live token named {args.name!r}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"revoked {revoked} token(s) named {args.name!r} of {args.username}")
    return 0


def _audit_verify(url: str, args: argparse.Namespace) -> int:
    with _database(url) as db:
        result = audit.verify(db, expect_head=args.expect_head)
    if args.json:
        print(json.dumps(asdict(result), sort_keys=True))
    elif result.ok:
        head = f"{result.head[0]}:{result.head[1]}" if result.head is not None else "none"
        print(f"audit trail intact: {result.rows_checked} rows, head {head}")
    else:
        print(f"audit trail TAMPERED: first bad seq {result.first_bad_seq} "
              f"({result.rows_checked} rows read): {result.problem}")
    return 0 if result.ok else EXIT_REFUSED


def _audit_head(url: str, args: argparse.Namespace) -> int:
    with _database(url) as db:
        seq, digest = audit.head(db)
    print(json.dumps({"seq": seq, "hash": digest}) if args.json else f"{seq}:{digest}")
    return 0


def _export_labels(url: str, args: argparse.Namespace) -> int:
    from pathlib import Path

    from services.review import labels

    with _database(url) as db:
        lines = list(labels.export(db, actor=_operator(), now=lambda: datetime.now(UTC), everything=args.all))
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    if args.out in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    corrected = sum(1 for line in lines if line["meta"]["human"])
    print(f"{len(lines)} labelled signals ({corrected} with a person's correction); each case read is "
          "in the audit trail", file=sys.stderr)
    return 0


DEMO_USERS = (("alice", "Alice (demo supervisor)", Role.SUPERVISOR),
              ("bob", "Bob (demo supervisor)", Role.SUPERVISOR),
              ("ana", "Ana (demo analyst)", Role.ANALYST))


def _demo_users(url: str, _args: argparse.Namespace) -> int:
    """Demo accounts with fresh random passwords, for a local run (``HOTLINE_ENVIRONMENT=dev``)."""
    import os
    import secrets

    from sqlalchemy import update

    from services.review.models import User

    if os.environ.get("HOTLINE_ENVIRONMENT", "dev") != "dev":
        raise _Usage("demo-users is for a local run (HOTLINE_ENVIRONMENT=dev) only")
    migrate(url)
    lines = []
    with _auth(url) as auth:
        for order, (username, name, role) in enumerate(DEMO_USERS):
            password = "-".join(secrets.token_hex(3) for _ in range(4))
            try:
                auth.create_user(username, name, role, password, by="demo-users")
            except AuthError:
                auth.set_password(username, password, by="demo-users")
            with auth.db.transaction() as session:
                session.execute(update(User).where(User.username == username)
                                .values(on_shift=role is Role.SUPERVISOR, shift_order=order))
            lines.append(f"{username:<6} {password}   {role.value}")
    print("Demo accounts for the local review app (sign in at /login):")
    print("\n".join(lines))
    return 0


# ------------------------------------------------------------------ entry

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=(__doc__ or "").split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="bring the schema to the latest revision").set_defaults(run=_migrate)

    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="action", required=True)
    add = user.add_parser("add", help="add an account (asks for the password twice)")
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True, help="the name staff see, e.g. 'Dana Ortiz'")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--password-stdin", action="store_true", help="read it from stdin")
    add.set_defaults(run=_user_add)
    deactivate = user.add_parser("deactivate", help="end an account: no sign-in, sessions and tokens ended")
    deactivate.add_argument("username")
    deactivate.set_defaults(run=_user_deactivate)

    mfa = sub.add_parser("mfa", help="staff two-step sign-in").add_subparsers(dest="action", required=True)
    reset = mfa.add_parser("reset", help="remove an account's second factor (a lost phone), audited")
    reset.add_argument("username")
    reset.add_argument("--by", required=True, metavar="SUPERVISOR",
                       help="the supervisor or admin who checked who is asking (not the account itself)")
    reset.set_defaults(run=_mfa_reset)
    listing = mfa.add_parser("list", help="accounts with a password: second factor on or off, codes left")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=_mfa_list)

    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="action", required=True)
    for name, run, text in (("add", _token_add, "make a token (printed once)"),
                            ("revoke", _token_revoke, "revoke a user's tokens by name")):
        command = token.add_parser(name, help=text)
        command.add_argument("--username", required=True)
        command.add_argument("--name", required=True, help="what the token is for, e.g. 'ops-export'")
        command.set_defaults(run=run)

    trail = sub.add_parser("audit", help="the audit trail").add_subparsers(dest="action", required=True)
    verify = trail.add_parser("verify", help="check the hash chain (exit 1 if tampered)")
    verify.add_argument("--expect-head", type=expect_head, default=None, metavar="SEQ:HASH",
                        help="a head recorded earlier with 'audit head': catches a removed or rewritten tail")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(run=_audit_verify)
    head = trail.add_parser("head", help="print the last entry's SEQ:HASH, to record outside the database")
    head.add_argument("--json", action="store_true")
    head.set_defaults(run=_audit_head)
    export = sub.add_parser("export-labels", help="flag corrections as labelled cases for hotline-triage")
    export.add_argument("--all", action="store_true", help="every triaged signal, not only corrected cases")
    export.add_argument("--out", help="a file (default: standard output); it holds narratives: keep it safe")
    export.set_defaults(run=_export_labels)
    add_commands(sub)
    demo = sub.add_parser("demo-users", help="local runs: demo accounts with new passwords")
    demo.set_defaults(run=_demo_users)
    archive_cli.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # exits 2 on a usage error
    url = _url()
    try:
        return int(args.run(url, args))
    except (_Usage, RetentionUsage) as error:
        _fail(str(error), EXIT_USAGE)
    except (AuthError, MfaError, HoldError) as error:
        _fail(str(error), EXIT_REFUSED)
    except ArgumentError as error:
        _fail(f"HOTLINE_REVIEW_DATABASE_URL is not a database URL: {error}", EXIT_USAGE)
    except DBAPIError as error:
        reason = (str(error.orig).strip().splitlines() or [type(error.orig).__name__])[0]
        missing = "no such table" in reason or ("relation" in reason and "does not exist" in reason)
        hint = f" (run '{PROG} migrate' first?)" if missing else ""
        _fail(f"database error at {_shown(url)}: {reason}{hint}", EXIT_UNAVAILABLE)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
