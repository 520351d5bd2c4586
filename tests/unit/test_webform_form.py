"""The server-rendered form: languages, errors tied to fields, input kept, honeypot, receipts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from contracts import Topic
from contracts.reference_numbers import is_valid
from intake_webform import i18n
from services.runtime import InMemoryPublisher
from tests.webform_support import build_webform


@pytest.fixture
async def client(tmp_path: Path, publisher: InMemoryPublisher) -> AsyncIterator[httpx.AsyncClient]:
    webform = build_webform(tmp_path, publisher)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=webform.app), base_url="http://form") as c:
        yield c


def token(page: str) -> str:
    match = re.search(r'name="submission_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


async def test_the_root_sends_people_to_their_language(client: httpx.AsyncClient) -> None:
    assert (await client.get("/", headers={"Accept-Language": "es-US,es;q=0.9"})).headers[
        "location"
    ] == "/es/"
    assert (await client.get("/", headers={"Accept-Language": "fr;q=0.9, en;q=0.8"})).headers[
        "location"
    ] == "/en/"
    assert (await client.get("/")).headers["location"] == "/en/"
    assert (await client.get("/de/")).status_code == 404


@pytest.mark.parametrize(
    ("language", "banner", "switch"),
    [
        ("en", "In immediate danger? Call 911.", 'href="/es/" lang="es"'),
        ("es", "¿Peligro inmediato? Llame al 911.", 'href="/en/" lang="en"'),
    ],
)
async def test_the_form_opens_with_the_danger_banner_and_a_language_switch(
    client: httpx.AsyncClient, language: str, banner: str, switch: str
) -> None:
    page = (await client.get(f"/{language}/")).text
    assert f'<html lang="{language}">' in page
    assert page.index(banner) < page.index("<form")
    assert "1-888-373-7888" in page
    assert switch in page
    assert "<script" not in page
    for name in (
        "narrative",
        "location_city",
        "location_state",
        "location_zip",
        "victim_count",
        "victim_age",
        "victim_gender",
        "contact_email",
        "safe_times",
        "safe_time_zone",
        "preferred_language",
        "attachments",
    ):
        assert f'<label for="{name}"' in page, name


async def test_a_form_with_problems_comes_back_with_errors_tied_to_fields_and_input_kept(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    page = (await client.get("/es/")).text
    response = await client.post(
        "/es/tip",
        data={
            "submission_token": token(page),
            "narrative": "",
            "location_city": "El Paso",
            "location_zip": "799",
            "danger_now": "yes",
            "anonymous": "yes",
        },
    )
    assert response.status_code == 422
    html = response.text
    assert 'role="alert"' in html and "Hay un problema" in html
    assert 'id="narrative-error"' in html and re.search(r'aria-describedby="[^"]*narrative-error', html)
    assert re.search(r'id="location_zip"[^>]*aria-invalid="true"', html)
    assert 'value="El Paso"' in html and 'value="799"' in html
    assert re.search(r'id="danger_now-yes"[^>]*checked', html)
    assert 'href="#narrative"' in html
    assert publisher.decoded(Topic.SIGNALS_RECEIVED) == []


async def test_a_sent_form_shows_reference_and_receipt_and_a_double_submit_is_one_report(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    page = (await client.get("/en/")).text
    form = {
        "submission_token": token(page),
        "narrative": "My cousin's passport was taken by her boss.",
        "location_state": "FL",
        "victim_age": "17",
        "reporter_role": "family_friend",
        "anonymous": "yes",
        "danger_now": "no",
        "website": "",
    }
    first = await client.post("/en/tip", data=form)
    second = await client.post("/en/tip", data=form)
    assert first.status_code == 200
    reference = re.search(r'id="reference-number">([^<]+)<', first.text)
    assert reference and is_valid(reference.group(1))
    assert re.search(r'id="receipt">[0-9A-Z]{4}(-[0-9A-Z]{4}){4}<', first.text)
    assert reference.group(1) in second.text
    events = publisher.decoded(Topic.SIGNALS_RECEIVED)
    assert len({d.event.event_id() for d in events}) == 1


async def test_the_honeypot_refuses_with_a_message_and_publishes_nothing(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    response = await client.post("/en/tip", data={"narrative": "buy cheap watches", "website": "http://spam"})
    assert response.status_code == 422
    assert "Leave this field empty" in response.text and '>buy cheap watches</textarea>' in response.text
    assert publisher.decoded(Topic.SIGNALS_RECEIVED) == []


async def test_a_form_posted_from_another_site_is_refused_in_the_readers_language(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    # A hostile page could otherwise make its visitors' browsers send tips in their name.
    refused = await client.post("/es/tip", data={"narrative": "forged"},
                                headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403 and "solo se puede enviar desde las páginas" in refused.text
    api = await client.post("/api/v1/tips", json={"narrative": "forged"},
                            headers={"Origin": "https://evil.example"})
    assert api.status_code == 403 and "own pages" in api.json()["message"]
    same = await client.post("/en/tip", data={"narrative": "from the form"},
                             headers={"Sec-Fetch-Site": "same-origin", "Origin": "null"})
    assert same.status_code == 200
    narratives = [e.event.narrative for e in publisher.decoded(Topic.SIGNALS_RECEIVED)]  # type: ignore[attr-defined]
    assert narratives == ["from the form"]


async def test_a_follow_up_through_the_form(client: httpx.AsyncClient, publisher: InMemoryPublisher) -> None:
    sent = (await client.post("/es/tip", data={"narrative": "Primer reporte."})).text
    reference = re.search(r'id="reference-number">([^<]+)<', sent)
    receipt = re.search(r'id="receipt">([^<]+)<', sent)
    assert reference and receipt
    wrong = await client.post(
        "/es/follow-up",
        data={
            "reference_number": reference.group(1),
            "receipt": "AAAA-AAAA-AAAA-AAAA-AAAA",
            "narrative": "Más.",
        },
    )
    assert wrong.status_code == 403 and "no coinciden" in wrong.text
    added = await client.post(
        "/es/follow-up",
        data={"reference_number": reference.group(1), "receipt": receipt.group(1), "narrative": "Más datos."},
    )
    assert added.status_code == 200 and reference.group(1) in added.text
    assert len(publisher.decoded(Topic.SIGNALS_RECEIVED)) == 2


def test_every_message_has_a_spanish_translation() -> None:
    extracted = {m.id for m in i18n.extract() if m.id}
    spanish = i18n.translations("es")
    untranslated = sorted(
        m for m in extracted if isinstance(m, str) and spanish.gettext(m) == m and m not in {"No", "Error:"}
    )
    assert untranslated == []
    assert len(extracted) > 100


def test_every_error_code_has_a_message() -> None:
    from intake_webform.submission import _CUSTOM_CODES, _PYDANTIC_CODES

    codes = set(_PYDANTIC_CODES.values()) | _CUSTOM_CODES
    assert codes <= set(i18n.ERROR_MESSAGES)
