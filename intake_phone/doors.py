"""What the phone intake's routers share: the hand-off's answer and who the specialists are."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi.responses import JSONResponse, Response

from contracts.events import SignalReceived
from intake_phone.handler import CallHandOff
from services.runtime.web_edge import basic_user


@dataclass(frozen=True)
class Doors:
    """The hand-off, the specialists' tokens by name, the reference secret and the clock."""

    hand_off: CallHandOff
    specialist_tokens: dict[str, str]
    secret: bytes
    now: Callable[[], datetime]

    async def publish(self, signal: SignalReceived) -> Response | None:
        """None once Kafka took ``signal``; else the 503 that makes the caller retry."""
        if await self.hand_off.accept(signal):
            return None
        # Twilio and the specialists' clients retry on 5xx; the signal id makes the retry the same.
        return JSONResponse({"message": "the broker did not take the signal; retry"}, status_code=503)

    def specialist_from_bearer(self, authorization: str | None) -> str | None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        for name, expected in self.specialist_tokens.items():
            if hmac.compare_digest(token.encode(), expected.encode()):
                return name
        return None

    def specialist_from_basic(self, authorization: str | None) -> str | None:
        return basic_user(authorization, self.specialist_tokens.get)

    def form_key(self, specialist: str) -> bytes:
        return self.specialist_tokens[specialist].encode()
