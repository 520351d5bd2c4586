"""HTTP: the one-time acknowledgement links, and the call specialists' phone tasks (bearer token)."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, SecretStr

from services.reporting.ledger import AckResult, CallOutcome, Ledger

_PAGE = ("<!doctype html><html lang=en><meta charset=utf-8><title>Report acknowledgement</title>"
         "<body><p>{}</p></body></html>")


class CallLogIn(BaseModel):
    outcome: CallOutcome
    specialist: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
    note: Annotated[str, Field(max_length=500)] | None = None


def build_app(ledger: Ledger, *, specialist_token: SecretStr | None,
              on_change: Callable[[], None] = lambda: None) -> FastAPI:
    app = FastAPI(title="hotline reporting", docs_url=None, redoc_url=None)

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
