"""The phone intake's HTTP edge: Twilio Voice callbacks, and the call specialists' reports.

Twilio signs every callback (``X-Twilio-Signature``: HMAC-SHA1 of the full URL and the sorted POST
parameters under the account's auth token). The URL that is signed is the one Twilio called, the
public one: behind a proxy or load balancer the scheme, host and port this process sees differ, so
the intake validates against ``HOTLINE_TWILIO_PUBLIC_URL`` + the path, never against the request's
own Host header. An unsigned or tampered callback gets 403 and publishes nothing.

Specialists file reports through the JSON API (``Authorization: Bearer <token>``) or a plain HTML
form (HTTP Basic: their name and the same token). Staff only: nothing here is public. A browser
sends Basic credentials with a post from any site, so the form carries the runtime's form check (an
HMAC of the name and the report id under the specialist's token), and the web edge refuses
state-changing requests a browser sent from another site. The form is the public tip form's equal
(``call_form``): choices in words, every value kept after a problem, an error summary linking to
each field and each message tied to its field; people are rows, and "Add another person or group"
posts the form back with one more row, filing nothing, so no script is needed.

One router per door, composed here: ``callbacks`` (Twilio), ``report_api`` (the JSON API) and
``report_page`` (the form), over what they share (``doors``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry

from intake_phone.callbacks import twilio_router
from intake_phone.doors import Doors
from intake_phone.handler import CallHandOff
from intake_phone.report_api import ReportAccepted, report_api_router
from intake_phone.report_page import report_page_router
from services.runtime import Publisher
from services.runtime.local_time import LocalClock
from services.runtime.staff_pages import STATIC_PREFIX, mount_styles
from services.runtime.web_edge import EdgePolicy, origin_of, protect

__all__ = ["ReportAccepted", "build_app"]


def build_app(
    *,
    publisher: Publisher,
    twilio_auth_token: str,
    public_url: str,
    specialist_tokens: dict[str, str],
    secret: bytes,
    now: Callable[[], datetime],
    default_region: str = "US",
    registry: CollectorRegistry | None = None,
    clock: LocalClock | None = None,
    site: str = "Hotline call specialists",
) -> FastAPI:
    doors = Doors(CallHandOff(publisher, registry or CollectorRegistry()), specialist_tokens, secret, now)
    app = FastAPI(title="Hotline phone intake", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        return JSONResponse({"message": error.detail}, status_code=error.status_code, headers=error.headers)

    app.include_router(twilio_router(doors, twilio_auth_token=twilio_auth_token, public_url=public_url,
                                     default_region=default_region))
    app.include_router(report_api_router(doors))
    mount_styles(app)
    app.include_router(report_page_router(doors, clock=clock or LocalClock(), site=site))
    protect(app, EdgePolicy(trusted_origins=frozenset({origin_of(public_url)}) - {""},
                            cacheable_prefixes=(STATIC_PREFIX,)))
    return app
