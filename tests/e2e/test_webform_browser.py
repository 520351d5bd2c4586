"""A real browser (Debian's Chromium, driven by Playwright) fills in the form in English and, with
JavaScript disabled, in Spanish; the reference number it reads is on the tip that reached Kafka."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Browser

from contracts import CODEC, Topic
from contracts.events import Answer, SignalReceived
from contracts.reference_numbers import is_valid
from services.runtime import RuntimeSettings
from tests.e2e.processes import ServiceProcess
from tests.e2e.webform_process import RunningWebform, start_webform
from tests.kafka_reader import read_topic


@pytest.fixture
def webform(launch: Callable[..., ServiceProcess], topics: RuntimeSettings, tmp_path: Path) -> RunningWebform:
    return start_webform(launch, tmp_path)


def _photo(path: Path) -> Path:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (29.0, 25.0, 1.0), 3: "W", 4: (98.0, 29.0, 30.0)})
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 40)).save(image, "JPEG", exif=exif.tobytes())
    path.write_bytes(image.getvalue())
    return path


async def _tip_with(settings: RuntimeSettings, reference: str, expected: int) -> SignalReceived:
    records = await read_topic(settings, Topic.SIGNALS_RECEIVED, expected)
    for record in records:
        event = CODEC.decode(record.value or b"", record.headers).event
        if isinstance(event, SignalReceived) and event.reference_number == reference:
            return event
    raise AssertionError(f"no signal with reference {reference}")


async def test_english_with_javascript(
    browser: Browser, webform: RunningWebform, topics: RuntimeSettings
) -> None:
    context = await browser.new_context(java_script_enabled=True, locale="en-US")
    page = await context.new_page()
    await page.goto(f"{webform.url}/")
    assert await page.get_attribute("html", "lang") == "en"
    assert await page.locator(".danger h2").inner_text() == "In immediate danger? Call 911."
    # A mistake first: the error is announced, tied to its field, and the input is kept.
    await page.get_by_label("ZIP code").fill("123")
    await page.get_by_role("button", name="Send report").click()
    assert "There is a problem" in await page.locator("#error-summary").inner_text()
    assert await page.get_by_label("ZIP code").input_value() == "123"
    assert await page.get_by_label("ZIP code").get_attribute("aria-invalid") == "true"
    await page.get_by_label("What happened?").fill(
        "Two teenagers are kept in an apartment above the restaurant and work every night."
    )
    await page.get_by_label("ZIP code").fill("77002")
    await page.get_by_label("City").fill("Houston")
    await page.get_by_label("State").select_option("TX")
    await page.get_by_role("radio", name="Yes", exact=True).first.check()
    await page.get_by_label("Age, if you know it").fill("16")
    await page.get_by_role("radio", name="A community member").check()
    await page.get_by_role("button", name="Send report").click()
    reference = (await page.locator("#reference-number").inner_text()).strip()
    receipt = (await page.locator("#receipt").inner_text()).strip()
    assert is_valid(reference) and len(receipt) == 24
    assert await context.cookies() == []
    await context.close()

    event = await _tip_with(topics, reference, 1)
    assert event.facts.danger_now is Answer.YES
    assert event.facts.location is not None and event.facts.location.zip_code == "77002"
    assert event.facts.victims[0].age == 16


async def test_spanish_without_javascript_with_a_photo(
    browser: Browser, webform: RunningWebform, topics: RuntimeSettings, tmp_path: Path
) -> None:
    context = await browser.new_context(java_script_enabled=False, locale="es-US")
    page = await context.new_page()
    await page.goto(f"{webform.url}/en/")
    await page.get_by_role("link", name="Español").click()  # the visible switch
    assert await page.get_attribute("html", "lang") == "es"
    assert "Llame al 911" in await page.locator(".danger").inner_text()
    await page.get_by_label("¿Qué pasó?").fill(
        "Mi vecina trabaja en un rancho y no le pagan. Le quitaron el pasaporte."
    )
    await page.get_by_role("radio", name="Trata laboral o trabajo forzado").check()
    await page.get_by_label("Estado").select_option("NM")
    await page.get_by_label("Idioma preferido").select_option("es")
    await page.get_by_role("radio", name="No, pueden comunicarse conmigo").check()
    await page.get_by_label("Teléfono").fill("505-555-0199")
    await page.get_by_role("checkbox", name="Pueden comunicarse conmigo").check()
    await page.get_by_label("Horarios seguros para comunicarse con usted").fill("domingos por la tarde")
    await page.get_by_label("Fotos o documentos").set_input_files(_photo(tmp_path / "IMG_2001.jpg"))
    await page.get_by_role("button", name="Enviar reporte").click()
    assert "Gracias" in await page.locator("h1").inner_text()
    reference = (await page.locator("#reference-number").inner_text()).strip()
    assert is_valid(reference)
    await context.close()

    event = await _tip_with(topics, reference, 1)
    assert event.reporter.preferred_language == "es" and not event.reporter.anonymous
    assert event.reporter.contact is not None and event.reporter.contact.phone == "+15055550199"
    [attachment] = event.attachments
    assert attachment.media_type == "image/jpeg" and attachment.filename == "IMG_2001.jpg"
    stored = webform.blob_dir / attachment.sha256[:2] / attachment.sha256[2:4] / attachment.sha256
    assert Image.open(stored).getexif().get_ifd(0x8825) == {}
