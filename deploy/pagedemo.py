"""Every app's pages with demo data, served on loopback by one process: for screenshots and browser checks.

The web form, the phone intake's call report form, reporting (calls to make, acknowledgement links)
and review (sign-in, queue, case pages) are built by their own ``build_app`` with in-memory
publishers and SQLite files in a folder of the caller's, and filled with fictitious data (555
numbers, example.org and example.gov addresses): no broker, no other process. The pages are the
real ones, behind the real web edge; only where the events come from differs from ``./dev run``.
The apps are built in ``pagedemo_apps``, the fictitious cases written in ``pagedemo_cases``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from deploy import pagedemo_apps as apps
from deploy.pagedemo_apps import PASSWORD, REVIEWERS, SPECIALIST
from deploy.pagedemo_cases import demo_signals
from services.runtime import HttpServer, InMemoryPublisher


@dataclass
class DemoSite:
    """Where the demo apps listen, how to sign in, and the ids their pages need."""

    webform: str = ""
    phone: str = ""
    reporting: str = ""
    review: str = ""
    ack_tokens: dict[str, str] = field(default_factory=dict)  # "fresh", "acknowledged"
    cases: dict[str, uuid.UUID] = field(default_factory=dict)  # what the case shows -> its id
    # What the call report form published (the demo's broker is this publisher).
    phone_publisher: InMemoryPublisher | None = None


@dataclass(frozen=True)
class DemoPage:
    """One page to look at: ``sign_in`` is "public", "specialist" (HTTP Basic) or a review user."""

    app: str
    name: str
    path: str
    sign_in: str = "public"
    staff: bool = True


def pages(site: DemoSite) -> list[DemoPage]:
    """Every page of every app that a GET shows (forms' error states are reached by posting them)."""
    return [
        DemoPage("webform", "tip-form-en", "/en/", staff=False),
        DemoPage("webform", "tip-form-es", "/es/", staff=False),
        DemoPage("webform", "follow-up-en", "/en/follow-up", staff=False),
        DemoPage("webform", "follow-up-es", "/es/follow-up", staff=False),
        DemoPage("webform", "not-found-es", "/es/nowhere", staff=False),
        DemoPage("webform", "erase-en", "/en/erase", staff=False),
        DemoPage("webform", "erase-es", "/es/erase", staff=False),
        DemoPage("phone", "call-report", "/specialist/report", "specialist"),
        DemoPage("reporting", "calls-to-make", "/specialist/tasks", "specialist"),
        DemoPage("reporting", "ack", f"/ack/{site.ack_tokens['fresh']}", staff=True),
        DemoPage("reporting", "ack-already", f"/ack/{site.ack_tokens['acknowledged']}"),
        DemoPage("reporting", "ack-unknown", "/ack/not-a-link-of-ours"),
        DemoPage("review", "sign-in", "/login"),
        DemoPage("review", "queue", "/queue", "alice"),
        *[DemoPage("review", f"case-{name}", f"/cases/{case_id}", "alice")
          for name, case_id in site.cases.items()],
        DemoPage("review", "case-not-found", f"/cases/{uuid.UUID(int=0)}", "alice"),
        DemoPage("review", "case-contact", f"/cases/{site.cases['minor']}/contact", "alice"),
        DemoPage("review", "your-sign-in", "/account/security", "alice"),
        DemoPage("review", "two-step-set-up", "/account/security/enrol", "alice"),
        DemoPage("review", "erasures", "/erasures", "alice"),
        DemoPage("review", "exports", "/exports", "alice"),
    ]


def url_of(site: DemoSite, page: DemoPage) -> str:
    return str(getattr(site, page.app)) + page.path


@asynccontextmanager
async def serve_demo(folder: Path) -> AsyncIterator[DemoSite]:
    """Build every app with the demo data under ``folder`` and serve each on a free loopback port."""
    now = datetime.now(UTC)
    site = DemoSite()
    signals = demo_signals(now)
    webform, webform_publisher = apps.webform(folder / "webform")
    phone, phone_publisher = apps.phone()
    site.phone_publisher = phone_publisher
    reporting, ledger_db, site.ack_tokens = apps.reporting(folder / "reporting", now, signals)
    review, review_db, site.cases = apps.review(folder / "review", signals)
    async with AsyncExitStack() as stack:
        for publisher in (webform_publisher, phone_publisher):
            await publisher.start()
            stack.push_async_callback(publisher.stop)
        stack.callback(ledger_db.dispose)
        stack.callback(review_db.dispose)
        served = (("webform", webform), ("phone", phone), ("reporting", reporting), ("review", review))
        for name, app in served:
            server = HttpServer(app, "127.0.0.1", 0, name=f"demo-{name}")
            await server.start()
            stack.push_async_callback(server.stop)
            setattr(site, name, server.url)
        yield site


__all__ = ["PASSWORD", "REVIEWERS", "SPECIALIST", "DemoPage", "DemoSite", "pages", "serve_demo", "url_of"]
