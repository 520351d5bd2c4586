"""The web intake's HTML form (``/en/``, ``/es/``; no JavaScript): new tips and follow-ups.

Every failure re-renders the form with what was typed kept and each problem tied to its field.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from intake_webform import i18n
from intake_webform.handler import Intake, Rejected, Upload
from intake_webform.i18n import Messages
from intake_webform.pages import Pages, client_of, language_of
from intake_webform.ratelimit import RateLimiter
from intake_webform.submission import US_STATES, FieldError, FollowUpSubmission, TipSubmission, field_errors
from services.runtime.spool import SpoolFull

_FORM_ONLY_FIELDS: Final = frozenset({"submission_token", "website", "attachments", "lang"})
_CHECKBOXES: Final = frozenset({"consent_to_contact", "consent_to_share", "voicemail_ok", "text_ok"})
_RADIOS_FIRST: Final = {"danger_now": "yes", "trafficking_type": "sex", "victim_nationality": "us_citizen",
                        "reporter_role": "victim", "anonymous": "yes"}

# What a form's submit does once its fields are read: take the tip or follow-up, or raise.
Take = Callable[[dict[str, Any], list[Upload], str | None], Awaitable[HTMLResponse]]


def choices(language: str) -> dict[str, Any]:
    _ = Messages.of(language).gettext
    return {
        "answers": [("yes", _("Yes")), ("no", _("No")), ("unsure", _("I don't know"))],
        "trafficking_types": [("sex", _("Sex trafficking or commercial sex")),
                              ("labor", _("Labor trafficking or forced work")),
                              ("both", _("Both")), ("unsure", _("I'm not sure"))],
        "states": [("", _("Choose a state"))] + [(code, code) for code in sorted(US_STATES)],
        "genders": [("", _("Unknown")), ("female", _("Female")), ("male", _("Male")),
                    ("non_binary", _("Non-binary"))],
        "nationalities": [("us_citizen", _("US citizen")), ("foreign_national", _("Foreign national")),
                          ("unknown", _("Unknown"))],
        "roles": [("victim", _("I am the person being exploited")),
                  ("family_friend", _("A family member or friend")),
                  ("community_member", _("A community member")),
                  ("professional", _("A professional (for example social worker, teacher, nurse)")),
                  ("law_enforcement", _("Law enforcement")), ("other", _("Other"))],
        "anonymity": [("yes", _("Yes, stay anonymous")), ("no", _("No, you may contact me"))],
        "languages": [("", _("Choose a language")), *i18n.language_names(language)],
        "time_zones": [("", _("Not sure")), ("America/New_York", _("Eastern time")),
                       ("America/Chicago", _("Central time")), ("America/Denver", _("Mountain time")),
                       ("America/Phoenix", _("Arizona (no daylight saving time)")),
                       ("America/Los_Angeles", _("Pacific time")),
                       ("America/Anchorage", _("Alaska time")), ("Pacific/Honolulu", _("Hawaii time")),
                       ("America/Puerto_Rico", _("Puerto Rico and the U.S. Virgin Islands")),
                       ("Pacific/Guam", _("Guam and the Northern Mariana Islands"))],
    }


def form_context(language: str, values: dict[str, str], problems: list[FieldError],
                 had_files: bool = False) -> dict[str, Any]:
    words = Messages.of(language)
    errors: dict[str, str] = {}
    for p in problems:
        errors.setdefault(p.field.split(".")[0], words.error(p))
    labels = {name: words.field_label(name) for name in errors}
    anchors = {name: f"{name}-{_RADIOS_FIRST[name]}" for name in errors if name in _RADIOS_FIRST}
    return {"values": values, "errors": errors, "labels": labels, "anchors": anchors,
            "had_files": had_files and bool(errors), "submission_token": secrets.token_urlsafe(16),
            **choices(language)}


def fields_of(values: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in values.items():
        if name in _FORM_ONLY_FIELDS or not value.strip():
            continue
        if name in _CHECKBOXES:
            data[name] = value == "yes"
        elif name == "anonymous":
            data[name] = value != "no"
        else:
            data[name] = value
    return data


def _check_language(language: str) -> None:
    if language not in i18n.LANGUAGES_OFFERED:
        raise StarletteHTTPException(404)


def _fingerprint_of(model: BaseModel, uploads: list[Upload]) -> str:
    return model.model_dump_json() + json.dumps([u.filename for u in uploads])


def form_router(intake: Intake, limiter: RateLimiter, pages: Pages) -> APIRouter:
    html = APIRouter(include_in_schema=False)

    @html.get("/")
    async def root(request: Request) -> RedirectResponse:
        return RedirectResponse(f"/{language_of(request)}/", status_code=303)

    @html.get("/{language}/")
    async def form(language: str) -> HTMLResponse:
        _check_language(language)
        return pages.render("form.html", language, **form_context(language, {"anonymous": "yes"}, []))

    @html.get("/{language}/follow-up")
    async def follow_up_form(language: str) -> HTMLResponse:
        _check_language(language)
        return pages.render("followup.html", language, **form_context(language, {}, []))

    async def read_form(
        request: Request, language: str
    ) -> tuple[dict[str, str], list[Upload]] | HTMLResponse:
        try:
            form = await request.form(max_files=intake.limits.max_attachments + 10, max_fields=100,
                                      max_part_size=256 * 1024)
        except (MultiPartException, StarletteHTTPException):
            # Inside an app Starlette reports a broken multipart body as HTTPException(400).
            words = Messages.of(language)
            title = words.gettext("There is a problem")
            return pages.render("message.html", language, status=400, title=title,
                                message=words.response("unreadable"))
        values: dict[str, str] = {}
        uploads: list[Upload] = []
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                if value.filename or data:  # an empty file input still sends one empty part
                    uploads.append(Upload(data=data, filename=value.filename,
                                          declared_type=value.content_type))
            elif name not in values:
                values[name] = value
        await form.close()
        return values, uploads

    def guard(request: Request, language: str, template: str,
              values: dict[str, str], had_files: bool) -> HTMLResponse | None:
        words = Messages.of(language)
        if values.get("website"):
            intake.metrics.reject("honeypot")
            kept = {k: v for k, v in values.items() if k != "website"}
            return pages.render(template, language, status=422, **form_context(
                language, kept, [FieldError("website", "honeypot")], had_files))
        if not limiter.allow(client_of(request)):
            intake.metrics.reject("rate_limited")
            return pages.render("message.html", language, status=429, title=words.gettext("Please wait"),
                                message=pages.limited_message(language))
        return None

    async def submit(request: Request, language: str, template: str, take: Take) -> HTMLResponse:
        """The one flow of both HTML forms: read, guard, validate and take; every failure re-renders
        ``template`` with the input kept and the problems tied to their fields."""
        _check_language(language)
        read = await read_form(request, language)
        if isinstance(read, HTMLResponse):
            return read
        values, uploads = read
        if (refused := guard(request, language, template, values, bool(uploads))) is not None:
            return refused
        try:
            return await take(fields_of(values), uploads, values.get("submission_token"))
        except ValidationError as error:
            problems, status = field_errors(error), 422
        except Rejected as rejected:
            problems, status = rejected.problems, rejected.status
        except SpoolFull:
            intake.metrics.refuse_unavailable()
            words = Messages.of(language)
            return pages.render("message.html", language, status=503, title=words.gettext("Please try again"),
                                message=pages.unavailable_message(language))
        intake.metrics.reject("validation")
        return pages.render(template, language, status=status,
                            **form_context(language, values, problems, bool(uploads)))

    @html.post("/{language}/tip")
    async def submit_form(request: Request, language: str) -> HTMLResponse:
        async def take(fields: dict[str, Any], uploads: list[Upload], token: str | None) -> HTMLResponse:
            tip = TipSubmission.model_validate(
                {k: v for k, v in fields.items() if k in TipSubmission.model_fields})
            submission_id = intake.submission_id("form", token, _fingerprint_of(tip, uploads))
            receipt = await intake.take_tip(tip, uploads, submission_id=submission_id, language=language)
            return pages.render("thanks.html", language, reference_number=receipt.reference_number,
                                receipt=receipt.receipt)

        return await submit(request, language, "form.html", take)

    @html.post("/{language}/follow-up")
    async def submit_follow_up_form(request: Request, language: str) -> HTMLResponse:
        async def take(fields: dict[str, Any], uploads: list[Upload], token: str | None) -> HTMLResponse:
            follow_up = FollowUpSubmission.model_validate(
                {k: v for k, v in fields.items() if k in FollowUpSubmission.model_fields})
            submission_id = intake.submission_id("form-follow-up", token, _fingerprint_of(follow_up, uploads))
            receipt = await intake.take_follow_up(follow_up, uploads, submission_id=submission_id,
                                                  language=language)
            return pages.render("followup_thanks.html", language, reference_number=receipt.reference_number)

        return await submit(request, language, "followup.html", take)

    return html
