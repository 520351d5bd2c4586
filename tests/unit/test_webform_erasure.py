"""The public erasure page: a request goes to review only with the right receipt, and the page
answers a wrong receipt exactly as a right one (no oracle); languages, honeypot, rate limit."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from contracts import Topic
from contracts.events import ErasureRequested
from services.runtime import InMemoryPublisher
from tests.webform_support import NOW, build_webform


@pytest.fixture
async def client(tmp_path: Path, publisher: InMemoryPublisher) -> AsyncIterator[httpx.AsyncClient]:
    webform = build_webform(tmp_path, publisher, rate_per_client=4)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=webform.app), base_url="http://form") as c:
        yield c


async def _report(client: httpx.AsyncClient) -> tuple[str, str]:
    sent = (await client.post("/en/tip", data={"narrative": "First report.", "anonymous": "no",
                                               "contact_email": "sam@example.org",
                                               "consent_to_contact": "yes"})).text
    reference = re.search(r'id="reference-number">([^<]+)<', sent)
    receipt = re.search(r'id="receipt">([^<]+)<', sent)
    assert reference and receipt, sent
    return reference.group(1), receipt.group(1)


def _body(page: str) -> str:
    """The page without the per-render token, so two answers can be compared whole."""
    return re.sub(r'name="submission_token" value="[^"]+"', "", page)


@pytest.mark.parametrize(("language", "title", "switch"), [
    ("en", "Erase your contact details", 'href="/es/erase"'),
    ("es", "Borrar sus datos de contacto", 'href="/en/erase"'),
])
async def test_the_page_is_in_the_reporters_language_with_the_banner_and_no_script(
        client: httpx.AsyncClient, language: str, title: str, switch: str) -> None:
    page = (await client.get(f"/{language}/erase")).text
    assert f'<html lang="{language}">' in page and title in page and switch in page
    assert "911" in page and "<script" not in page
    assert '<label for="reference_number"' in page and '<label for="receipt"' in page
    assert 'href="/en/erase"' in (await client.get("/en/")).text  # every page leads to it


async def test_a_right_receipt_asks_review_and_a_wrong_one_gets_the_same_answer_and_asks_nothing(
        client: httpx.AsyncClient, publisher: InMemoryPublisher) -> None:
    reference, receipt = await _report(client)
    wrong = await client.post("/es/erase", data={"reference_number": reference,
                                                 "receipt": "AAAA-AAAA-AAAA-AAAA-AAAA"})
    assert publisher.decoded(Topic.ERASURES_REQUESTED) == []
    right = await client.post("/es/erase", data={"reference_number": reference.lower(), "receipt": receipt})
    assert (wrong.status_code, right.status_code) == (200, 200)
    assert _body(wrong.text) == _body(right.text)
    assert "Recibimos su solicitud" in right.text
    [request] = [d.event for d in publisher.decoded(Topic.ERASURES_REQUESTED)]
    assert isinstance(request, ErasureRequested)
    assert (request.reference_number, request.scope, request.requested_at) == (reference, "contact", NOW)
    assert receipt not in repr(request)  # the receipt never travels


async def test_a_malformed_reference_or_a_missing_field_is_said_and_asks_nothing(
        client: httpx.AsyncClient, publisher: InMemoryPublisher) -> None:
    missing = await client.post("/en/erase", data={"reference_number": "HT-ABCD-EFGH1"})
    assert missing.status_code == 422 and 'id="receipt-error"' in missing.text
    bad = await client.post("/en/erase", data={"reference_number": "HT-12", "receipt": "x"})
    assert bad.status_code == 422 and "Check the reference number" in bad.text
    bot = await client.post("/en/erase", data={"reference_number": "HT-ABCD-EFGH1", "receipt": "x",
                                               "website": "spam"})
    assert bot.status_code == 422
    assert publisher.decoded(Topic.ERASURES_REQUESTED) == []


async def test_guessing_receipts_runs_into_the_rate_limit(
        client: httpx.AsyncClient, publisher: InMemoryPublisher) -> None:
    reference, _ = await _report(client)  # one of the four this window
    answers = [(await client.post("/en/erase", data={"reference_number": reference,
                                                    "receipt": f"AAAA-AAAA-AAAA-AAAA-AAA{n}"})).status_code
               for n in range(5)]
    assert answers[-1] == 429 and answers[0] == 200
    assert publisher.decoded(Topic.ERASURES_REQUESTED) == []


async def test_the_json_api_answers_a_wrong_receipt_as_a_right_one(
        client: httpx.AsyncClient, publisher: InMemoryPublisher) -> None:
    reference, receipt = await _report(client)
    wrong = await client.post("/api/v1/erasure-requests", json={"reference_number": reference,
                                                                "receipt": "AAAA-AAAA-AAAA-AAAA-AAAA"},
                              headers={"Accept-Language": "es"})
    assert publisher.decoded(Topic.ERASURES_REQUESTED) == []
    right = await client.post("/api/v1/erasure-requests", json={"reference_number": reference,
                                                                "receipt": receipt},
                              headers={"Accept-Language": "es"})
    assert (wrong.status_code, wrong.json()) == (right.status_code, right.json()) == (
        202, {"message": "Gracias. Recibimos su solicitud."})
    assert len(publisher.decoded(Topic.ERASURES_REQUESTED)) == 1
    bad = await client.post("/api/v1/erasure-requests", json={"reference_number": "HT-12", "receipt": "x"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "reference_number"
    assert "/api/v1/erasure-requests" in (await client.get("/api/v1/openapi.json")).json()["paths"]
