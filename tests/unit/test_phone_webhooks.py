"""Twilio callbacks signed with the official library, tampered variants refused; specialists' reports."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from twilio.request_validator import RequestValidator

from contracts import Topic
from contracts.events import CallType, SignalReceived
from intake_phone.source import build_app
from services.runtime import BrokerUnavailable, InMemoryPublisher
from tests.builders import reference_with_lookalikes, written_forms

TOKEN = "twilio-test-auth-token"
PUBLIC = "https://hotline.example.org"
SPECIALISTS = {"maria": "specialist-token-1"}
STATUS = {
    "CallSid": "CA5f0e2a9c7b3d4e1f8a6b2c9d0e7f1a3b",
    "AccountSid": "AC00000000000000000000000000000000",
    "From": "+12145550123",
    "To": "+18883737888",
    "CallStatus": "completed",
    "Direction": "inbound",
    "CallDuration": "312",
}


def signed(path: str, params: dict[str, str], *, url: str | None = None) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url or PUBLIC + path, params)}


@pytest.fixture
async def client(publisher: InMemoryPublisher) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(
        publisher=publisher,
        twilio_auth_token=TOKEN,
        public_url=PUBLIC,
        specialist_tokens=SPECIALISTS,
        secret=b"phone-secret",
        now=lambda: datetime(2026, 3, 16, 18, 0, tzinfo=UTC),
    )
    # The app sees a private address, as behind a proxy: validation must use the public URL.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://10.0.0.7:8084"
    ) as c:
        yield c


def signals(publisher: InMemoryPublisher) -> list[SignalReceived]:
    found = [d.event for d in publisher.decoded(Topic.SIGNALS_RECEIVED)]
    assert all(isinstance(e, SignalReceived) for e in found)
    return found  # type: ignore[return-value]


async def test_a_signed_status_callback_is_published_without_the_caller_number(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    path = "/twilio/voice/status"
    response = await client.post(path, data=STATUS, headers=signed(path, STATUS))
    assert response.status_code == 204, response.text
    [signal] = signals(publisher)
    assert signal.source.kind == "phone" and signal.source.fragment == "call_record"
    assert signal.source.call_id == STATUS["CallSid"] and signal.source.caller_region_hint == "US-TX"
    assert signal.source.call is not None and signal.source.call.duration_s == 312
    assert signal.source.call.direction == "inbound"
    assert "2145550123" not in signal.model_dump_json()


async def test_a_repeated_callback_is_the_same_signal(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    path = "/twilio/voice/status"
    for _ in range(3):
        assert (await client.post(path, data=STATUS, headers=signed(path, STATUS))).status_code == 204
    assert len({s.signal_id for s in signals(publisher)}) == 1
    ringing = {**STATUS, "CallStatus": "ringing"}
    await client.post(path, data=ringing, headers=signed(path, ringing))
    assert len({s.signal_id for s in signals(publisher)}) == 2


@pytest.mark.parametrize(
    "tamper",
    [
        "changed_parameter",
        "added_parameter",
        "changed_url",
        "other_body",
        "unsigned",
        "other_token",
        "private_url",
    ],
)
async def test_tampered_or_unsigned_callbacks_get_403_and_publish_nothing(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, tamper: str
) -> None:
    path = "/twilio/voice/status"
    headers = signed(path, STATUS)
    body = dict(STATUS)
    if tamper == "changed_parameter":
        body["CallStatus"] = "busy"
    elif tamper == "added_parameter":
        body["Extra"] = "1"
    elif tamper == "changed_url":
        headers = signed(path, STATUS, url=PUBLIC + "/twilio/voice/recording")
    elif tamper == "other_body":  # a captured signature replayed with another call's body
        body = {**STATUS, "CallSid": "CA" + "1" * 32}
    elif tamper == "unsigned":
        headers = {}
    elif tamper == "other_token":
        headers = {
            "X-Twilio-Signature": RequestValidator("someone-else").compute_signature(PUBLIC + path, STATUS)
        }
    elif tamper == "private_url":  # signed for the address the app sees, not the public one
        headers = signed(path, STATUS, url="http://10.0.0.7:8084" + path)
    response = await client.post(path, data=body, headers=headers)
    assert response.status_code == 403
    assert signals(publisher) == []


async def test_a_transcription_is_a_narrative_signal_of_its_own(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    path = "/twilio/voice/transcription"
    params = {
        "CallSid": STATUS["CallSid"],
        "RecordingSid": "RE" + "2" * 32,
        "TranscriptionSid": "TR" + "3" * 32,
        "TranscriptionStatus": "completed",
        "TranscriptionText": "they are keeping a fifteen year old girl locked in the motel tonight",
    }
    assert (await client.post(path, data=params, headers=signed(path, params))).status_code == 204
    [signal] = signals(publisher)
    assert signal.source.kind == "phone" and signal.source.fragment == "transcription"
    assert "fifteen year old" in signal.narrative and signal.source.call_id == STATUS["CallSid"]


async def test_a_signed_callback_without_its_required_fields_is_400(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    path = "/twilio/voice/recording"
    params = {"CallSid": STATUS["CallSid"]}
    response = await client.post(path, data=params, headers=signed(path, params))
    assert response.status_code == 400 and "RecordingSid" in response.json()["message"]


async def test_the_broker_away_is_a_503_so_twilio_and_clients_retry(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    publisher.fail_next(BrokerUnavailable("down"))
    path = "/twilio/voice/status"
    assert (await client.post(path, data=STATUS, headers=signed(path, STATUS))).status_code == 503


REPORT = {
    "report_id": "r-1",
    "call_id": STATUS["CallSid"],
    "call_type": "tip",
    "caller_role": "community_member",
    "narrative": "Caller reports two teenage girls working at a massage business, never leave.",
    "victims": [{"count": 2, "age_low": 15, "age_high": 17, "gender": "female"}],
    "trafficking_type": "sex",
    "location_state": "TX",
    "location_city": "Dallas",
    "language": "es",
    "interpreter_language": "es",
    "interpreter_minutes": 14,
    "urgency": "p2_same_day",
    "consent_to_share": True,
}


async def test_a_specialist_report_links_to_the_call_and_carries_the_declared_facts(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    response = await client.post(
        "/api/v1/calls/reports", json=REPORT, headers={"Authorization": "Bearer specialist-token-1"}
    )
    assert response.status_code == 202, response.text
    assert response.json()["call_id"] == STATUS["CallSid"]
    path = "/twilio/voice/status"
    await client.post(path, data=STATUS, headers=signed(path, STATUS))
    by_fragment = {s.source.fragment: s for s in signals(publisher) if s.source.kind == "phone"}
    report, status = by_fragment["specialist_report"], by_fragment["call_record"]
    assert report.source.kind == "phone" and status.source.kind == "phone"
    assert report.source.call_id == status.source.call_id  # one call, not two fragments
    assert report.facts.call_type is CallType.TIP and report.facts.urgency is not None
    assert report.source.interpreter is not None and report.source.interpreter.minutes == 14
    assert report.facts.victims[0].age_range is not None and report.facts.victims[0].age_range.low == 15
    again = await client.post(
        "/api/v1/calls/reports", json=REPORT, headers={"Authorization": "Bearer specialist-token-1"}
    )
    assert again.json()["reference_number"] == response.json()["reference_number"]


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic bWFyaWE6c3BlY2lhbGlzdC10b2tlbi0x"])
async def test_reports_need_a_specialist_token(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.post("/api/v1/calls/reports", json=REPORT, headers=headers)
    assert response.status_code == 401
    assert signals(publisher) == []


async def test_the_specialist_form_behind_basic_auth(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    assert (await client.get("/specialist/report")).status_code == 401
    auth = {"Authorization": "Basic " + base64.b64encode(b"maria:specialist-token-1").decode()}
    page = await client.get("/specialist/report", headers=auth)
    assert page.status_code == 200 and 'name="report_id"' in page.text
    bad = await client.post(
        "/specialist/report",
        headers=auth,
        data={**form_fields(page.text), "call_type": "nonsense", "narrative": "kept"},
    )
    assert bad.status_code == 422 and "kept" in bad.text and signals(publisher) == []
    ok = await client.post(
        "/specialist/report",
        headers=auth,
        data={
            **form_fields(bad.text),  # the same report id, and its check, kept for the correction
            "call_type": "crisis",
            "narrative": "Caller locked in a trailer, boss returns tonight.",
            "danger_now": "yes",
            "victims-0-age": "16",
            "consent_to_share": "yes",
        },
    )
    assert ok.status_code == 200 and 'id="reference-number"' in ok.text
    [signal] = signals(publisher)
    assert signal.facts.call_type is CallType.CRISIS and signal.facts.victims[0].age == 16


MARIA = {"Authorization": "Basic " + base64.b64encode(b"maria:specialist-token-1").decode()}
A_REPORT = {"call_type": "crisis", "narrative": "Caller locked in a trailer.", "danger_now": "yes"}


def form_fields(page: str) -> dict[str, str]:
    """The hidden fields the form page carries (its report id and its check)."""
    import re

    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page))


async def test_the_specialist_form_refuses_a_post_without_its_check(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    # A page elsewhere can make a signed-in specialist's browser post this form: Basic
    # credentials ride along, so the form must carry a value only this page can give.
    forged = await client.post("/specialist/report", headers=MARIA, data={"report_id": "x-1", **A_REPORT})
    assert forged.status_code == 403
    hidden = form_fields((await client.get("/specialist/report", headers=MARIA)).text)
    assert set(hidden) == {"report_id", "check", "victim_rows"}
    other_report = await client.post("/specialist/report", headers=MARIA,
                                     data={**hidden, "report_id": "x-2", **A_REPORT})
    assert other_report.status_code == 403
    assert signals(publisher) == []
    ok = await client.post("/specialist/report", headers=MARIA, data={**hidden, **A_REPORT})
    assert ok.status_code == 200 and 'id="reference-number"' in ok.text
    assert len(signals(publisher)) == 1


@pytest.mark.parametrize("browser", [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                                     {"Origin": "https://evil.example"}])
async def test_a_cross_site_post_of_the_specialist_form_is_refused(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, browser: dict[str, str]
) -> None:
    hidden = form_fields((await client.get("/specialist/report", headers=MARIA)).text)
    response = await client.post("/specialist/report", headers={**MARIA, **browser},
                                 data={**hidden, **A_REPORT})
    assert response.status_code == 403
    assert signals(publisher) == []
    # The public URL is this site even though the process sees a private address.
    own = await client.post("/specialist/report", headers={**MARIA, "Origin": PUBLIC},
                            data={**hidden, **A_REPORT})
    assert own.status_code == 200


async def test_the_form_speaks_in_words_and_keeps_every_choice_after_a_problem(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    page = (await client.get("/specialist/report", headers=MARIA)).text
    assert '<option value="us_citizen">US citizen</option>' in page
    assert ">Not asked</label>" in page and ">not_asked<" not in page and ">us_citizen<" not in page
    chosen = {"call_type": "tip", "caller_role": "professional", "narrative": "Kept words.",
              "danger_now": "unsure", "trafficking_type": "labor", "urgency": "p2_same_day",
              "location_state": "tx", "victims-0-age": "sixteen", "victims-0-gender": "female",
              "victims-0-nationality": "foreign_national", "victims-1-count": "3",
              "victims-1-nationality": "us_citizen", "victim_rows": "2", "location_zip": "7700"}
    bad = await client.post("/specialist/report", headers=MARIA, data={**form_fields(page), **chosen})
    assert bad.status_code == 422 and signals(publisher) == []
    text = bad.text
    kept = (("call_type", "tip"), ("caller_role", "professional"), ("trafficking_type", "labor"),
            ("urgency", "p2_same_day"), ("victims-0-gender", "female"),
            ("victims-0-nationality", "foreign_national"), ("victims-1-nationality", "us_citizen"))
    for name, value in kept:
        select = text[text.index(f'<select id="{name}"'):]
        assert f'<option value="{value}" selected>' in select[:select.index("</select>")], name
    assert 'id="danger_now-unsure" name="danger_now" value="unsure" checked' in text
    assert 'value="sixteen"' in text and 'value="3"' in text and "Kept words." in text
    # The summary links to each field, in words; each field names its message.
    assert '<a href="#victims-0-age">Person or group 1: age: Enter a whole number, like 2.</a>' in text
    assert '<a href="#location_zip">ZIP code: Use a 5-digit ZIP code' in text
    assert 'id="victims-0-age" name="victims-0-age" value="sixteen"' in text
    assert 'aria-describedby="victims-0-age-error" aria-invalid="true"' in text
    assert "Input should be" not in text and "victims.0" not in text


async def test_several_people_are_filed_and_add_another_keeps_the_form_without_filing(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    page = (await client.get("/specialist/report", headers=MARIA)).text
    assert 'name="victims-0-count"' in page and 'name="victims-1-count"' not in page
    typed = {**form_fields(page), **A_REPORT, "victims-0-age": "15", "victims-0-gender": "female"}
    more = await client.post("/specialist/report", headers=MARIA, data={**typed, "add_victim": "1"})
    assert more.status_code == 200 and signals(publisher) == []
    assert 'name="victims-1-count"' in more.text and 'value="15"' in more.text
    assert 'id="victims-1-count" name="victims-1-count" value="" autocomplete="off" size="5" ' \
           'inputmode="numeric" autofocus' in more.text
    filed = await client.post("/specialist/report", headers=MARIA, data={
        **form_fields(more.text), **typed, "victims-1-count": "4", "victims-1-age_low": "20",
        "victims-1-age_high": "30", "victims-1-nationality": "foreign_national"})
    assert filed.status_code == 200 and 'id="reference-number"' in filed.text
    [signal] = signals(publisher)
    assert [(v.count, v.age, v.gender.value, v.nationality.value) for v in signal.facts.victims] == [
        (1, 15, "female", "unknown"), (4, None, "unknown", "foreign_national")]
    assert signal.facts.victims[1].age_range is not None and signal.facts.victims[1].age_range.high == 30


async def test_every_answer_of_the_phone_app_carries_the_security_headers(
    client: httpx.AsyncClient,
) -> None:
    path = "/twilio/voice/status"
    answers = [
        await client.get("/specialist/report", headers=MARIA),
        await client.get("/specialist/report"),  # 401 challenge
        await client.post("/specialist/report", headers=MARIA, data={}),  # 403 without its check
        await client.post(path, data=STATUS),  # 403 unsigned
        await client.post("/api/v1/calls/reports", json=REPORT),  # 401 JSON
        await client.post("/api/v1/calls/reports", json={},
                          headers={"Authorization": "Bearer specialist-token-1"}),  # 422
        await client.get("/nowhere"),
    ]
    assert [a.status_code for a in answers] == [200, 401, 403, 403, 401, 422, 404]
    for answer in answers:
        assert answer.headers["content-security-policy"].startswith("default-src 'none'"), answer.url
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["cache-control"] == "no-store"


WEB_REFERENCE = reference_with_lookalikes(b"the web intake's secret")


@pytest.mark.parametrize(("form", "quoted"), written_forms(WEB_REFERENCE).items())
async def test_a_reference_number_the_caller_quotes_links_the_call_to_that_case(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, form: str, quoted: str
) -> None:
    response = await client.post("/api/v1/calls/reports", json={**REPORT, "related_reference": quoted},
                                 headers={"Authorization": "Bearer specialist-token-1"})
    assert response.status_code == 202, (form, response.text)
    [report] = signals(publisher)
    assert report.related is not None
    assert (report.related.relation, report.related.reference_number) == ("follow_up", WEB_REFERENCE)
    assert report.reference_number != WEB_REFERENCE  # the call keeps its own number too


async def test_the_call_report_form_links_to_a_quoted_reference_and_refuses_a_misheard_one(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    auth = {"Authorization": "Basic " + base64.b64encode(b"maria:specialist-token-1").decode()}
    page = await client.get("/specialist/report", headers=auth)
    assert 'name="related_reference"' in page.text and 'for="related_reference"' in page.text
    misheard = WEB_REFERENCE[:-1] + ("A" if WEB_REFERENCE[-1] != "A" else "B")
    fields = {**form_fields(page.text), "call_type": "tip",
              "narrative": "Caller adds the address of the house."}
    bad = await client.post("/specialist/report", headers=auth,
                            data={**fields, "related_reference": misheard})
    assert bad.status_code == 422 and "related_reference" in bad.text and signals(publisher) == []
    assert misheard in bad.text  # kept for the specialist to correct
    spoken = written_forms(WEB_REFERENCE)["spoken, with spaces"]
    ok = await client.post("/specialist/report", headers=auth, data={**fields, "related_reference": spoken})
    assert ok.status_code == 200 and WEB_REFERENCE in ok.text
    [signal] = signals(publisher)
    assert signal.related is not None and signal.related.reference_number == WEB_REFERENCE
