"""The staff pages as a person works them at 3 a.m., in Debian's Chromium (Playwright), on the demo
pages of every app (``deploy.pagedemo``): the acknowledgement page, the call report form, the calls
to make, the case page, the hotline's clock, taking the next urgent case, and the favicon."""

from __future__ import annotations

import re
from typing import Final

import httpx
import pytest
from playwright.async_api import Browser, expect

from contracts import Topic
from contracts.events import SignalReceived
from deploy.pagedemo import DemoPage, DemoSite, pages
from tests.integration.pages_support import browser, opened, site

pytestmark = pytest.mark.browser
__all__ = ["browser", "site"]  # the fixtures, imported to be found

LOCAL_TIME: Final = re.compile(r"\w{3} \w{3} \d+, \d+:\d\d [AP]M E[SD]T")


def _page(demo: DemoSite, name: str) -> DemoPage:
    return next(page for page in pages(demo) if page.name == name)


async def test_the_ack_page_says_who_sent_what_and_what_the_button_does(
    site: DemoSite, browser: Browser
) -> None:
    context, tab = await opened(browser, site, _page(site, "ack"))
    main = tab.locator("main")
    reference = (await tab.locator("#reference-number").inner_text()).strip()
    assert re.fullmatch(r"HT-[0-9A-Z]{4}-[0-9A-Z]{5}", reference)
    await expect(tab.locator("h1")).to_have_text(f"Report {reference}")
    await expect(main).to_contain_text("The Human Trafficking Hotline sent you a report")
    await expect(main).to_contain_text("1-888-373-7888")
    await expect(main).to_contain_text("CyberTipline, Example National Center for Missing Children")
    assert LOCAL_TIME.search(await main.inner_text())
    await expect(main).to_contain_text("Pressing the button tells the hotline that a person at your")
    await expect(tab.get_by_role("heading", name="Not meant for you?")).to_be_visible()
    await expect(main).to_contain_text("Do not press the button.")
    # Nothing of the report itself: not the narrative, the place or the people.
    text = await main.inner_text()
    assert "Motel" not in text and "salon" not in text and "Houston" not in text and "girls" not in text
    button = tab.get_by_role("button", name="I have received this report")
    await expect(button).to_have_accessible_description(re.compile("^Pressing the button tells"))
    await button.click()
    await expect(tab.locator(".success")).to_contain_text("Thank you: the report is acknowledged.")
    await tab.goto(tab.url)  # the link opened again later
    await expect(tab.locator("main")).to_contain_text("This report was already acknowledged on")
    await expect(tab.get_by_role("button")).to_have_count(0)
    await context.close()


