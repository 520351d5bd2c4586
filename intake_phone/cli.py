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
import sys
from pathlib import Path

from intake_phone.main import import_cdr_command


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
    return import_cdr_command(args.file, follow=args.follow, dry_run=args.dry_run)


if __name__ == "__main__":
    sys.exit(main())
