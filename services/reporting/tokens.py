"""One-time acknowledgement tokens: derived from the step, so a resend after a crash carries the same link.

The token is an HMAC of the step's identity under a service secret; the ledger stores only its
SHA-256, so a copy of the database cannot acknowledge anything. The link works once: the step
leaves ``delivered`` when it is used.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid


class AckTokens:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the acknowledgement secret needs at least 16 bytes")
        self._secret = secret

    def token(self, report_id: uuid.UUID, lookup_index: int, step_index: int) -> str:
        message = f"ack:{report_id}:{lookup_index}:{step_index}".encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
