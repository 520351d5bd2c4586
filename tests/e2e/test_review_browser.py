"""Two supervisors in a real browser (Debian's Chromium, driven by Playwright) against the review
service on PostgreSQL and the real broker: an urgent case appears live on an open queue page, is
claimed with the keyboard, and its law-enforcement report waits for a second person, who approves
it; the report and the decision then reach Kafka through the outbox."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from contracts import CODEC, Topic
from contracts.events import (
    CallType,
    DecisionKind,
    Evidence,
    Flag,
    FlagName,
    Jurisdiction,
    ReportNeed,
    ReportRequested,
    ReviewDecision,
    Route,
    RoutingTarget,
    SignalReceived,
    SignalTriaged,
    TraffickingType,
    Urgency,
    UrgentAlert,
)
from contracts.reference_numbers import reference_for
from contracts.snapshots import example_path
from services.review.auth import Role
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from tests.builders import received
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess, free_port
from tests.e2e.review_support import PASSWORD, provision_review
from tests.kafka_reader import read_topic

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

WAIT_MS = 30_000
NARRATIVE = ("My neighbour's 15 year old daughter works at the nail salon on Elm Street. "
             "She is locked in the back room at night and is not allowed to leave.")
MINOR_WORDS = "15 year old"
# Set on the open queue page before publishing: still there afterwards means no reload happened,
# and the observer notes when the banner was shown, with no polling delay in the figure.
WATCH_BANNER = """() => {
  window.stillTheSamePage = true;
  const banner = document.getElementById("live");
  new MutationObserver((_, observer) => {
    if (!banner.hidden) { window.bannerShownAt = Date.now(); observer.disconnect(); }
  }).observe(banner, {attributes: true, attributeFilter: ["hidden"]});
}"""


def _signal_events() -> tuple[SignalReceived, SignalTriaged, UrgentAlert]:
    """A minor at a salon (P2 same day: urgent, not break-glass), its triage and its urgent alert,
    stamped now so the SLA clock does not escalate the case while the test runs."""
    now = datetime.now(UTC)
    signal = received(narrative=NARRATIVE, received_at=now)
    signal = signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"t")})
    start = NARRATIVE.index(MINOR_WORDS)
    minor = Flag(name=FlagName.MINOR, raised=True, evidence=[Evidence(
        rule_id="minor.text_age", origin="text", field="narrative", start=start, end=start + len(MINOR_WORDS),
        matched_text=MINOR_WORDS)])
    sla_due_at = now + timedelta(hours=4)
    triage = SignalTriaged(
        signal_id=signal.signal_id, reference_number=signal.reference_number, channel=signal.channel,
        received_at=now, triaged_at=now, rules_version="test-1",
        flags=[minor, Flag(name=FlagName.IMMINENT_DANGER, raised=False)], urgency=Urgency.P2_SAME_DAY,
        call_type=CallType.TIP, trafficking_type=TraffickingType.LABOR,
        jurisdiction=Jurisdiction(state="TX", city="Houston", origin="declared"), business_hours=True,
        sla_due_at=sla_due_at, routes=[Route(target=RoutingTarget.SUPERVISOR_QUEUE, reason="substantive"),
                                       Route(target=RoutingTarget.URGENT_ALERT, reason="minor"),
                                       Route(target=RoutingTarget.MANDATORY_REPORT, reason="minor")])
    example = json.loads(example_path(UrgentAlert).read_text())["value"]
    alert = UrgentAlert.model_validate({
        **example, "signal_id": str(signal.signal_id), "reference_number": signal.reference_number,
        "received_at": now.isoformat(), "raised_at": now.isoformat(), "urgency": Urgency.P2_SAME_DAY.value,
        "reasons": [FlagName.MINOR.value], "business_hours": True, "sla_due_at": sla_due_at.isoformat(),
        "required_actions": [RoutingTarget.URGENT_ALERT.value, RoutingTarget.MANDATORY_REPORT.value],
        "trafficking_type": TraffickingType.LABOR.value, "linked_signal_ids": []})
    return signal, triage, alert


async def _sign_in(browser: Browser, base_url: str, username: str, path: str) -> tuple[BrowserContext, Page]:
    """Sign in through the form, having opened ``path`` (the login page leads back to it); return
    once the page's script is listening for live updates (``/events`` has answered)."""
    context = await browser.new_context(locale="en-US")
    context.set_default_timeout(WAIT_MS)
    page = await context.new_page()
    await page.goto(f"{base_url}{path}")
    await expect(page).to_have_url(re.compile(r"/login\?next="))
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    async with page.expect_response(f"{base_url}/events") as events:
        await page.get_by_role("button", name="Sign in").click()
    assert (await events.value).ok
    await expect(page).to_have_url(f"{base_url}{path}")
    await expect(page.locator(".who")).to_contain_text(f"Signed in as {username.title()}")
    return context, page


