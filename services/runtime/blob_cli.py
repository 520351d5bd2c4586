"""``hotline-blobs``: make a blob key, count blobs by key, and re-encrypt a store under the current key.

    hotline-blobs new-key                  a new key id and key, and how to add them to the settings
    hotline-blobs status DIR [DIR ...]     how many blobs are plain, sealed under each key, unreadable
    hotline-blobs reencrypt DIR [DIR ...]  seal every blob under HOTLINE_BLOB_KEY_ID (plain ones too)

Reads ``HOTLINE_BLOB_KEYS`` and ``HOTLINE_BLOB_KEY_ID`` as the services do. Re-encryption is safe
to stop and run again: each blob is opened, checked against its name, sealed under the current
key and renamed into place, so a blob is at any moment either its old file or its new one. Run it
after a rotation, then remove the old key from the settings once ``status`` shows none left.
Prints counts, never a blob's name or content.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import ValidationError

from services.runtime.blob_keys import BlobKeys, BlobKeySettings, new_key, sealed_with
from services.runtime.blobs import is_blob_name, readable, write_atomically
from services.runtime.terminal_progress import Progress

EXIT_USAGE = 64  # sysexits: the command was used wrongly
EXIT_CONFIG = 78  # sysexits: the settings are unusable
EXIT_DAMAGED = 65  # sysexits: some input could not be read


def stored_blobs(root: Path) -> Iterator[Path]:
    """Every blob file under a store's root (``ab/cd/<sha256>``), never its temporary files."""
    for path in sorted(root.glob("??/??/*")):
        if path.is_file() and is_blob_name(path.name):
            yield path


def _roots(names: Sequence[str]) -> list[Path]:
    roots = [Path(name) for name in names]
    missing = [str(root) for root in roots if not root.is_dir()]
    if missing:
        raise SystemExit(f"hotline-blobs: no such blob store: {', '.join(missing)}")
    return roots


def status(roots: Sequence[Path], keys: BlobKeys | None) -> Counter[str]:
    counts: Counter[str] = Counter()
    for root in roots:
        for path in stored_blobs(root):
            raw = path.read_bytes()
            try:
                readable(raw, path.name, keys)
            except OSError:
                counts["unreadable"] += 1
                continue
            key_id = sealed_with(raw)
            plain = key_id is None or hashlib.sha256(raw).hexdigest() == path.name
            counts["plain" if plain else f"key {key_id}"] += 1
    return counts


def reencrypt(roots: Sequence[Path], keys: BlobKeys, *, progress: Progress | None = None) -> Counter[str]:
    counts: Counter[str] = Counter()
    for root in roots:
        for path in stored_blobs(root):
            raw = path.read_bytes()
            if sealed_with(raw) == keys.current and _opens(raw, path.name, keys):
                counts["already current"] += 1
            else:
                try:
                    plain = readable(raw, path.name, keys)
                except OSError:
                    counts["unreadable (left as it was)"] += 1
                else:
                    write_atomically(path, keys.seal(plain, path.name))
                    counts["re-encrypted"] += 1
            if progress is not None:
                progress.advance()
    return counts


def _opens(raw: bytes, name: str, keys: BlobKeys) -> bool:
    try:
        readable(raw, name, keys)
    except OSError:
        return False
    return True


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotline-blobs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("new-key", help="print a new key id and key")
    for name, text in (("status", "count blobs by key"),
                       ("reencrypt", "seal every blob under the current key")):
        command = commands.add_parser(name, help=text)
        command.add_argument("dirs", nargs="+", metavar="DIR", help="a blob store's root (HOTLINE_BLOB_DIR)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "new-key":
        key_id, key = new_key()
        print(json.dumps({key_id: key}))
        print(f"add it to HOTLINE_BLOB_KEYS (keep the older keys listed), set HOTLINE_BLOB_KEY_ID={key_id}, "
              "restart the intakes and review, then run: hotline-blobs reencrypt DIR", file=sys.stderr)
        return 0
    try:
        keys = BlobKeySettings().blob_keyring()
    except ValidationError as error:
        print(f"hotline-blobs: {error.errors()[0]['msg']}", file=sys.stderr)
        return EXIT_CONFIG
    roots = _roots(args.dirs)
    if args.command == "status":
        counts = status(roots, keys)
    else:
        if keys is None:
            print("hotline-blobs: set HOTLINE_BLOB_KEYS (and HOTLINE_BLOB_KEY_ID) to re-encrypt",
                  file=sys.stderr)
            return EXIT_USAGE
        total = sum(1 for root in roots for _ in stored_blobs(root))
        with Progress("re-encrypting blobs", total=total) as bar:
            counts = reencrypt(roots, keys, progress=bar)
    for label in sorted(counts):
        print(f"{label}: {counts[label]}")
    if not counts:
        print("no blobs")
    return EXIT_DAMAGED if any(label.startswith("unreadable") for label in counts) else 0
