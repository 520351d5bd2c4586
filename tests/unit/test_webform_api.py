"""The web intake's JSON API and HTML form, in-process over ASGI with the in-memory publisher."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from contracts import Topic
from contracts.events import Answer, Nationality, ReporterRole, SignalReceived
from contracts.reference_numbers import is_valid
from intake_webform.receipts import matches, receipt_for
from intake_webform.source import HOTLINE_NUMBER
from services.runtime import BrokerUnavailable, InMemoryPublisher
from tests.webform_support import SECRET, Webform, build_webform


@pytest.fixture
def webform(tmp_path: Path, publisher: InMemoryPublisher) -> Webform:
    return build_webform(tmp_path, publisher)


@pytest.fixture
async def client(webform: Webform) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=webform.app), base_url="http://form") as c:
        yield c


def signals(publisher: InMemoryPublisher) -> list[SignalReceived]:
    events = [d.event for d in publisher.decoded(Topic.SIGNALS_RECEIVED)]
    assert all(isinstance(e, SignalReceived) for e in events)
    return events  # type: ignore[return-value]


FULL_TIP = {
    "narrative": "Three girls work at the nail salon and never leave. One looks about 15.",
    "location_city": "Dallas",
    "location_state": "tx",
    "location_zip": "75201",
    "location_details": "Behind the strip mall on Elm St",
    "victim_count": 3,
    "victim_age_low": 14,
    "victim_age_high": 17,
    "victim_gender": "female",
    "victim_nationality": "foreign_national",
    "trafficking_type": "labor",
    "danger_now": "unsure",
    "reporter_role": "community_member",
    "anonymous": False,
    "contact_email": "neighbour@example.org",
    "contact_phone": "(214) 555-0123",
    "consent_to_contact": True,
    "safe_times": "after 6pm",
    "safe_time_zone": "America/Chicago",
    "voicemail_ok": False,
    "text_ok": True,
    "preferred_language": "es",
}


async def test_a_full_tip_is_published_with_every_declared_fact(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    response = await client.post("/api/v1/tips", json=FULL_TIP)
    assert response.status_code == 202, response.text
    body = response.json()
    assert is_valid(body["reference_number"])
    assert matches(body["reference_number"], body["receipt"], [SECRET])
    [event] = signals(publisher)
    assert event.reference_number == body["reference_number"]
    assert event.narrative == FULL_TIP["narrative"]
    assert event.facts.location is not None
    assert (event.facts.location.state, event.facts.location.city, event.facts.location.zip_code) == (
        "TX",
        "Dallas",
        "75201",
    )
    [victim] = event.facts.victims
    assert victim.count == 3 and victim.age_range is not None and victim.age_range.high == 17
    assert victim.nationality is Nationality.FOREIGN_NATIONAL
    assert event.facts.danger_now is Answer.UNSURE
    assert event.reporter.role is ReporterRole.COMMUNITY_MEMBER
    assert not event.reporter.anonymous and event.reporter.consent_to_contact
    assert event.reporter.contact is not None and event.reporter.contact.phone == "+12145550123"
    assert event.reporter.safe_contact is not None and event.reporter.safe_contact.text_ok
    assert event.reporter.safe_contact.time_zone == "America/Chicago"  # "after 6pm" in Dallas
    assert event.reporter.preferred_language == "es"


async def test_an_anonymous_tip_carries_no_contact_and_the_interface_language(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    response = await client.post(
        "/api/v1/tips",
        json={"narrative": "Están encerradas."},
        headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"},
    )
    assert response.status_code == 202
    assert response.headers["content-language"] == "es"
    assert "Gracias" in response.json()["message"]
    [event] = signals(publisher)
    assert event.reporter.anonymous and event.reporter.contact is None
    assert event.reporter.preferred_language == "es"


@pytest.mark.parametrize(
    ("patch", "field", "code"),
    [
        ({"narrative": ""}, "narrative", "required"),
        ({"narrative": "x" * 20_001}, "narrative", "too_long"),
        ({"location_state": "XX"}, "location_state", "us_state"),
        ({"location_zip": "7520"}, "location_zip", "zip_code"),
        ({"victim_age": -1}, "victim_age", "too_small"),
        ({"victim_age": "old"}, "victim_age", "number"),
        ({"danger_now": "maybe"}, "danger_now", "choice"),
        ({"safe_time_zone": "Europe/Paris"}, "safe_time_zone", "choice"),
        (
            {"contact_email": "not-an-email", "anonymous": False, "consent_to_contact": True},
            "contact_email",
            "email",
        ),
        ({"contact_phone": "12", "anonymous": False, "consent_to_contact": True}, "contact_phone", "phone"),
        ({"surprise": 1}, "surprise", "unknown_field"),
        ({"victim_age_low": 30, "victim_age_high": 20}, "victim_age_high", "age_range_order"),
        ({"contact_email": "a@example.org"}, "anonymous", "anonymous_with_contact"),
        ({"anonymous": False}, "contact_email", "contact_missing"),
        ({"anonymous": False, "contact_email": "a@example.org"}, "consent_to_contact", "consent_missing"),
    ],
)
async def test_invalid_fields_get_a_422_naming_the_field_and_nothing_is_published(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, patch: dict[str, object], field: str, code: str
) -> None:
    response = await client.post("/api/v1/tips", json={"narrative": "A tip.", **patch})
    assert response.status_code == 422, response.text
    details = response.json()["detail"]
    assert {"field": field, "code": code} in [{"field": d["field"], "code": d["code"]} for d in details]
    assert all(d["message"] and "{" not in d["message"] for d in details)
    assert signals(publisher) == []


async def test_errors_speak_the_requested_language(client: httpx.AsyncClient) -> None:
    english = await client.post("/api/v1/tips", json={"narrative": "", "location_zip": "1"})
    spanish = await client.post(
        "/api/v1/tips", json={"narrative": "", "location_zip": "1"}, headers={"Accept-Language": "es"}
    )
    by_field_en = {d["field"]: d["message"] for d in english.json()["detail"]}
    by_field_es = {d["field"]: d["message"] for d in spanish.json()["detail"]}
    assert by_field_en["narrative"] == "This is required."
    assert by_field_es["narrative"] == "Este dato es obligatorio."
    assert "código postal" in by_field_es["location_zip"]


async def test_control_characters_never_reach_the_signal_and_a_nul_only_narrative_is_required(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    # A NUL used to be accepted here and then refused by PostgreSQL in review: the tip was lost.
    tip = {"narrative": "They took\u0000 her passport\u0007.\nShe is 16.", "anonymous": False,
           "contact_name": "Ro\u0000sa", "contact_email": "rosa@example.org", "consent_to_contact": True,
           "location_city": "El\u001b Paso"}
    response = await client.post("/api/v1/tips", json=tip)
    form = await client.post("/en/tip", data={"narrative": "Form\x00 tip\r\nsecond line"})
    assert response.status_code == 202, response.text
    assert form.status_code == 200, form.text
    [api_signal] = [s for s in signals(publisher) if "passport" in s.narrative]
    [form_signal] = [s for s in signals(publisher) if "Form" in s.narrative]
    assert api_signal.narrative == "They took her passport.\nShe is 16."
    assert api_signal.reporter.contact is not None and api_signal.reporter.contact.name == "Rosa"
    assert api_signal.facts.location is not None and api_signal.facts.location.city == "El Paso"
    assert form_signal.narrative == "Form tip\r\nsecond line"
    empty = await client.post("/api/v1/tips", json={"narrative": "\u0000\u0000"})
    assert empty.status_code == 422
    assert {"field": "narrative", "code": "required"} in [
        {"field": d["field"], "code": d["code"]} for d in empty.json()["detail"]]
    assert len(signals(publisher)) == 2


async def test_malformed_json_is_a_422_not_a_500(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/tips", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["code"] == "invalid_json"


async def test_idempotency_key_makes_a_retry_the_same_report(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    body = {"narrative": "Same tip, sent twice by a flaky connection."}
    first = await client.post("/api/v1/tips", json=body, headers={"Idempotency-Key": "abc-123"})
    second = await client.post("/api/v1/tips", json=body, headers={"Idempotency-Key": "abc-123"})
    assert first.json() == second.json()
    assert len({e.signal_id for e in signals(publisher)}) == 1
    other = await client.post("/api/v1/tips", json=body, headers={"Idempotency-Key": "abc-124"})
    assert other.json()["reference_number"] != first.json()["reference_number"]


async def test_an_idempotency_key_reused_for_another_tip_is_refused(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    await client.post("/api/v1/tips", json={"narrative": "First."}, headers={"Idempotency-Key": "k1"})
    reused = await client.post(
        "/api/v1/tips", json={"narrative": "Second."}, headers={"Idempotency-Key": "k1"}
    )
    assert reused.status_code == 422
    assert "Idempotency-Key" in reused.json()["message"]
    assert len(signals(publisher)) == 1


async def test_a_follow_up_with_its_receipt_becomes_a_linked_signal(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    tip = (await client.post("/api/v1/tips", json={"narrative": "First report."})).json()
    typed_receipt = tip["receipt"].lower().replace("-", " ")  # as someone might copy it from paper
    response = await client.post(
        "/api/v1/follow-ups",
        json={
            "reference_number": tip["reference_number"].lower(),
            "receipt": typed_receipt,
            "narrative": "They moved the girls to a house on 5th street.",
        },
    )
    assert response.status_code == 202, response.text
    assert response.json()["reference_number"] == tip["reference_number"]
    [follow_up] = [e for e in signals(publisher) if e.related is not None]
    [original] = [e for e in signals(publisher) if e.related is None]
    assert follow_up.related is not None and follow_up.related.relation == "follow_up"
    assert follow_up.related.reference_number == original.reference_number
    assert follow_up.signal_id != original.signal_id


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"reference_number": "HT-0000-00001", "receipt": "x"}, 422, "reference_number"),
        ({"receipt": "AAAA-AAAA-AAAA-AAAA-AAAA", "narrative": "More."}, 403, "receipt"),
        ({"narrative": ""}, 422, "narrative"),
    ],
)
async def test_follow_ups_without_a_valid_receipt_or_content_are_refused(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, body: dict[str, str], status: int, field: str
) -> None:
    tip = (await client.post("/api/v1/tips", json={"narrative": "First report."})).json()
    payload = {"reference_number": tip["reference_number"], "receipt": tip["receipt"], **body}
    response = await client.post("/api/v1/follow-ups", json=payload)
    assert response.status_code == status, response.text
    assert response.json()["detail"][0]["field"] == field
    assert len(signals(publisher)) == 1


async def test_a_receipt_given_before_a_rotation_still_proves_its_report(tmp_path: Path) -> None:
    rotated = b"the-new-secret-0123456789abcdef01"
    before_publisher = InMemoryPublisher()
    await before_publisher.start()
    before = build_webform(tmp_path / "before", before_publisher)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=before.app),
                                 base_url="http://form") as old:
        tip = (await old.post("/api/v1/tips", json={"narrative": "First report."})).json()
    follow_up = {"reference_number": tip["reference_number"], "receipt": tip["receipt"],
                 "narrative": "They moved her this morning."}
    for retired, status in (((SECRET,), 202), ((), 403)):
        after_publisher = InMemoryPublisher()
        await after_publisher.start()
        after = build_webform(tmp_path / f"after-{status}", after_publisher, secret=rotated,
                              retired_secrets=retired)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=after.app),
                                     base_url="http://form") as new:
            response = await new.post("/api/v1/follow-ups", json=follow_up)
            assert response.status_code == status, response.text
            assert len(signals(after_publisher)) == (1 if status == 202 else 0)
            # New receipts are made with the current secret only.
            fresh = (await new.post("/api/v1/tips", json={"narrative": "Another."})).json()
            assert matches(fresh["reference_number"], fresh["receipt"], [rotated])
            assert not matches(fresh["reference_number"], fresh["receipt"], [SECRET])


async def test_receipts_are_bound_to_their_reference() -> None:
    assert receipt_for("HT-AAAA-AAAA1", SECRET) != receipt_for("HT-AAAA-AAAB1", SECRET)
    assert receipt_for("HT-AAAA-AAAA1", SECRET) != receipt_for("HT-AAAA-AAAA1", b"another-secret")
    assert len(receipt_for("HT-AAAA-AAAA1", SECRET).replace("-", "")) * 5 >= 100


async def test_when_the_broker_refuses_the_tip_is_spooled_acknowledged_and_drained(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, webform: Webform
) -> None:
    publisher.fail_next(BrokerUnavailable("down"))
    response = await client.post("/api/v1/tips", json={"narrative": "Spooled tip."})
    assert response.status_code == 202
    assert len(webform.spool) == 1 and signals(publisher) == []
    later = await client.post("/api/v1/tips", json={"narrative": "Queued behind it."})
    assert later.status_code == 202 and len(webform.spool) == 2  # order kept: no overtaking
    import asyncio

    drainer = asyncio.create_task(webform.sender.drain())
    try:
        await asyncio.wait_for(webform.sender.wait_drained(), 5)
    finally:
        drainer.cancel()
    # (the order of draining is tested in test_webform_spool; here partitions interleave)
    by_narrative = {e.narrative: e for e in signals(publisher)}
    assert set(by_narrative) == {"Spooled tip.", "Queued behind it."}
    assert by_narrative["Spooled tip."].reference_number == response.json()["reference_number"]
    assert len(webform.spool) == 0


async def test_a_full_spool_answers_503_with_the_hotline_number(tmp_path: Path) -> None:
    publisher = InMemoryPublisher()
    await publisher.start()
    webform = build_webform(tmp_path, publisher, spool_max_records=1)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=webform.app), base_url="http://f") as c:
        publisher.fail_next(BrokerUnavailable("down"))
        assert (await c.post("/api/v1/tips", json={"narrative": "fits"})).status_code == 202
        full = await c.post("/api/v1/tips", json={"narrative": "does not fit"})
        assert full.status_code == 503
        assert HOTLINE_NUMBER in full.json()["message"] and "911" in full.json()["message"]
        html = await c.post("/en/tip", data={"narrative": "does not fit either"})
        assert html.status_code == 503 and HOTLINE_NUMBER in html.text
    assert len(webform.spool) == 1


async def test_floods_are_limited_per_client(tmp_path: Path, publisher: InMemoryPublisher) -> None:
    webform = build_webform(tmp_path, publisher, rate_per_client=3)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=webform.app), base_url="http://f") as c:
        codes = [(await c.post("/api/v1/tips", json={"narrative": f"tip {i}"})).status_code for i in range(5)]
        limited = await c.post("/api/v1/tips", json={"narrative": "x"}, headers={"Accept-Language": "es"})
    assert codes == [202, 202, 202, 429, 429]
    assert limited.status_code == 429 and "Espere" in limited.json()["message"]
    assert limited.headers["retry-after"]
    assert len(signals(publisher)) == 3


async def test_over_the_global_budget_tips_are_queued_on_disk_not_refused(
    tmp_path: Path, publisher: InMemoryPublisher
) -> None:
    webform = build_webform(tmp_path, publisher, rate_global_per_s=0.001, rate_global_burst=2,
                            spool_max_records=4)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=webform.app), base_url="http://f") as c:
        answers = [await c.post("/api/v1/tips", json={"narrative": f"tip {i}"}) for i in range(5)]
        form = await c.post("/en/tip", data={"narrative": "one more"})
        full = await c.post("/api/v1/tips", json={"narrative": "no room"})
    assert [a.status_code for a in answers] == [202] * 5 and form.status_code == 200
    assert all(is_valid(a.json()["reference_number"]) for a in answers)
    assert len(signals(publisher)) == 2 and len(webform.spool) == 4  # published at the budget's pace
    assert full.status_code == 503 and HOTLINE_NUMBER in full.json()["message"]  # only a full spool refuses


async def test_where_clients_cannot_be_told_apart_nobody_is_refused_per_client(
    tmp_path: Path, publisher: InMemoryPublisher
) -> None:
    webform = build_webform(tmp_path, publisher, rate_per_client=None)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=webform.app), base_url="http://f") as c:
        codes = {(await c.post("/api/v1/tips", json={"narrative": f"t{i}"})).status_code for i in range(30)}
    assert codes == {202} and len(signals(publisher)) == 30


async def test_a_forwarded_address_does_not_buy_a_new_budget(
    tmp_path: Path, publisher: InMemoryPublisher
) -> None:
    # On a real socket, through the runtime's HTTP server: X-Forwarded-For from loopback used to be
    # believed, so a new header value was a new client every time.
    from services.runtime import HttpServer

    webform = build_webform(tmp_path, publisher, rate_per_client=2)
    server = HttpServer(webform.app, "127.0.0.1", 0, name="webform")
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            codes = [(await client.post("/api/v1/tips", json={"narrative": f"tip {i}"},
                                        headers={"X-Forwarded-For": f"198.51.100.{i}"})).status_code
                     for i in range(4)]
    finally:
        await server.stop()
    assert codes == [202, 202, 429, 429]
    assert len(signals(publisher)) == 2


def test_per_client_budgets_only_where_the_address_is_the_reporters() -> None:
    from intake_webform.config import WebformSettings

    assert WebformSettings().clients_told_apart  # direct
    assert not WebformSettings(deployment="onion").clients_told_apart
    assert not WebformSettings(deployment="proxy").clients_told_apart  # the proxy's address for all
    assert WebformSettings(deployment="proxy", trusted_proxies="10.0.0.5").clients_told_apart  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="onion service has no client addresses"):
        WebformSettings(deployment="onion", trusted_proxies="127.0.0.1")  # type: ignore[arg-type]


async def test_an_oversized_request_is_refused_before_it_is_read(
    tmp_path: Path, publisher: InMemoryPublisher
) -> None:
    webform = build_webform(tmp_path, publisher, max_request_bytes=64 * 1024)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=webform.app), base_url="http://f") as c:
        response = await c.post("/api/v1/tips", json={"narrative": "x" * 100_000})
        form = await c.post(
            "/es/tip",
            files={"attachments": ("big.txt", b"a" * 100_000, "text/plain")},
            data={"narrative": "hola"},
        )
    assert response.status_code == 413 and "MB" in response.json()["message"]
    assert form.status_code == 413 and "demasiado grande" in form.text
    assert signals(publisher) == []


async def test_a_chunked_oversized_request_is_413_as_promised_not_400(
    tmp_path: Path, publisher: InMemoryPublisher
) -> None:
    webform = build_webform(tmp_path, publisher, max_request_bytes=64 * 1024)

    def chunked(first: bytes, filler: bytes, last: bytes) -> AsyncIterator[bytes]:
        async def chunks() -> AsyncIterator[bytes]:
            yield first
            for _ in range(100):
                yield filler
            yield last
        return chunks()

    boundary = "b0und4ry"
    part = (f'--{boundary}\r\nContent-Disposition: form-data; name="narrative"\r\n\r\n').encode()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=webform.app), base_url="http://f") as c:
        api = await c.post("/api/v1/tips", content=chunked(b'{"narrative": "', b"x" * 1024, b'"}'),
                           headers={"content-type": "application/json"})
        form = await c.post("/es/tip", content=chunked(part, b"x" * 1024, f"\r\n--{boundary}--\r\n".encode()),
                            headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert "content-length" not in api.request.headers
    assert api.status_code == 413 and "MB" in api.json()["message"], api.text
    assert form.status_code == 413 and "demasiado grande" in form.text, form.text
    for response in (api, form):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in response.headers["content-security-policy"]
    assert signals(publisher) == []


async def test_an_unreadable_form_is_a_clear_400_not_a_missing_page(client: httpx.AsyncClient) -> None:
    for language, words in (("en", "The form could not be read"), ("es", "No se pudo leer el formulario")):
        response = await client.post(f"/{language}/tip", content=b"--x\r\nnot a part at all",
                                     headers={"content-type": "multipart/form-data; boundary=x"})
        assert response.status_code == 400
        assert words in response.text and "does not exist" not in response.text
        assert "no existe" not in response.text


async def test_every_answer_has_a_strict_policy_and_no_cookie(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/en/"),
        await client.post("/api/v1/tips", json={}),
        await client.get("/static/form.css"),
        await client.get("/nowhere"),
    ):
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "set-cookie" not in response.headers
    assert (await client.get("/en/")).headers["cache-control"] == "no-store"


async def test_openapi_documents_the_api_and_not_the_form(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    assert set(spec["paths"]) == {"/api/v1/tips", "/api/v1/follow-ups", "/api/v1/erasure-requests"}
    tips = spec["paths"]["/api/v1/tips"]["post"]
    assert {"202", "422", "429", "503"} <= set(tips["responses"])
    assert any(p["name"] == "idempotency-key" for p in tips["parameters"])


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 255)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(("upload", "code"), [
    (("scan.pdf", _png(), "application/pdf"), "attachment_mislabelled"),
    (("big.txt", b"a" * (2 * 1024 * 1024 + 1), "text/plain"), "attachment_too_large"),
    (("tool.exe", b"MZ\x90\x00" + b"\x00" * 64, "application/octet-stream"), "attachment_unsupported_type"),
])
async def test_a_refused_attachment_names_the_file_and_keeps_nothing(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, webform: Webform,
    upload: tuple[str, bytes, str], code: str,
) -> None:
    response = await client.post("/en/tip", data={"narrative": "See the attached file."},
                                 files={"attachments": upload})
    assert response.status_code == 422
    assert upload[0] in response.text and 'id="attachments-error"' in response.text
    assert "attach them again" in response.text
    api = await client.post("/api/v1/tips", json={"narrative": "See the attached file.", "attachments": [
        {"filename": upload[0], "media_type": upload[2],
         "content_base64": base64.b64encode(upload[1]).decode()}]})
    assert api.status_code == 422 and api.json()["detail"][0] == {
        "field": "attachments", "code": code, "message": api.json()["detail"][0]["message"]}
    assert signals(publisher) == []
    assert not any(path.is_file() for path in webform.blobs.root.rglob("*"))


async def test_an_accepted_attachment_is_stored_by_its_hash_and_referenced_in_the_event(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, webform: Webform
) -> None:
    response = await client.post("/es/tip", data={"narrative": "Foto del lugar."},
                                 files={"attachments": ("lugar.png", _png(), "image/png")})
    assert response.status_code == 200
    [event] = signals(publisher)
    [attachment] = event.attachments
    assert attachment.media_type == "image/png" and attachment.filename == "lugar.png"
    assert webform.blobs.exists(attachment.sha256)
    assert len(webform.blobs.get(attachment.sha256)) == attachment.size_bytes


def test_retired_reference_secrets_come_from_the_environment_and_are_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from intake_webform.config import WebformSettings

    monkeypatch.setenv("HOTLINE_REFERENCE_SECRET", "current-secret-0123456789abcdef")
    monkeypatch.setenv("HOTLINE_RETIRED_REFERENCE_SECRETS", '["older-secret-0123456789abcdef"]')
    settings = WebformSettings()
    retired = [secret.get_secret_value() for secret in settings.retired_reference_secrets]
    assert retired == ["older-secret-0123456789abcdef"]
    monkeypatch.setenv("HOTLINE_RETIRED_REFERENCE_SECRETS", '["current-secret-0123456789abcdef"]')
    with pytest.raises(ValueError, match="the current one"):
        WebformSettings()
    # An optional Secret key that is absent may arrive as an empty variable: no retired secrets.
    monkeypatch.setenv("HOTLINE_RETIRED_REFERENCE_SECRETS", "")
    assert WebformSettings().retired_reference_secrets == []
    monkeypatch.setenv("HOTLINE_RETIRED_REFERENCE_SECRETS", "older-secret-0123456789abcdef")
    with pytest.raises(ValueError, match="a JSON list of strings"):
        WebformSettings()
