"""Screenshots of every staff page, at desktop and phone widths: ``python -m deploy.screenshots OUTDIR``.

The pages are the demo pages of ``deploy.pagedemo`` (every app, fictitious data, no broker), opened
in Debian's Chromium driven by Playwright (Playwright's own browser download is not used), signed in
as the page needs: HTTP Basic for the call specialists' pages, the sign-in form for review. One PNG
per page and width, named ``<app>-<page>-<width>.png``; also the call report form after a mistake.
The browser helpers here are shared with the accessibility test.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

from playwright.async_api import (
    Browser,
    BrowserContext,
    HttpCredentials,
    Page,
    ViewportSize,
    async_playwright,
)

from deploy.pagedemo import PASSWORD, SPECIALIST, DemoPage, DemoSite, pages, serve_demo, url_of

CHROMIUM: Final = "/usr/bin/chromium"
# Without the networking flags Chromium keeps calling home and floods a closed network.
FLAGS: Final = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTHS: Final[dict[str, ViewportSize]] = {"desktop": {"width": 1280, "height": 900},
                                          "phone": {"width": 390, "height": 844}}


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    if not await asyncio.to_thread(Path(CHROMIUM).exists):
        raise FileNotFoundError(f"{CHROMIUM} is missing: run ./dev setup (installs Debian's chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


async def context_for(browser: Browser, page: DemoPage, *, width: str = "desktop", locale: str = "en-US",
                      bypass_csp: bool = False) -> BrowserContext:
    """A fresh browser context signed in as ``page`` needs (HTTP Basic for the specialists).
    ``bypass_csp`` only for injecting a checker (axe-core) into pages that allow no script."""
    credentials: HttpCredentials | None = (
        {"username": SPECIALIST[0], "password": SPECIALIST[1]} if page.sign_in == "specialist" else None)
    return await browser.new_context(viewport=WIDTHS[width], locale=locale, http_credentials=credentials,
                                     reduced_motion="reduce", bypass_csp=bypass_csp)


async def open_page(context: BrowserContext, site: DemoSite, page: DemoPage) -> Page:
    """``page`` opened in ``context``; a review page through the sign-in form, which leads back to it."""
    tab = await context.new_page()
    await tab.goto(url_of(site, page))
    if page.app == "review" and page.sign_in not in ("public", "specialist") and "/login" in tab.url:
        await tab.get_by_label("Username").fill(page.sign_in)
        await tab.get_by_label("Password").fill(PASSWORD)
        await tab.get_by_role("button", name="Sign in").click()
        await tab.wait_for_url(url_of(site, page))
    return tab


async def show_a_mistake(tab: Page) -> None:
    """The call report form after a mistake: what happened left empty, an age written in words."""
    await tab.get_by_label("Age", exact=True).fill("fifteen")
    await tab.get_by_label("City").fill("Houston")
    await tab.get_by_role("radio", name="Yes", exact=True).check()
    await tab.get_by_role("button", name="File the report").click()
    await tab.wait_for_selector("#error-summary")


async def take(outdir: Path) -> list[Path]:
    await asyncio.to_thread(outdir.mkdir, parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="hotline-pages-") as folder:
        async with serve_demo(Path(folder)) as site, chromium() as browser:
            shots = [(p, False) for p in pages(site) if p.staff]
            shots.append((DemoPage("phone", "call-report-problem", "/specialist/report", "specialist"), True))
            for page, mistake in shots:
                for width in WIDTHS:
                    context = await context_for(browser, page, width=width)
                    tab = await open_page(context, site, page)
                    if mistake:
                        await show_a_mistake(tab)
                    path = outdir / f"{page.app}-{page.name}-{width}.png"
                    await tab.screenshot(path=str(path), full_page=True)
                    written.append(path)
                    await context.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.screenshots", description=__doc__.split("\n")[0])
    parser.add_argument("outdir", type=Path, help="where the PNG files go (created if missing)")
    args = parser.parse_args(argv)
    written = asyncio.run(take(args.outdir))
    print(f"{len(written)} screenshots in {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
