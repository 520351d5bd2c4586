"""HTTP: the one-time acknowledgement links, and the call specialists' phone tasks.

Specialists reach their tasks two ways with the same token: the JSON API with ``Bearer <token>``,
and a page (``/specialist/tasks``, no JavaScript) with HTTP Basic, their name as the user and the
token as the password. The page's forms carry a check value (an HMAC of the name and the task under
the token), since a browser sends Basic credentials with any cross-site form post.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field, SecretStr, ValidationError

from services.reporting.ledger import AckResult, CallOutcome, Ledger

_PAGE = ("<!doctype html><html lang=en><meta charset=utf-8><title>Report acknowledgement</title>"
         "<body><p>{}</p></body></html>")


class CallLogIn(BaseModel):
    outcome: CallOutcome
    specialist: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
    note: Annotated[str, Field(max_length=500)] | None = None


_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
_SPECIALIST = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_PAGES = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
                     autoescape=select_autoescape(["html"]))


def build_app(ledger: Ledger, *, specialist_token: SecretStr | None,
              on_change: Callable[[], None] = lambda: None) -> FastAPI:
    app = FastAPI(title="hotline reporting", docs_url=None, redoc_url=None)
    key = specialist_token.get_secret_value().encode() if specialist_token else b""

    def check(name: str, task_id: int) -> str:
        return hmac.new(key, f"{name}:{task_id}".encode(), hashlib.sha256).hexdigest()

    def signed_in(authorization: str | None) -> str | None:
        """The specialist's name from HTTP Basic (name, shared token), or None."""
        scheme, _, encoded = (authorization or "").partition(" ")
        if not key or scheme.lower() != "basic":
            return None
        try:
            name, _, token = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return name if _SPECIALIST.match(name) and hmac.compare_digest(token.encode(), key) else None

    def page(specialist: str, status: int = 200, **context: Any) -> HTMLResponse:
        tasks = [{**task, "check": check(specialist, task["task_id"])} for task in ledger.phone_tasks()]
        body = _PAGES.get_template("phone_tasks.html").render(
            specialist=specialist, tasks=tasks, outcomes=list(CallOutcome), **context)
        return HTMLResponse(body, status_code=status, headers={
            "content-security-policy": _CSP, "cache-control": "no-store", "referrer-policy": "no-referrer"})

    def challenge() -> Response:
        return Response("call specialists only", status_code=401,
                        headers={"www-authenticate": 'Basic realm="hotline specialists", charset="UTF-8"'})

    @app.get("/specialist/tasks", response_class=HTMLResponse)
    async def tasks_page(authorization: Annotated[str | None, Header()] = None,
                         logged: int | None = None) -> Response:
        specialist = signed_in(authorization)
        if specialist is None:
            return challenge()
        return await asyncio.to_thread(page, specialist, logged=f"call {logged}" if logged else None)

    @app.post("/specialist/tasks/{task_id}")
    async def tasks_page_post(task_id: int, request: Request,
                              authorization: Annotated[str | None, Header()] = None) -> Response:
        specialist = signed_in(authorization)
        if specialist is None:
            return challenge()
        form = await request.form(max_files=0, max_fields=10)
        given = form.get("check")
        if not isinstance(given, str) or not hmac.compare_digest(given, check(specialist, task_id)):
            return await asyncio.to_thread(
                page, specialist, 403, error="That form is out of date: log the call again from this page.")
        try:
            body = CallLogIn.model_validate({"outcome": form.get("outcome"), "specialist": specialist,
                                             "note": form.get("note") or None})
        except ValidationError:
            return await asyncio.to_thread(
                page, specialist, 422, error="Choose one of the outcomes; a note is at most 500 characters.")
        if not await asyncio.to_thread(ledger.log_call, task_id, body.outcome, specialist, body.note):
            return await asyncio.to_thread(page, specialist, 404,
                                           error="That call is no longer open (the chain moved on).")
        on_change()
        return RedirectResponse(f"/specialist/tasks?logged={task_id}", status_code=303)

    def specialist(authorization: Annotated[str | None, Header()] = None) -> None:
        expected = specialist_token.get_secret_value() if specialist_token else None
        given = (authorization or "").removeprefix("Bearer ")
        if not expected or not hmac.compare_digest(given, expected):
            raise HTTPException(401, "a specialist token is needed")

    @app.get("/ack/{token}", response_class=HTMLResponse)
    async def ack_page(token: str) -> HTMLResponse:
        # Mail scanners follow links: a GET only shows a button; the POST acknowledges.
        return HTMLResponse(_PAGE.format(
            f'<form method=post action="/ack/{token}"><button>I have received this report</button></form>'))

    @app.post("/ack/{token}", response_class=HTMLResponse)
    async def ack(token: str) -> HTMLResponse:
        result = await asyncio.to_thread(ledger.acknowledge, token)
        if result is AckResult.UNKNOWN:
            return HTMLResponse(_PAGE.format("This link is not valid."), status_code=404)
        on_change()
        text = "Thank you: the report is acknowledged." if result is AckResult.ACKNOWLEDGED \
            else "This report was already acknowledged."
        return HTMLResponse(_PAGE.format(text))

    @app.get("/api/v1/phone-tasks", dependencies=[Depends(specialist)])
    async def tasks() -> dict[str, Any]:
        return {"tasks": await asyncio.to_thread(ledger.phone_tasks)}

    @app.post("/api/v1/phone-tasks/{task_id}/outcomes", dependencies=[Depends(specialist)], status_code=201)
    async def log_outcome(task_id: int, body: CallLogIn) -> dict[str, str]:
        if not await asyncio.to_thread(ledger.log_call, task_id, body.outcome, body.specialist, body.note):
            raise HTTPException(404, "no open phone task with this id")
        on_change()
        return {"status": "logged"}

    return app
