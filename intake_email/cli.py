"""``hotline-email parse PATH...``: how the intake reads a puzzling message, without IMAP or Kafka.

For each .eml file, or each message of an mbox file, prints one JSON line: the ``SignalReceived`` it
would produce, or the quarantine reason. Nothing is stored or sent. The output contains the message's
content and sender: run it only where that is allowed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import mailbox
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from intake_email.parse import Unparseable, parse
from intake_email.translate import attachment_ref, related_for, to_signal
from services.runtime.exit_codes import EXIT_NO_INPUT, EXIT_OK

_INSPECTION_SECRET = b"hotline-email parse: reference numbers here are not the live ones"


def _messages(path: Path) -> Iterator[tuple[str, bytes]]:
    data = path.read_bytes()
    if data.startswith(b"From "):
        for index, message in enumerate(mailbox.mbox(path, create=False)):
            yield f"{path}#{index + 1}", message.as_bytes()
    else:
        yield str(path), data


def inspect(name: str, raw: bytes, index: int) -> dict[str, object]:
    raw_sha256 = hashlib.sha256(raw).hexdigest()
    try:
        parsed = parse(raw)
    except Unparseable as unparseable:
        return {"input": name, "quarantine": unparseable.reason, "raw_sha256": raw_sha256}
    attachments = [attachment_ref(hashlib.sha256(a.data).hexdigest(), a.content_type, len(a.data), a.filename)
                   for a in parsed.attachments]
    signal = to_signal(parsed, mailbox="inspection", uidvalidity=1, uid=index, raw_sha256=raw_sha256,
                       attachments=attachments, received_at=datetime.now(UTC),
                       reference_secret=_INSPECTION_SECRET, related=related_for(parsed, None))
    return {"input": name, "signal": json.loads(signal.model_dump_json()), "defects": list(parsed.defects)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hotline-email", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    parse_command = commands.add_parser("parse", help="print what each message would become")
    parse_command.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    args = parser.parse_args(argv)
    failures = 0
    index = 0
    for path in args.paths:
        try:
            for name, raw in _messages(path):
                index += 1
                print(json.dumps(inspect(name, raw, index), ensure_ascii=False))
        except OSError as error:
            failures += 1
            print(f"hotline-email: cannot read {path}: {error.strerror or error}", file=sys.stderr)
    return EXIT_NO_INPUT if failures else EXIT_OK  # what it could read is printed either way


if __name__ == "__main__":
    sys.exit(main())
