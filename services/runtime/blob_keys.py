"""Encryption at rest for the blob store: AES-256-GCM under named keys, so keys can rotate.

A sealed blob on disk is ``b"HLB1"``, the key id's length (one byte), the key id (ASCII), a 12-byte
random nonce, then the ciphertext with its 16-byte tag. The associated data is the magic, the key
id and the blob's name (its plaintext's sha256): a file copied under another name, or with its key
id edited, fails to open instead of being read as other evidence. Keys come from settings
(``HOTLINE_BLOB_KEYS``, a JSON object of key id to a base64 32-byte key; ``HOTLINE_BLOB_KEY_ID``
names the one new blobs are sealed with); older keys stay listed until ``hotline-blobs reencrypt``
has moved every blob to the current one. Blobs written before keys were configured are plain and
are still read; the same command seals them.
"""

from __future__ import annotations

import base64
import binascii
import errno
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, Self

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr, model_validator

from services.runtime.settings import RuntimeSettings

MAGIC: Final = b"HLB1"
_NONCE_BYTES: Final = 12
_KEY_BYTES: Final = 32
_KEY_ID: Final = re.compile(r"[A-Za-z0-9._-]{1,64}")
_EXAMPLE: Final = ('HOTLINE_BLOB_KEYS=\'{"2026-12-05": "<base64 of 32 random bytes>"}\' '
                   "(hotline-blobs new-key makes one)")


class BlobKeyError(ValueError):
    """The configured keys are unusable (settings refuse to load)."""


class SealedBlobError(OSError):
    """A sealed blob cannot be opened: its key is not in the ring, or it was altered. An ``OSError``
    like any other unreadable file, so readers treat it as damage, never as missing."""


def sealed_with(raw: bytes) -> str | None:
    """The key id a stored blob was sealed with; None for a plain (pre-encryption) blob."""
    if not raw.startswith(MAGIC) or len(raw) < len(MAGIC) + 1:
        return None
    size = raw[len(MAGIC)]
    key_id = raw[len(MAGIC) + 1:len(MAGIC) + 1 + size]
    try:
        text = key_id.decode("ascii")
    except UnicodeDecodeError:
        return None
    return text if _KEY_ID.fullmatch(text) else None


def _associated(key_id: str, name: str) -> bytes:
    return MAGIC + key_id.encode("ascii") + b"\0" + name.encode("ascii")


def _decode_key(key_id: str, text: object) -> bytes:
    if not isinstance(text, str):
        raise BlobKeyError(f"blob key {key_id!r} must be a base64 string")
    padded = text.strip() + "=" * (-len(text.strip()) % 4)
    try:
        key = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise BlobKeyError(f"blob key {key_id!r} is not base64") from None
    if len(key) != _KEY_BYTES:
        raise BlobKeyError(f"blob key {key_id!r} is {len(key)} bytes; AES-256 needs {_KEY_BYTES}")
    return key


@dataclass(frozen=True)
class BlobKeys:
    """The key ring: every key a stored blob may be sealed with, and the one new blobs get."""

    current: str
    keys: Mapping[str, bytes] = field(repr=False)

    def __post_init__(self) -> None:
        for key_id, key in self.keys.items():
            if not _KEY_ID.fullmatch(key_id):
                raise BlobKeyError(f"blob key id {key_id!r}: use 1-64 letters, digits, '.', '_' or '-'")
            if len(key) != _KEY_BYTES:
                raise BlobKeyError(f"blob key {key_id!r} is {len(key)} bytes; AES-256 needs {_KEY_BYTES}")
        if self.current not in self.keys:
            raise BlobKeyError(f"HOTLINE_BLOB_KEY_ID={self.current!r} is not one of HOTLINE_BLOB_KEYS' ids "
                               f"({', '.join(sorted(self.keys)) or 'none'})")

    @classmethod
    def parse(cls, raw: str, current: str | None = None) -> Self:
        """From the settings' text: a JSON object of key id to base64 key; ``current`` may be left
        out when there is only one key."""
        try:
            table = json.loads(raw)
        except json.JSONDecodeError:
            raise BlobKeyError(f"HOTLINE_BLOB_KEYS is not JSON; for example {_EXAMPLE}") from None
        if not isinstance(table, dict) or not table:
            raise BlobKeyError("HOTLINE_BLOB_KEYS must be a JSON object with at least one key; "
                               f"for example {_EXAMPLE}")
        keys = {str(key_id): _decode_key(str(key_id), text) for key_id, text in table.items()}
        if current is None:
            if len(keys) > 1:
                raise BlobKeyError("several blob keys: name the one that seals new blobs "
                                   "in HOTLINE_BLOB_KEY_ID")
            current = next(iter(keys))
        return cls(current=current, keys=keys)

    def seal(self, data: bytes, name: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        key_id = self.current.encode("ascii")
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, data, _associated(self.current, name))
        return MAGIC + bytes([len(key_id)]) + key_id + nonce + sealed

    def open(self, raw: bytes, name: str) -> bytes:
        """The plaintext of a sealed blob named ``name``; ``SealedBlobError`` if its key is not in
        the ring or it was altered."""
        key_id = sealed_with(raw)
        if key_id is None:
            raise SealedBlobError(errno.EIO, "not a sealed blob")
        key = self.keys.get(key_id)
        if key is None:
            raise SealedBlobError(errno.EACCES, f"a blob is sealed with key {key_id!r}, "
                                  "which HOTLINE_BLOB_KEYS does not hold")
        start = len(MAGIC) + 1 + len(key_id)
        nonce, sealed = raw[start:start + _NONCE_BYTES], raw[start + _NONCE_BYTES:]
        try:
            return AESGCM(key).decrypt(nonce, sealed, _associated(key_id, name))
        except InvalidTag:
            raise SealedBlobError(errno.EIO, "a sealed blob does not open: "
                                  "altered, or stored under another name") from None


def new_key(now: datetime | None = None) -> tuple[str, str]:
    """A fresh key id (the date, so rotations sort) and a base64 key of 32 random bytes."""
    moment = now or datetime.now(UTC)
    return moment.strftime("%Y-%m-%d"), base64.b64encode(os.urandom(_KEY_BYTES)).decode("ascii")


class BlobKeySettings(RuntimeSettings):
    """Settings of a service that writes or reads the blob store (the intakes, review)."""

    # A JSON object of key id to base64 key (32 bytes): every key a stored blob may be sealed with.
    blob_keys: SecretStr | None = None
    # The key new blobs are sealed with; may be left out when HOTLINE_BLOB_KEYS holds one key.
    blob_key_id: str | None = None

    @model_validator(mode="after")
    def _usable_blob_keys(self) -> Self:
        if self.blob_keys is None or not self.blob_keys.get_secret_value().strip():
            if self.environment == "production":
                raise ValueError("production encrypts attachments and raw emails at rest: set "
                                 f"HOTLINE_BLOB_KEYS, for example {_EXAMPLE}")
            if self.blob_key_id:
                raise ValueError("HOTLINE_BLOB_KEY_ID is set but HOTLINE_BLOB_KEYS is empty")
            return self
        self.blob_keyring()  # raises BlobKeyError (a ValueError) with what is wrong
        return self

    def blob_keyring(self) -> BlobKeys | None:
        """The key ring, or None when no keys are configured (dev and test only: blobs stay plain)."""
        if self.blob_keys is None or not self.blob_keys.get_secret_value().strip():
            return None
        return BlobKeys.parse(self.blob_keys.get_secret_value(), self.blob_key_id or None)