async def _fully_recorded(base_url: str, token: str, case_id: str) -> bool:
    """The three topics are read by separate consumers: the case page is complete once the
    signal's words and its triage are both in."""
    async with httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as client:
        response = await client.get(f"/api/v1/cases/{case_id}")
    if response.status_code != 200:
        return False
    return any(s["narrative"] and s["triage"] for s in response.json()["signals"])


async def _tab_to(page: Page, target_id: str, *, presses: int = 20) -> None:
    """Reach an element the way a keyboard user does: Tab from the top of the page."""
    for _ in range(presses):
        await page.keyboard.press("Tab")
        if await page.evaluate("id => document.activeElement && document.activeElement.id === id", target_id):
            return
    pytest.fail(f"#{target_id} was not reached with {presses} presses of Tab")


async def test_an_urgent_case_arrives_live_and_its_report_needs_a_second_supervisor(
    browser: Browser, topics: RuntimeSettings, postgres_url: str, launch: Callable[..., ServiceProcess]
) -> None:
    tokens = provision_review(postgres_url, ("alice", Role.SUPERVISOR), ("bob", Role.SUPERVISOR))
    port = free_port()
    launch("services.review", HOTLINE_REVIEW_DATABASE_URL=postgres_url, HOTLINE_HTTP_PORT=str(port),
           HOTLINE_COOKIE_SECURE="false")
    base_url = f"http://127.0.0.1:{port}"

    # Alice signs in and leaves her queue open.
    alice, alice_page = await _sign_in(browser, base_url, "alice", "/queue")
    await expect(alice_page.locator("#live")).to_be_hidden()
    await expect(alice_page.locator("#queue-rows")).to_have_text("Nothing in the queue matches.")
    base_title = await alice_page.title()
    await alice_page.evaluate(WATCH_BANNER)

    signal, triage, alert = _signal_events()
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("t")) as publisher:
        published_at = time.time()
        await publisher.publish(Topic.SIGNALS_RECEIVED, signal)
        await publisher.publish(Topic.SIGNALS_TRIAGED, triage)
        await publisher.publish(Topic.ALERTS_URGENT, alert)

    # Live, without a reload: the banner names the case, a row is added, the title changes.
    await expect(alice_page.locator("#live")).to_be_visible(timeout=WAIT_MS)
    await expect(alice_page.locator("#live-list")).to_contain_text(signal.reference_number)
    shown_at_ms = await alice_page.evaluate("window.bannerShownAt")
    assert isinstance(shown_at_ms, int | float), shown_at_ms
    print(f"publish to banner visible: {shown_at_ms / 1000 - published_at:.3f}s")
    row = alice_page.locator("#queue-rows tr.live-row", has_text=signal.reference_number)
    await expect(row).to_have_count(1)
    await expect(alice_page.locator("#queue-rows")).not_to_contain_text("Nothing in the queue matches.")
    await expect(alice_page).to_have_title(re.compile(r"^\(\d+\) urgent - " + re.escape(base_title) + "$"))
    assert await alice_page.evaluate("window.stillTheSamePage") is True
    case_id = await row.get_attribute("data-case")
    assert case_id is not None and uuid.UUID(case_id)

    await wait_for(lambda: _fully_recorded(base_url, tokens["alice"], case_id), timeout=30,
                   what="the signal and its triage in the case")
    await row.get_by_role("link").click()
    await expect(alice_page).to_have_url(f"{base_url}/cases/{case_id}")
    await expect(alice_page.locator("h1")).to_contain_text(signal.reference_number)
    # The words triage found are marked in the narrative, with the flag they support.
    mark = alice_page.locator(".narrative mark.ev")
    await expect(mark).to_have_count(1)
    await expect(mark).to_have_text(MINOR_WORDS)
    await expect(mark).to_have_class(re.compile(r"\bev-minor\b"))

    # The claim, by keyboard: reached with Tab, pressed with Enter.
    claim = alice_page.get_by_role("button", name="Claim this case")
    await expect(claim).to_be_visible()
    await _tab_to(alice_page, "claim")
    await expect(claim).to_be_focused()
    await alice_page.keyboard.press("Enter")
    await expect(alice_page.locator("section.claim")).to_contain_text("Worked by alice (you).")
    await expect(claim).to_have_count(0)

    # Not break-glass, so her request for a report waits for someone else.
    await alice_page.get_by_label("What is needed").select_option(ReportNeed.TIP_REPORTING.value)
    await alice_page.locator("#le-reason").fill("A minor is held at the salon at night")
    await alice_page.get_by_role("button", name="Request (needs approval)").click()
    pending = alice_page.get_by_role("region", name="Awaiting a second person's approval")
    await expect(pending).to_contain_text(
        "Law-enforcement report: tip report to law enforcement, requested by alice")
    await expect(pending).to_contain_text("Another supervisor must approve your request.")
    await expect(alice_page.get_by_role("button", name="Approve and send")).to_have_count(0)
    await expect(alice_page.locator("h1 .tag")).to_have_text("awaiting approval")

    # Bob, in a browser of his own, approves it.
    bob, bob_page = await _sign_in(browser, base_url, "bob", f"/cases/{case_id}")
    pending = bob_page.get_by_role("region", name="Awaiting a second person's approval")
    await expect(pending).to_contain_text("requested by alice: A minor is held at the salon at night")
    await bob_page.get_by_role("button", name="Approve and send").click()
    await expect(pending).to_have_count(0)
    await expect(bob_page.get_by_role("button", name="Approve and send")).to_have_count(0)
    history = bob_page.get_by_role("region", name="History")
    await expect(history).to_contain_text(
        "alice: le report: tip report to law enforcement (A minor is held at the salon at night)")
    await expect(history).to_contain_text("bob: approve le report")
    await expect(bob_page.locator("h1 .tag")).to_have_count(0)
    await bob.close()
    await alice.close()

    # The outbox relay puts the report and the decision on their topics.
    [report_record] = await read_topic(topics, Topic.REPORTS_REQUESTED, 1, timeout=30)
    report = CODEC.decode_as(ReportRequested, report_record.value or b"", report_record.headers)
    assert (report.kind, report.requested_by) == ("approved", "review")
    assert (report.signal_id, report.reference_number) == (signal.signal_id, signal.reference_number)
    assert report.need is ReportNeed.TIP_REPORTING and report.conditions.minor and report.conditions.urgent
    records = await read_topic(topics, Topic.REVIEW_DECISIONS, 3, timeout=30)
    decisions = [CODEC.decode_as(ReviewDecision, r.value or b"", r.headers) for r in records]
    assert {d.kind for d in decisions} == {DecisionKind.ACKNOWLEDGED, DecisionKind.LE_REPORT_REQUESTED,
                                           DecisionKind.LE_REPORT_APPROVED}
    [approved] = [d for d in decisions if d.kind is DecisionKind.LE_REPORT_APPROVED]
    assert approved.signal_id == signal.signal_id and approved.report_id == report.report_id
    assert approved.decided_by_role == "supervisor"
