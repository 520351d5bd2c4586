"""Browser fixtures for the page checks: the demo pages of every app (``deploy.pagedemo``) and
Debian's Chromium. With ``CI=true`` a missing browser or axe-core fails the run instead of skipping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

import pytest
from playwright.async_api import Browser, BrowserContext, Page

from deploy.pagedemo import DemoPage, DemoSite, serve_demo
from deploy.screenshots import CHROMIUM, chromium, context_for, open_page
from tests.conftest import IN_CI

REPO: Final = Path(__file__).resolve().parents[2]
AXE: Final = REPO / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"


def _missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"CI needs {what}: run ./dev setup", pytrace=False)
    pytest.skip(f"{what} is missing: run ./dev setup")


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[DemoSite]:
    async with serve_demo(tmp_path) as running:
        yield running


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():
        _missing(f"Debian's Chromium ({CHROMIUM})")
    async with chromium() as launched:
        yield launched


async def opened(browser: Browser, site: DemoSite, page: DemoPage, *, width: str = "desktop",
                 locale: str = "en-US", bypass_csp: bool = False) -> tuple[BrowserContext, Page]:
    context = await context_for(browser, page, width=width, locale=locale, bypass_csp=bypass_csp)
    context.set_default_timeout(15_000)
    return context, await open_page(context, site, page)
