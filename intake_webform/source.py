"""The HTTP edge: ``POST /api/v1/tips`` (FastAPI). The full form and spool come with the web intake issue."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, HTTPException, status
from pydantic import BaseModel

from intake_webform.handler import take_in
from intake_webform.translate import TipSubmission
from services.runtime import Publisher, PublishError

HOTLINE_NUMBER = "1-888-373-7888"


class TipAccepted(BaseModel):
    reference_number: str
    message: str


def build_app(*, publisher: Publisher, now: Callable[[], datetime], reference_secret: bytes) -> FastAPI:
    app = FastAPI(title="Hotline tip intake", version="1", docs_url=None, redoc_url=None)
    router = APIRouter(prefix="/api/v1")

    @router.post("/tips", status_code=status.HTTP_202_ACCEPTED, response_model=TipAccepted)
    async def submit_tip(
        submission: TipSubmission,
        idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
    ) -> TipAccepted:
        # A retry with the same Idempotency-Key is the same submission: same signal id, same
        # reference number, and downstream dedup absorbs the second record.
        submission_id = f"key:{idempotency_key}" if idempotency_key else str(uuid.uuid4())
        try:
            receipt = await take_in(submission, submission_id=submission_id, publisher=publisher,
                                    now=now, reference_secret=reference_secret)
        except PublishError:
            raise HTTPException(
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                detail=f"Your tip could not be saved right now. Please try again in a minute, or "
                f"call the hotline at {HOTLINE_NUMBER}. In immediate danger, call 911.",
            ) from None
        return TipAccepted(reference_number=receipt.reference_number,
                           message="Thank you. Keep this reference number to follow up.")

    app.include_router(router)
    return app
