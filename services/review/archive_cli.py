"""``hotline-review export-archive``: make the export key, show its public half, verify an archive.

    hotline-review export-archive new-key                  a new HOTLINE_EXPORT_SIGNING_KEY (keep it secret)
    hotline-review export-archive public-key               the public key of HOTLINE_EXPORT_SIGNING_KEY
    hotline-review export-archive verify FILE --public-key KEY [--json]
                                                           exit 0 intact, 1 changed or not ours
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from services.review import archive
from services.runtime.exit_codes import EXIT_FAILED, EXIT_USAGE


def _new_key(_url: str, _args: argparse.Namespace) -> int:
    print(archive.new_signing_key())
    return 0


def _public_key(_url: str, _args: argparse.Namespace) -> int:
    encoded = os.environ.get("HOTLINE_EXPORT_SIGNING_KEY")
    if not encoded:
        print("hotline-review: HOTLINE_EXPORT_SIGNING_KEY is not set", file=sys.stderr)
        return EXIT_USAGE
    try:
        print(archive.public_key_text(archive.signing_key(encoded)))
    except archive.ArchiveKeyError as error:
        print(f"hotline-review: {error}", file=sys.stderr)
        return EXIT_USAGE
    return 0


def _verify(_url: str, args: argparse.Namespace) -> int:
    try:
        key = archive.public_key(args.public_key)
        data = Path(args.file).read_bytes()
    except (archive.ArchiveKeyError, OSError) as error:
        print(f"hotline-review: {error}", file=sys.stderr)
        return EXIT_USAGE
    result = archive.verify(data, key)
    manifest: dict[str, Any] = result.manifest or {}
    if args.json:
        print(json.dumps({"ok": result.ok, "problems": list(result.problems),
                          "export_id": manifest.get("export_id"),
                          "reference_number": manifest.get("reference_number")}, sort_keys=True))
    elif result.ok:
        print(f"archive intact: {len(manifest.get('files', {}))} files of case "
              f"{manifest.get('reference_number')}, export {manifest.get('export_id')}, approved by "
              f"{manifest.get('approved_by')} at {manifest.get('approved_at')}")
    else:
        print("archive NOT VERIFIED: " + "; ".join(result.problems))
    return 0 if result.ok else EXIT_FAILED


def add_commands(sub: Any) -> None:
    """The ``export-archive`` commands, on ``hotline-review``'s subparsers."""
    commands = sub.add_parser("export-archive", help="lawful-request archives: the signing key, verification"
                              ).add_subparsers(dest="action", required=True)
    commands.add_parser("new-key", help="print a new signing key for HOTLINE_EXPORT_SIGNING_KEY"
                        ).set_defaults(run=_new_key)
    commands.add_parser("public-key", help="print the public key that verifies this hotline's archives"
                        ).set_defaults(run=_public_key)
    verify = commands.add_parser("verify", help="check an archive's signature and digests (exit 1 if not)")
    verify.add_argument("file")
    verify.add_argument("--public-key", required=True, help="the hotline's export public key, base64")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(run=_verify)
