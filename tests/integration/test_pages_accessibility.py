"""Every page of every app, public and staff, English and Spanish where both exist, in their states
that matter (empty, after a mistake, after success), at desktop and phone widths, checked by axe-core
(from the npm registry, installed by ./dev setup) in Debian's Chromium: no serious or critical
violation of WCAG 2.2 AA may stand. Lesser findings are printed, not failed."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Final

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page

from deploy.pagedemo import DemoPage, DemoSite, pages, serve_demo
from deploy.screenshots import CHROMIUM, chromium, show_a_mistake
from tests.integration.pages_support import AXE, _missing, opened

pytestmark = pytest.mark.browser

WCAG_22_AA: Final = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING: Final = ("serious", "critical")
RUN_AXE: Final = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
}"""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DemoSite]:
    async with serve_demo(tmp_path_factory.mktemp("pages")) as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():
        _missing(f"Debian's Chromium ({CHROMIUM})")
    async with chromium() as launched:
        yield launched


# ---------------------------------------------------------------- states reached by using the page

async def _tip_mistake(tab: Page) -> None:
    await tab.locator("#location_zip").fill("123")
    await tab.locator("button[type=submit]").last.click()
    await tab.wait_for_selector("#error-summary")


async def _tip_sent(tab: Page) -> None:
    await tab.locator("#narrative").fill("Two workers at the car wash sleep in the back and are never paid.")
    await tab.locator("button[type=submit]").last.click()
    await tab.wait_for_selector("#reference-number")


async def _follow_up_mistake(tab: Page) -> None:
    await tab.locator("button[type=submit]").last.click()
    await tab.wait_for_selector("#error-summary")


async def _call_filed(tab: Page) -> None:
    await tab.get_by_label("What happened").fill("Caller reports a restaurant keeping its cooks' passports.")
    await tab.get_by_role("button", name="File the report").click()
    await tab.wait_for_selector("#reference-number")


async def _added_person(tab: Page) -> None:
    await tab.get_by_role("button", name="Add another person or group").click()
    await tab.wait_for_selector("#victims-1-count")


async def _acknowledged(tab: Page) -> None:
    await tab.get_by_role("button", name="I have received this report").click()
    await tab.wait_for_selector(".success")


async def _reveal(tab: Page) -> None:
    await tab.get_by_label("Why you need them (recorded)").fill("Police ask who called, with a warrant")
    await tab.get_by_role("button", name="Reveal").click()
    await tab.wait_for_selector("text=Who reported")


Action = Callable[[Page], Awaitable[None]]
ACTIONS: Final[dict[str, tuple[str, str, Action]]] = {
    # state: (the page it starts from, locale, what the person does)
    "tip-form-en-mistake": ("tip-form-en", "en-US", _tip_mistake),
    "tip-form-es-mistake": ("tip-form-es", "es-US", _tip_mistake),
    "tip-form-en-sent": ("tip-form-en", "en-US", _tip_sent),
    "tip-form-es-sent": ("tip-form-es", "es-US", _tip_sent),
    "follow-up-en-mistake": ("follow-up-en", "en-US", _follow_up_mistake),
    "follow-up-es-mistake": ("follow-up-es", "es-US", _follow_up_mistake),
    "call-report-mistake": ("call-report", "en-US", show_a_mistake),
    "call-report-two-people": ("call-report", "en-US", _added_person),
    "call-report-filed": ("call-report", "en-US", _call_filed),
    "ack-pressed": ("ack", "en-US", _acknowledged),
    "case-reveal": ("case-minor", "en-US", _reveal),
}
PAGE_NAMES: Final = ["tip-form-en", "tip-form-es", "follow-up-en", "follow-up-es", "not-found-es",
                     "call-report", "calls-to-make", "ack", "ack-already", "ack-unknown", "sign-in", "queue",
                     "case-break-glass", "case-minor", "case-labor", "case-question", "case-not-found",
                     "case-contact", "your-sign-in", "two-step-set-up", "erase-en", "erase-es", "erasures",
                     "exports"]
STATES: Final = PAGE_NAMES + [name for name in ACTIONS if name != "ack-pressed"] + ["ack-pressed"]


def _page(site: DemoSite, name: str) -> DemoPage:
    return next(page for page in pages(site) if page.name == name)


def test_every_page_of_the_demo_is_checked() -> None:
    """A page added to the demo without being listed here fails: nothing escapes the check."""
    cases = {name.removeprefix("case-"): uuid.uuid4() for name in PAGE_NAMES
             if name.startswith("case-") and name not in ("case-not-found", "case-contact")}
    site = DemoSite(ack_tokens={"fresh": "a", "acknowledged": "b"}, cases=cases)
    listed = {page.name for page in pages(site)}
    assert listed == set(PAGE_NAMES)


# A link acknowledges once: the pressed state is checked at one width.
STATES_AND_WIDTHS: Final = [(state, width) for state in STATES for width in ("desktop", "phone")
                            if (state, width) != ("ack-pressed", "phone")]


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("state", "width"), STATES_AND_WIDTHS)
async def test_no_serious_or_critical_wcag_22_aa_violation(
    demo: DemoSite, shared_browser: Browser, state: str, width: str
) -> None:
    if not AXE.exists():
        _missing(f"axe-core ({AXE})")
    start, locale, action = ACTIONS.get(state, (state, "es-US" if state.endswith("-es") else "en-US", None))
    context, tab = await opened(shared_browser, demo, _page(demo, start), width=width, locale=locale,
                                bypass_csp=True)
    try:
        if action is not None:
            await action(tab)
        await tab.add_script_tag(path=str(AXE))
        violations: list[dict[str, Any]] = await tab.evaluate(RUN_AXE, WCAG_22_AA)
    finally:
        await context.close()
    minor = [v for v in violations if v["impact"] not in BLOCKING]
    if minor:
        print(f"{state} ({width}): lesser findings:", json.dumps(minor, indent=1))
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert blocking == [], f"{state} at {width} width:\n" + json.dumps(blocking, indent=1)


@pytest.mark.asyncio(loop_scope="module")
async def test_the_check_catches_a_violation(demo: DemoSite, shared_browser: Browser) -> None:
    """The checker is live: a field whose label is taken away is a critical violation."""
    if not AXE.exists():
        _missing(f"axe-core ({AXE})")
    context, tab = await opened(shared_browser, demo, _page(demo, "call-report"), bypass_csp=True)
    try:
        await tab.evaluate("document.querySelector('label[for=narrative]').remove()")
        await tab.add_script_tag(path=str(AXE))
        violations: list[dict[str, Any]] = await tab.evaluate(RUN_AXE, WCAG_22_AA)
    finally:
        await context.close()
    assert any(v["id"] == "label" and v["impact"] == "critical" for v in violations), violations
