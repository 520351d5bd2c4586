"""HTTP: the one-time acknowledgement links, and the call specialists' phone tasks.

Specialists reach their tasks two ways with the same token: the JSON API with ``Bearer <token>``,
and a page (``/specialist/tasks``, no JavaScript) with HTTP Basic, their name as the user and the
token as the password. The page's forms carry the runtime's form check (an HMAC of the name and the
task under the token), since a browser sends Basic credentials with any cross-site form post; the
web edge also refuses state-changing requests a browser sent from another site.

Every page is rendered by autoescaping Jinja templates (the acknowledgement page echoes its link's
token) in the staff pages' frame (``services.runtime.staff_pages``: one stylesheet, no script, times
on the hotline's clock), and every answer gets the web edge's headers.

The acknowledgement page is opened by police officers and service providers from an email: it says
who sent the report (the hotline's name and number), its reference number and when it went out,
what the button does and what to do with a report that was not meant for them; never anything of
the report itself, which a forwarded or guessed link must not reveal.
"""

from __future__ import annotations

import asyncio
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field, SecretStr, ValidationError

from services.reporting.ledger import AckResult, AckView, CallOutcome, Ledger
from services.reporting.wording import CALL_OUTCOMES, purpose
from services.runtime.local_time import LocalClock
from services.runtime.staff_pages import STATIC_PREFIX, mount_styles, page_environment, staff_page
from services.runtime.web_edge import (
    EdgePolicy,
    FormCheck,
    basic_challenge,
    basic_user,
    origin_of,
    protect,
)


class CallLogIn(BaseModel):
    outcome: CallOutcome
    specialist: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
    note: Annotated[str, Field(max_length=500)] | None = None


_TASK_CHECK: Final = FormCheck("phone-task")
_SPECIALIST = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_TEMPLATES: Final = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Hotline:
    """Who the pages speak for (``HOTLINE_HOTLINE_NAME``, ``HOTLINE_HOTLINE_NUMBER``)."""

    name: str = "Human Trafficking Hotline"
    number: str = "1-888-373-7888"


def _when(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def task_groups(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open calls by report (one case), the report whose next call is due first at the top, each
    report's calls soonest first: the order a specialist should dial in."""
    latest = datetime.max.replace(tzinfo=UTC)
    groups: dict[str, list[dict[str, Any]]] = {}
    for task in sorted(tasks, key=lambda t: (t["due"] or latest, t["task_id"])):
        groups.setdefault(task["reference_number"], []).append(task)
    for calls in groups.values():
        # Victims in different situations have chains of their own: say which call is for whom.
        chains = {t["victim"] for t in calls if not t.get("obligation")}
        for task in calls:
            if len(chains) > 1 and not task.get("obligation"):
                group = sorted(chains).index(task["victim"]) + 1
                task["purpose"] = f"{task['purpose']}, victim group {group}"
    return [{"reference_number": reference, "tasks": calls} for reference, calls in groups.items()]


def build_app(ledger: Ledger, *, specialist_token: SecretStr | None,
              on_change: Callable[[], None] = lambda: None, public_base_url: str = "",
              hotline: Hotline = Hotline(), clock: LocalClock | None = None,
              now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> FastAPI:
    """``public_base_url``: where recipients reach the links (behind a proxy, not this host)."""
    app = FastAPI(title="hotline reporting", docs_url=None, redoc_url=None)
    shared_token = specialist_token.get_secret_value() if specialist_token else ""
    key = shared_token.encode()
    pages = page_environment(_TEMPLATES, clock or LocalClock())
    mount_styles(app)

    def render(template: str, status: int, **context: Any) -> HTMLResponse:
        body = pages.get_template(template).render(site=hotline.name, hotline=hotline, now=now(), **context)
        return staff_page(body, status)

    def check(name: str, task_id: int) -> str:
        return _TASK_CHECK.value(key, name, str(task_id))

    def signed_in(authorization: str | None) -> str | None:
        """The specialist's name from HTTP Basic (name, shared token), or None."""
        return basic_user(authorization, lambda name: shared_token if _SPECIALIST.match(name) else None)

    def ack_page(status: int = 200, *, token: str | None = None, view: AckView | None = None,
                 result: AckResult | None = None) -> HTMLResponse:
        return render("ack.html", status, token=token, view=view, result=result)

    def page(specialist: str, status: int = 200, **context: Any) -> HTMLResponse:
        tasks = [{**task, "check": check(specialist, task["task_id"]), "purpose": purpose(task),
                  "due": _when(task["due_at"]), "opened": _when(task["opened_at"])}
                 for task in ledger.phone_tasks()]
        return render("phone_tasks.html", status, signed_in=specialist, specialist=specialist,
                      groups=task_groups(tasks), count=len(tasks),
                      outcomes=[(o.value, CALL_OUTCOMES[o.value]) for o in CallOutcome], **context)

    def challenge() -> Response:
        return basic_challenge("call specialists only")

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
        if not _TASK_CHECK.valid(key, form.get("check"), specialist, str(task_id)):
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
    async def ack_button(token: str) -> HTMLResponse:
        # Mail scanners follow links: a GET only shows the page and its button; the POST acknowledges.
        view = await asyncio.to_thread(ledger.ack_view, token)
        if view is None:
            return ack_page(404, result=AckResult.UNKNOWN)
        return ack_page(token=token, view=view,
                        result=AckResult.ALREADY if view.acknowledged_at is not None else None)

    @app.post("/ack/{token}", response_class=HTMLResponse)
    async def ack(token: str) -> HTMLResponse:
        result = await asyncio.to_thread(ledger.acknowledge, token)
        if result is AckResult.UNKNOWN:
            return ack_page(404, result=result)
        on_change()
        return ack_page(view=await asyncio.to_thread(ledger.ack_view, token), result=result)

    @app.get("/api/v1/phone-tasks", dependencies=[Depends(specialist)])
    async def tasks() -> dict[str, Any]:
        return {"tasks": await asyncio.to_thread(ledger.phone_tasks)}

    @app.post("/api/v1/phone-tasks/{task_id}/outcomes", dependencies=[Depends(specialist)], status_code=201)
    async def log_outcome(task_id: int, body: CallLogIn) -> dict[str, str]:
        if not await asyncio.to_thread(ledger.log_call, task_id, body.outcome, body.specialist, body.note):
            raise HTTPException(404, "no open phone task with this id")
        on_change()
        return {"status": "logged"}

    protect(app, EdgePolicy(trusted_origins=frozenset({origin_of(public_base_url)}) - {""},
                            cacheable_prefixes=(STATIC_PREFIX,)))
    return app
