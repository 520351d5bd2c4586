"""What the web intake's routers share: pages in each language, JSON problems, the reporter's language.

The client address is read for one thing only, in memory: a keyed hash for the rate limiter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel

from intake_webform import i18n
from intake_webform.handler import MIB, Limits
from intake_webform.i18n import Messages
from intake_webform.submission import MAX_NARRATIVE, FieldError

HOTLINE_NUMBER: Final = "1-888-373-7888"
# Where the language switch of a page leads (the form's start otherwise).
_SWITCH_PATHS: Final = {"followup.html": "follow-up", "erase.html": "erase"}


@dataclass(frozen=True)
class Contact:
    hotline: str = HOTLINE_NUMBER
    text: str = "233733"


class ProblemDetail(BaseModel):
    field: str
    code: str
    message: str


class Problem(BaseModel):
    message: str
    detail: list[ProblemDetail] = []


def language_of(request: Request) -> str:
    return i18n.negotiate(request.headers.get("accept-language"))


def client_of(request: Request) -> str | None:
    # Used only as rate-limiter input, hashed with a rotating random key, never stored or logged.
    return request.client.host if request.client else None


class Pages:
    """The templates in every language offered, and the answers every door gives in the reporter's words."""

    def __init__(self, contact: Contact, limits: Limits) -> None:
        self.contact = contact
        self._limits = limits
        self._environments = {language: _environment(language) for language in i18n.LANGUAGES_OFFERED}

    def render(self, template: str, language: str, status: int = 200, **context: Any) -> HTMLResponse:
        other = "es" if language == "en" else "en"
        page = self._environments[language].get_template(template).render(
            lang=language, hotline=self.contact.hotline, hotline_text=self.contact.text,
            switch_to=f"/{other}/{_SWITCH_PATHS.get(template, '')}",
            max_narrative=MAX_NARRATIVE, max_attachments=self._limits.max_attachments,
            max_attachment_mb=self._limits.max_attachment_bytes // MIB, **context)
        return HTMLResponse(page, status_code=status)

    @staticmethod
    def problem(status: int, language: str, message: str,
                problems: list[FieldError] | None = None) -> JSONResponse:
        words = Messages.of(language)
        details = [ProblemDetail(field=p.field, code=p.code, message=words.error(p)) for p in problems or []]
        return JSONResponse(Problem(message=message, detail=details).model_dump(), status_code=status,
                            headers={"content-language": language})

    def unavailable_message(self, language: str) -> str:
        return Messages.of(language).response("unavailable", hotline=self.contact.hotline)

    def limited_message(self, language: str) -> str:
        return Messages.of(language).response("rate_limited", hotline=self.contact.hotline)


def _environment(language: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(i18n.PACKAGE_DIR / "templates")),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    return environment
