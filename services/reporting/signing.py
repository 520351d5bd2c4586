"""Signed webhooks: HMAC-SHA256 over ``timestamp + "." + body``, and its check for receivers.

Headers: ``X-Hotline-Timestamp`` (Unix seconds) and ``X-Hotline-Signature: sha256=<hex>``. A
receiver recomputes the signature with the contact's secret, compares in constant time, and
rejects a timestamp more than ``REPLAY_WINDOW_S`` from its clock, so a captured request cannot
be replayed later. ``Idempotency-Key`` names the delivery: a resend after a crash repeats it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Final

TIMESTAMP_HEADER: Final = "X-Hotline-Timestamp"
SIGNATURE_HEADER: Final = "X-Hotline-Signature"
IDEMPOTENCY_HEADER: Final = "Idempotency-Key"
REPLAY_WINDOW_S: Final = 300


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(secret: bytes, timestamp: int, body: bytes, idempotency_key: str) -> dict[str, str]:
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body),
            IDEMPOTENCY_HEADER: idempotency_key, "Content-Type": "application/json"}


def verify(secret: bytes, headers: Mapping[str, str], body: bytes, now: float,
           window_s: int = REPLAY_WINDOW_S) -> bool:
    """What a receiver does: a fresh timestamp and a matching signature, or reject."""
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        timestamp = int(lowered.get(TIMESTAMP_HEADER.lower(), ""))
    except ValueError:
        return False
    if abs(now - timestamp) > window_s:
        return False
    given = lowered.get(SIGNATURE_HEADER.lower(), "")
    return hmac.compare_digest(given, signature(secret, timestamp, body))