async def test_the_call_report_keeps_every_input_after_a_mistake_and_files_several_people(
    site: DemoSite, browser: Browser
) -> None:
    context, tab = await opened(browser, site, _page(site, "call-report"))
    await expect(tab.get_by_label("Call type")).to_contain_text("Tip (reporting a situation)")
    await tab.get_by_label("Call type").select_option("crisis")
    await tab.get_by_role("radio", name="Yes", exact=True).check()
    await tab.get_by_label("Type of trafficking").select_option(label="Labor trafficking")
    await tab.get_by_label("Urgency as you judge it").select_option(label="P1: act now")
    await tab.get_by_label("Age", exact=True).fill("fifteen")
    await tab.get_by_label("Gender").select_option(label="Female")
    await tab.get_by_label("Citizenship").select_option(label="Foreign national")
    await tab.get_by_label("State").fill("tx")
    await tab.get_by_role("button", name="File the report").click()

    summary = tab.locator("#error-summary")
    await expect(summary).to_contain_text("There is a problem: the report was not filed")
    await expect(summary).to_contain_text("What happened: Write what the caller told you.")
    await expect(summary).to_contain_text("Person or group 1: age: Enter a whole number, like 2.")
    assert "Input should be" not in await summary.inner_text()
    # Everything typed is still there.
    await expect(tab.get_by_label("Call type")).to_have_value("crisis")
    await expect(tab.get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    await expect(tab.get_by_label("Type of trafficking")).to_have_value("labor")
    await expect(tab.get_by_label("Urgency as you judge it")).to_have_value("p1_act_now")
    await expect(tab.get_by_label("Gender")).to_have_value("female")
    await expect(tab.get_by_label("Citizenship")).to_have_value("foreign_national")
    age = tab.locator("#victims-0-age")
    await expect(age).to_have_value("fifteen")
    await expect(age).to_have_attribute("aria-invalid", "true")
    await expect(age).to_have_accessible_description(re.compile("Enter a whole number, like 2."))
    # The summary's link takes the keyboard to the field.
    await summary.get_by_role("link", name=re.compile("Person or group 1: age")).click()
    await expect(age).to_be_focused()

    await age.fill("15")
    await tab.get_by_role("button", name="Add another person or group").click()
    second = tab.locator("#victims-1-count")
    await expect(second).to_be_focused()  # the new row, ready to type in
    await expect(tab.locator("#error-summary")).to_have_count(0)
    await expect(age).to_have_value("15")
    await second.fill("4")
    await tab.locator("#victims-1-age_low").fill("20")
    await tab.locator("#victims-1-age_high").fill("30")
    await tab.get_by_label("What happened").fill("Caller's sister and four men work at a farm without pay.")
    await tab.get_by_role("button", name="File the report").click()
    reference = (await tab.locator("#reference-number").inner_text()).strip()
    await context.close()

    assert site.phone_publisher is not None
    [filed] = [d.event for d in site.phone_publisher.decoded(Topic.SIGNALS_RECEIVED)
               if isinstance(d.event, SignalReceived) and d.event.reference_number == reference]
    assert isinstance(filed, SignalReceived)
    assert [(v.count, v.age, v.gender.value, v.nationality.value) for v in filed.facts.victims] == [
        (1, 15, "female", "foreign_national"), (4, None, "unknown", "unknown")]
    assert filed.facts.danger_now.value == "yes" and filed.facts.trafficking_type.value == "labor"
    assert filed.facts.urgency is not None and filed.facts.urgency.value == "p1_act_now"
    assert filed.facts.location is not None and filed.facts.location.state == "TX"


async def test_calls_to_make_are_grouped_by_report_soonest_first_with_the_time_left(
    site: DemoSite, browser: Browser
) -> None:
    context, tab = await opened(browser, site, _page(site, "calls-to-make"))
    reports = tab.locator("section.case")
    await expect(reports).to_have_count(2)
    first, second = reports.nth(0), reports.nth(1)
    await expect(first.locator("h2")).to_contain_text("(2 calls)")
    await expect(first).to_contain_text(
        "For: law-enforcement intervention (victim extraction), victim group 1.")
    await expect(first).to_contain_text("victim group 2")
    await expect(first.locator(".clock").first).to_have_text(re.compile(r"^[23] min left$"))
    await expect(first.locator(".task").first).to_have_class(re.compile(r"\bsoon\b"))
    await expect(second).to_contain_text("For: tip report to law enforcement.")
    await expect(second).to_contain_text("For: emergency shelter.")
    clocks = [await c.inner_text() for c in await second.locator(".clock").all()]
    minutes = [60 * int(c.split()[0]) if " h" in c else int(c.split()[0]) for c in clocks]
    assert minutes == sorted(minutes), clocks  # soonest first within a report
    text = await tab.locator("main").inner_text()
    assert "UTC" not in text and "victim_extraction" not in text and LOCAL_TIME.search(text)
    await context.close()


async def test_the_case_page_reads_in_words_and_names_who_reviewed_the_break_glass_report(
    site: DemoSite, browser: Browser
) -> None:
    context, tab = await opened(browser, site, _page(site, "case-break-glass"))
    notice = tab.locator("#break-glass")
    await expect(notice).to_contain_text("Reviewed by alice on")
    await expect(notice).to_contain_text("Police are on their way to the motel")
    await expect(notice).not_to_contain_text("awaiting your review")
    reports = tab.locator("section[aria-labelledby=reports]")
    await expect(reports.locator("h3")).to_have_text("Law-enforcement intervention (victim extraction)")
    await expect(reports.locator("caption").nth(0)).to_have_text("Contacts")
    await expect(reports.locator("caption").nth(1)).to_contain_text("Mandatory report: ncmec minor: done")
    second_call = reports.locator("tr", has_text="hou-det-smith")
    await expect(second_call).to_contain_text("call task opened (waiting for a specialist's call)")
    first_call = reports.locator("tr", has_text="fbi-duty")
    await expect(first_call).to_contain_text("called: no answer")
    await expect(first_call.locator("td").nth(2)).to_have_text(re.compile("not acknowledged in time"))
    text = await tab.locator("main").inner_text()
    assert "Victim, step" not in text and "victim extraction le intervention" not in text
    assert "UTC" not in text and LOCAL_TIME.search(text)
    await expect(tab.locator("#le-need")).to_have_count(0)  # reviewed: nothing left to review
    await tab.get_by_role("link", name="Queue").first.click()
    await expect(tab.locator("table.queue")).to_contain_text(LOCAL_TIME)
    await expect(tab.locator("table.queue caption")).to_contain_text("America/New_York")
    await context.close()


async def test_take_the_next_urgent_case_claims_it_and_opens_it(site: DemoSite, browser: Browser) -> None:
    queue = DemoPage("review", "queue", "/queue", "bob")
    context, tab = await opened(browser, site, queue)
    await tab.get_by_role("button", name="Take the next urgent case").click()
    # The P1 case is alice's already: the most urgent one nobody works is the P2 minor.
    await expect(tab).to_have_url(f"{site.review}/cases/{site.cases['minor']}")
    await expect(tab.locator("section.claim")).to_contain_text("Worked by bob (you).")
    await tab.goto(f"{site.review}/queue")
    await expect(tab.locator("table.queue")).to_contain_text(re.compile(r"bob"))  # the queue still shows all
    await tab.get_by_role("button", name="Take the next urgent case").click()
    await expect(tab).to_have_url(f"{site.review}/cases/{site.cases['question']}")  # labor is ana's
    await tab.goto(f"{site.review}/queue")
    await tab.get_by_role("button", name="Take the next urgent case").click()
    await expect(tab.locator("p.notice[role=status]")).to_have_text(
        "Every open case is being worked or waits for approval: nothing was claimed.")
    await context.close()


async def test_every_app_answers_the_favicon_with_no_content(site: DemoSite) -> None:
    async with httpx.AsyncClient() as client:
        for base in (site.webform, site.phone, site.reporting, site.review):
            icon = await client.get(f"{base}/favicon.ico")
            assert icon.status_code == 204, base
            assert icon.headers["x-content-type-options"] == "nosniff"
