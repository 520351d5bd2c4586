"""The frame of the staff pages outside review: one stylesheet, one page layout, the hotline's clock.

The call specialists' pages (phone intake, reporting) and the contacts' acknowledgement page share
review's look through this: ``staff.css`` served from the app's ``/static`` (so the pages need no
inline style, and their CSP allows styles from the app itself only, never a script), and
``staff_base.html``, which each app's templates extend. Templates get ``clock`` (``LocalClock``)
and ``now`` to show every time in the hotline's zone, named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from services.runtime.local_time import LocalClock
from services.runtime.web_edge import STRICT_CSP

__all__ = ["STAFF_CSP", "STATIC_PREFIX", "mount_styles", "page_environment", "staff_page"]

HERE: Final = Path(__file__).parent
STATIC_PREFIX: Final = "/static/"
# The edge's strict policy plus the app's own stylesheet: no inline style, no script.
STAFF_CSP: Final = STRICT_CSP + "; style-src 'self'"


def page_environment(own_templates: Path, clock: LocalClock) -> Environment:
    """Autoescaping Jinja over the app's own templates, then the shared frame."""
    loader = ChoiceLoader([FileSystemLoader(str(own_templates)), FileSystemLoader(str(HERE / "templates"))])
    environment = Environment(loader=loader, autoescape=select_autoescape(["html"]))
    environment.globals["clock"] = clock
    return environment


def mount_styles(app: FastAPI) -> None:
    """Serve ``staff.css`` (and nothing else) under ``/static``; the edge lets it be cached."""
    app.mount(STATIC_PREFIX.rstrip("/"), StaticFiles(directory=str(HERE / "static")), name="static")


def staff_page(body: str, status_code: int = 200) -> HTMLResponse:
    """A rendered staff page, under the policy that lets it use the stylesheet (and nothing else)."""
    return HTMLResponse(body, status_code=status_code, headers={"content-security-policy": STAFF_CSP})
