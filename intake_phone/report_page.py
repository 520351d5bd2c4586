"""The specialists' HTML form for call reports (``/specialist/report``, HTTP Basic and a form check)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, Header, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from intake_phone import call_form
from intake_phone.call_form import Problem
from intake_phone.doors import Doors
from intake_phone.report import SpecialistReport, report_signal
from services.runtime.local_time import LocalClock
from services.runtime.staff_pages import page_environment, staff_page
from services.runtime.web_edge import FormCheck, basic_challenge

_REPORT_CHECK: Final = FormCheck("call-report")


def report_page_router(doors: Doors, *, clock: LocalClock, site: str) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    environment = page_environment(Path(__file__).parent / "templates", clock)
    page = environment.get_template("report.html")

    def html(specialist: str, status: int = 200, *, values: dict[str, str], problems: Sequence[Problem] = (),
             adding: bool = False, **context: Any) -> HTMLResponse:
        report_id = values.get("report_id") or str(uuid.uuid4())
        check = _REPORT_CHECK.value(doors.form_key(specialist), specialist, report_id)
        errors = {p.field: p.message for p in problems}
        body = page.render(site=site, signed_in=specialist, now=doors.now(), report_id=report_id, check=check,
                           values=values, errors=errors, rows=call_form.row_count(values, adding=adding),
                           max_rows=call_form.MAX_ROWS, label_of=call_form.label_of,
                           first_choice=call_form.FIRST_CHOICE, words=call_form, **context)
        return staff_page(body, status)

    def challenge() -> Response:
        return basic_challenge("specialists only")

    @pages.get("/specialist/report")
    async def report_form(authorization: Annotated[str | None, Header()] = None) -> Response:
        specialist = doors.specialist_from_basic(authorization)
        if specialist is None:
            return challenge()
        return html(specialist, values={})

    @pages.post("/specialist/report")
    async def report_form_post(request: Request,
                               authorization: Annotated[str | None, Header()] = None) -> Response:
        specialist = doors.specialist_from_basic(authorization)
        if specialist is None:
            return challenge()
        form = await request.form(max_files=0, max_fields=40 + 8 * call_form.MAX_ROWS)
        values = {k: v for k, v in form.items() if isinstance(v, str) and k not in ("check", "add_victim")}
        if not _REPORT_CHECK.valid(doors.form_key(specialist), form.get("check"), specialist,
                                   values.get("report_id", "")):
            return html(specialist, 403, values=values, problems=[Problem(
                "form", "Not saved: this form is out of date or came from another page. Check it and "
                        "file it again.")])
        if "add_victim" in form:  # "Add another person or group": the same form, one more row, nothing filed
            return html(specialist, values=values, adding=True, focus_row=call_form.row_count(values))
        data, rows = call_form.report_data(values)
        try:
            report = SpecialistReport.model_validate(data)
        except ValidationError as error:
            return html(specialist, 422, values=values, problems=call_form.form_errors(error, rows))
        signal = report_signal(report, specialist=specialist, received_at=doors.now(), secret=doors.secret)
        if await doors.publish(signal) is not None:
            return html(specialist, 503, values=values, problems=[Problem(
                "form", "Not saved: the system that takes reports is unavailable. Keep this page open "
                        "and file it again in a minute.")])
        return html(specialist, values={}, saved=signal.reference_number,
                    linked=signal.related.reference_number if signal.related else None)

    return pages
