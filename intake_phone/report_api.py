"""The specialists' JSON API for call reports (``POST /api/v1/calls/reports``, a bearer token each)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from intake_phone.doors import Doors
from intake_phone.report import SpecialistReport, report_signal


class ReportAccepted(BaseModel):
    reference_number: str
    call_id: str


def report_api_router(doors: Doors) -> APIRouter:
    api = APIRouter()

    def bearer_specialist(authorization: Annotated[str | None, Header()] = None) -> str:
        # A dependency, so that a request without the token is refused before its body is judged.
        specialist = doors.specialist_from_bearer(authorization)
        if specialist is None:
            raise HTTPException(401, "a specialist's bearer token is required",
                                headers={"www-authenticate": "Bearer"})
        return specialist

    @api.post("/api/v1/calls/reports", status_code=202, response_model=ReportAccepted, tags=["calls"],
              responses={401: {"description": "missing or wrong bearer token"},
                         422: {"description": "a field is missing or invalid"}})
    async def file_report(report: SpecialistReport, specialist: str = Depends(bearer_specialist)) -> Response:
        signal = report_signal(report, specialist=specialist, received_at=doors.now(), secret=doors.secret)
        return await doors.publish(signal) or JSONResponse(
            ReportAccepted(reference_number=signal.reference_number, call_id=signal.source.call_id
                           if signal.source.kind == "phone" else "").model_dump(), status_code=202)

    return api
