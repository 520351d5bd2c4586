"""Two-step sign-in as a person goes through it, in Debian's Chromium (Playwright): the password
leads to enrolment (the QR code and the key), a first code switches it on and shows the recovery
codes once; the next sign-in asks for a code, says so when it is wrong, and opens the queue."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import pytest
from playwright.async_api import Browser, Page, expect

from services.review import totp
from services.review.auth import Auth, Role
from services.review.db import Database, migrate
from services.review.decisions import Decisions
from services.review.live import LiveHub
from services.review.web import build_app
from services.runtime import HttpServer
from services.runtime.blobs import BlobReader
from tests.integration.pages_support import AXE, _missing, browser
from tests.integration.test_pages_accessibility import BLOCKING, RUN_AXE, WCAG_22_AA
from tests.review_staff import cheap_hasher

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, imported to be found

PASSWORD: Final = "correct horse battery staple"


@pytest.fixture
async def review(tmp_path: Path) -> AsyncIterator[str]:
    """The review app with the second factor required, as production runs it, on a local port."""
    url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    migrate(url)
    db = Database(url)
    now = lambda: datetime.now(UTC)  # noqa: E731 - the browser's codes are made now, as a phone's are
    # Plain HTTP on loopback: the cookies cannot be Secure here.
    auth = Auth(db, session_ttl=timedelta(hours=1), cookie_secure=False, now=now, hasher=cheap_hasher(),
                mfa_required=True)
    auth.create_user("dana", "Dana Ortiz", Role.SUPERVISOR, PASSWORD)
    app = build_app(auth=auth, decisions=Decisions(db, now=now, claim_ttl=timedelta(minutes=30)),
                    live=LiveHub(), blobs=BlobReader([]), now=now)
    server = HttpServer(app, "127.0.0.1", 0, name="review-mfa-browser")
    await server.start()
    try:
        yield server.url
    finally:
        await server.stop()
        db.dispose()


async def type_password(tab: Page, base: str) -> None:
    await tab.goto(f"{base}/queue")
    await tab.get_by_label("Username").fill("dana")
    await tab.get_by_label("Password").fill(PASSWORD)
    await tab.get_by_role("button", name="Sign in").click()


Check = Callable[[Page, str], Awaitable[None]]


async def _nothing(_tab: Page, _state: str) -> None:
    return None


async def walk(browser: Browser, review: str, *, check: Check = _nothing, bypass_csp: bool = False) -> None:
    """Enrol, sign out, sign in with a spent code and then a good one; ``check`` at each page."""
    context = await browser.new_context(bypass_csp=bypass_csp)
    context.set_default_timeout(15_000)
    tab = await context.new_page()
    await type_password(tab, review)
    await expect(tab).to_have_url(re.compile(r"/login/enrol\?next=%2Fqueue$"))
    await expect(tab.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    await expect(tab.locator("figure.qr svg")).to_be_visible()
    await check(tab, "enrol")
    key = (await tab.locator("#secret").inner_text()).replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", key)

    # Going anywhere else first leads back to the password: the password alone opens nothing.
    await tab.goto(f"{review}/queue")
    await expect(tab).to_have_url(re.compile(r"/login\?next="))
    await type_password(tab, review)
    await expect(tab.locator("#secret")).to_have_text(re.compile(key[:4]))  # the same key, not a new one

    await tab.get_by_label("Code from the app").fill("12345")
    await tab.get_by_role("button", name="Switch on two-step sign-in").click()
    code_box = tab.get_by_label("Code from the app")
    await expect(code_box).to_have_attribute("aria-invalid", "true")
    await expect(tab.locator(".error-summary")).to_contain_text("That code is not right")
    await check(tab, "enrol-mistake")

    step = totp.step_at(datetime.now(UTC))
    await code_box.fill(totp.code_at(key, step))
    await tab.get_by_role("button", name="Switch on two-step sign-in").click()
    await expect(tab.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    await expect(tab.locator("#recovery-codes li")).to_have_count(10)
    await check(tab, "recovery-codes")
    await tab.get_by_role("link", name=re.compile("continue")).click()
    await expect(tab).to_have_url(f"{review}/queue")
    await tab.get_by_role("button", name="Sign out").click()

    await type_password(tab, review)
    await expect(tab).to_have_url(re.compile(r"/login/code\?next=%2Fqueue$"))
    code = tab.get_by_label("Code")
    await expect(code).to_have_accessible_description(re.compile("Six digits, or one of your recovery codes"))
    await check(tab, "code")
    await code.fill(totp.code_at(key, step))  # the code that switched it on: spent
    await tab.get_by_role("button", name="Continue").click()
    await expect(tab.locator(".error-summary")).to_contain_text("it was used already")
    await expect(tab.get_by_label("Code")).to_have_attribute("aria-invalid", "true")
    await check(tab, "code-mistake")
    await tab.get_by_label("Code").fill(totp.code_at(key, step + 1))  # the app's next code
    await tab.get_by_role("button", name="Continue").click()
    await expect(tab).to_have_url(f"{review}/queue")
    await expect(tab.get_by_role("link", name="Your sign-in")).to_be_visible()
    await tab.get_by_role("link", name="Your sign-in").click()
    await expect(tab.locator("main")).to_contain_text("You have 10 unused recovery codes.")
    await check(tab, "your-sign-in")
    await context.close()


async def test_enrolment_then_a_sign_in_with_a_code(review: str, browser: Browser) -> None:
    await walk(browser, review)  # with the app's own CSP: the QR code shows without any script


async def test_the_sign_in_pages_have_no_serious_wcag_22_aa_violation(review: str, browser: Browser) -> None:
    if not AXE.exists():
        _missing(f"axe-core ({AXE})")
    checked: list[str] = []

    async def axe(tab: Page, state: str) -> None:
        await tab.add_script_tag(path=str(AXE))
        violations: list[dict[str, Any]] = await tab.evaluate(RUN_AXE, WCAG_22_AA)
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        assert blocking == [], f"{state}:\n" + json.dumps(blocking, indent=1)
        checked.append(state)

    await walk(browser, review, check=axe, bypass_csp=True)  # axe is a script the CSP would refuse
    assert checked == ["enrol", "enrol-mistake", "recovery-codes", "code", "code-mistake", "your-sign-in"]
