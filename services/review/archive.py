"""A lawful-request archive: a zip of one case's record, a manifest of SHA-256 digests, an Ed25519 signature.

``manifest.json`` names every other file of the archive with its digest and size, and who asked,
who approved and when; ``manifest.sig`` is the Ed25519 signature of the manifest's exact bytes
under the hotline's export key (``HOTLINE_EXPORT_SIGNING_KEY``). Whoever holds the public key can
check that nothing was changed, added or removed since the hotline made it: ``verify`` (and
``hotline-review export-archive verify``). Pure: bytes in, bytes out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

MANIFEST: Final = "manifest.json"
SIGNATURE: Final = "manifest.sig"
FORMAT: Final = "hotline-case-export/1"
# Fixed member times: the same record makes the same bytes (a zip stores a time per member).
_EPOCH: Final = (1980, 1, 1, 0, 0, 0)


class ArchiveKeyError(ValueError):
    """A signing or public key that cannot be read."""


def signing_key(encoded: str) -> Ed25519PrivateKey:
    """The export key from settings: the 32-byte Ed25519 private key, base64."""
    try:
        raw = base64.b64decode(encoded.strip(), validate=True)
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (binascii.Error, ValueError) as error:
        raise ArchiveKeyError("the export signing key must be 32 bytes of Ed25519 private key, "
                              "base64") from error


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as verifiers are given it: 32 bytes, base64."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def public_key(encoded: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(encoded.strip(), validate=True))
    except (binascii.Error, ValueError) as error:
        raise ArchiveKeyError("the public key must be 32 bytes of Ed25519 public key, base64") from error


def new_signing_key() -> str:
    """A fresh export key, base64, for ``HOTLINE_EXPORT_SIGNING_KEY``."""
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode()


def build(files: Mapping[str, Any], about: Mapping[str, Any], key: Ed25519PrivateKey) -> bytes:
    """The archive of ``files`` (name -> JSON-able content), described by ``about`` and signed."""
    contents = {name: _json(value) for name, value in sorted(files.items())}
    manifest = _json({
        "format": FORMAT, **about, "public_key": public_key_text(key),
        "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                  for name, data in contents.items()}})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in (*contents.items(), (MANIFEST, manifest),
                           (SIGNATURE, base64.b64encode(key.sign(manifest)) + b"\n")):
            archive.writestr(zipfile.ZipInfo(name, date_time=_EPOCH), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@dataclass(frozen=True)
class Verification:
    ok: bool
    problems: tuple[str, ...]
    manifest: dict[str, Any] | None


def verify(data: bytes, key: Ed25519PublicKey) -> Verification:
    """Whether the archive is exactly what the holder of the export key signed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if len(names) != len(set(names)):
                return _bad("a file name appears twice in the archive")
            members = {name: archive.read(name) for name in names}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        return _bad(f"not a readable zip archive ({type(error).__name__})")
    manifest_bytes, signature = members.pop(MANIFEST, None), members.pop(SIGNATURE, None)
    if manifest_bytes is None or signature is None:
        return _bad(f"the archive has no {MANIFEST} or no {SIGNATURE}")
    try:
        key.verify(base64.b64decode(signature.strip(), validate=True), manifest_bytes)
    except (InvalidSignature, binascii.Error, ValueError):
        return _bad("the manifest's signature does not verify under this public key")
    manifest = json.loads(manifest_bytes)
    listed: dict[str, Any] = manifest.get("files", {})
    problems = []
    for name in sorted(set(listed) | set(members)):
        if name not in members:
            problems.append(f"{name}: listed in the manifest, missing from the archive")
        elif name not in listed:
            problems.append(f"{name}: in the archive, not in the manifest")
        elif hashlib.sha256(members[name]).hexdigest() != listed[name]["sha256"]:
            problems.append(f"{name}: its SHA-256 differs from the manifest's")
    return Verification(not problems, tuple(problems), manifest)


def _bad(problem: str) -> Verification:
    return Verification(False, (problem,), None)


def _json(value: Any) -> bytes:
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return (text + "\n").encode("utf-8")
