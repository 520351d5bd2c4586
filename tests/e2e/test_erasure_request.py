"""An erasure request end to end, the services as processes: the web intake's page, review (a
supervisor signs in and confirms), reporting's ledger; the real broker and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from services.reporting.db import Database as LedgerDatabase
from services.reporting.models import SignalContent
from services.review.auth import Role
from services.review.db import Database
from services.review.models import ErasureRequest, Signal
from services.runtime import RuntimeSettings
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess, free_port
from tests.e2e.review_support import PASSWORD, provision_review
from tests.e2e.webform_process import start_webform
from tests.integration.test_erasure_path import reporting_url  # noqa: F401 - a fixture
from tests.reporting_support import write_fallback_protocol

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


# Three services start as processes on a shared machine: more than the default two minutes.
@pytest.mark.timeout(420)
async def test_a_reporter_asks_a_supervisor_confirms_and_review_and_reporting_forget_the_details(
    topics: RuntimeSettings, postgres_url: str, reporting_url: str,  # noqa: F811
    launch: Callable[..., ServiceProcess], tmp_path: Path,
) -> None:
    provision_review(postgres_url, ("alice", Role.SUPERVISOR))
    review_port, reporting_port = free_port(), free_port()
    launch("services.review", HOTLINE_REVIEW_DATABASE_URL=postgres_url, HOTLINE_HTTP_PORT=str(review_port),
           HOTLINE_COOKIE_SECURE="false")
    protocols = write_fallback_protocol(tmp_path / "protocols", first_email="first@pd.example.gov",
                                        third_webhook="https://tf.example.gov/hook")
    launch("services.reporting", HOTLINE_REPORTING_DATABASE_URL=reporting_url,
           HOTLINE_PROTOCOLS_DIR=str(protocols), HOTLINE_HTTP_PORT=str(reporting_port),
           HOTLINE_PUBLIC_BASE_URL=f"http://127.0.0.1:{reporting_port}",
           HOTLINE_ACK_SECRET="e2e-test-ack-secret-0123456789")
    webform = start_webform(launch, tmp_path)
    review_db, ledger_db = Database(postgres_url), LedgerDatabase(reporting_url)
    try:
        async with httpx.AsyncClient(base_url=webform.url, timeout=30) as public:
            sent = await public.post("/api/v1/tips", json={
                "narrative": "The cooks sleep in the kitchen.", "anonymous": False,
                "contact_name": "Sam Doe", "contact_email": "sam@example.org",
                "consent_to_contact": True, "consent_to_share": True})
            assert sent.status_code == 202, sent.text
            reference, receipt = sent.json()["reference_number"], sent.json()["receipt"]

            def kept_everywhere() -> Signal | None:
                with review_db.read() as session:
                    signal = session.scalars(select(Signal)
                                             .where(Signal.reference_number == reference)).first()
                if signal is None:
                    return None
                with ledger_db.read() as session:
                    content = session.get(SignalContent, signal.signal_id)
                return signal if content is not None and content.reporter is not None else None

            signal = await wait_for(kept_everywhere, timeout=90, what="the tip in review and reporting")
            answer = await public.post("/es/erase", data={"reference_number": reference, "receipt": receipt})
            assert answer.status_code == 200 and "Recibimos su solicitud" in answer.text

        def pending() -> ErasureRequest | None:
            with review_db.read() as session:
                return session.scalars(select(ErasureRequest)
                                       .where(ErasureRequest.status == "pending")).first()

        request = await wait_for(pending, timeout=60, what="the request in review")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{review_port}", timeout=30) as staff:
            await staff.get("/login")
            signed_in = await staff.post("/login", data={"username": "alice", "password": PASSWORD,
                                                         "next": "/erasures"})
            assert signed_in.status_code in (200, 303), signed_in.text
            page = (await staff.get("/erasures")).text
            assert reference in page
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert csrf
            confirmed = await staff.post(f"/erasures/{request.id}/confirm", data={"csrf_token": csrf[1]},
                                         follow_redirects=True)
            assert confirmed.status_code == 200 and "erasure was confirmed" in confirmed.text

        def forgotten_by_reporting() -> bool:
            with ledger_db.read() as session:
                content = session.get(SignalContent, signal.signal_id)
                return (content is not None and content.reporter is not None
                        and content.reporter["contact"] is None)

        await wait_for(forgotten_by_reporting, timeout=60, what="reporting to erase the contact details")
        with review_db.read() as session:
            stored = session.get(Signal, signal.signal_id)
        assert stored is not None and stored.reporter is not None
        assert stored.reporter["contact"] is None and stored.narrative == "The cooks sleep in the kitchen."
    finally:
        review_db.dispose()
        ledger_db.dispose()
