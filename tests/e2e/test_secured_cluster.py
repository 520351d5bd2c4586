"""The services on a cluster secured like production: three nodes, SASL_SSL with SCRAM, ACLs per service.

Each service connects with its own user, which holds only the ACLs ``deploy.kafka_access`` derives
from the registry (the grants of its Strimzi KafkaUser): the web intake may write signals but not
decisions, nor read what it writes; triage may not join review's group. And with those ACLs the
pipeline works end to end, faust included: a tip posted to the web intake is triaged and in review.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from contracts import Service, Topic, physical_name
from services.review.auth import Role
from services.runtime import KafkaPublisher, PublishError, RuntimeMetrics
from services.runtime.kafka_options import client_options
from services.runtime.topic_reader import read_whole_topic
from tests.builders import received
from tests.cluster_support import SecuredCluster, secured_cluster
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess, free_port
from tests.e2e.review_support import provision_review

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredCluster]:
    yield from secured_cluster(tmp_path_factory.mktemp("cluster"))


async def test_a_service_is_refused_what_its_acls_do_not_grant(secured: SecuredCluster) -> None:
    webform = secured.settings(Service.INTAKE_WEBFORM)
    signal = received()
    metrics = RuntimeMetrics("t")
    async with KafkaPublisher(webform, source="/hotline/intake-webform", metrics=metrics) as publisher:
        await publisher.publish(Topic.SIGNALS_RECEIVED, signal)  # its own topic: allowed
        # review.decisions is review's to write: the broker refuses the web intake's user.
        with pytest.raises(PublishError, match="TopicAuthorizationFailedError"):
            await publisher.publish(Topic.REVIEW_DECISIONS, signal)
    # It writes signals but may not read them back.
    with pytest.raises(Exception, match="TopicAuthorizationFailed"):
        await read_whole_topic(webform, Topic.SIGNALS_RECEIVED, timeout_s=30)
    # Triage reads signals.received in its own group, never in review's.
    triage = secured.settings(Service.TRIAGE)
    consumer = AIOKafkaConsumer(physical_name(Topic.SIGNALS_RECEIVED, secured.prefix),
                                group_id=triage.group_id("review.signals"),
                                **client_options(triage, client_id="t.refused"))
    try:
        with pytest.raises(Exception, match="GroupAuthorizationFailed"):
            await consumer.start()
    finally:
        await consumer.stop()
    # The admin, a super user, reads what the web intake wrote.
    records = await read_whole_topic(secured.settings(), Topic.SIGNALS_RECEIVED, timeout_s=30)
    assert any(r.key == str(signal.signal_id).encode() for r in records)


@pytest.mark.timeout(300)
async def test_a_tip_reaches_review_through_triage_with_each_service_on_its_own_user(
    secured: SecuredCluster, tmp_path: Path
) -> None:
    webform_port, review_port = free_port(), free_port()
    review_db = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    token = provision_review(review_db, ("feed", Role.SERVICE))["feed"]
    common = {"HOTLINE_ENVIRONMENT": "test", "HOTLINE_REFERENCE_SECRET": "secured-test-reference-secret",
              "HOTLINE_ENTITY_KEY_SECRET": "secured-test-entity-key-secret-0123456789",
              "HOTLINE_FAUST_DATADIR": str(tmp_path / "faust"), "HOTLINE_SPOOL_DIR": str(tmp_path / "spool"),
              "HOTLINE_BLOB_DIR": str(tmp_path / "blobs")}
    started: list[ServiceProcess] = []

    def launch(module: str, service: Service, **env: str) -> ServiceProcess:
        process = ServiceProcess(module, {**common, **secured.service_env(service), **env},
                                 tmp_path / f"{service.value}.log")
        started.append(process)
        return process.start(ready_timeout=180)

    try:
        launch("triage", Service.TRIAGE)
        launch("services.review", Service.REVIEW, HOTLINE_HTTP_PORT=str(review_port),
               HOTLINE_REVIEW_DATABASE_URL=review_db)
        launch("intake_webform", Service.INTAKE_WEBFORM, HOTLINE_HTTP_PORT=str(webform_port))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{webform_port}") as client:
            response = await client.post("/api/v1/tips", json={
                "narrative": "A 15 year old girl is locked in a room at the motel on Route 9.",
                "location_state": "TX", "danger_now": "yes", "victim_age": 15})
        assert response.status_code == 202, response.text
        reference = response.json()["reference_number"]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{review_port}",
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            async def triaged_case() -> list[dict[str, object]]:
                cases = (await client.get("/api/v1/cases")).json()["cases"]
                return [c for c in cases if c["triaged"] and c["reference_number"] == reference]
            [case] = await wait_for(triaged_case, timeout=120, what="the tip triaged and in review")
        assert (case["urgency"], case["minor"], case["break_glass"]) == ("p1_act_now", True, True)
        for process in started:  # nobody was refused anything on the way
            refused = [line for line in process.log_lines() if "Authorization" in str(line)]
            assert refused == [], (process.module, refused[:3])
    finally:
        for process in started:
            process.stop_quietly()
