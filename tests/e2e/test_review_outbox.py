"""The review service killed between a decision's commit and its publish: after the restart the
decision's event is on the topic, once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from contracts import CODEC, Topic
from contracts.events import ReviewDecision, Urgency
from contracts.reference_numbers import reference_for
from services.review.auth import Role
from services.review.db import Database
from services.review.models import Case, OutboxRecord
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from services.runtime.topic_reader import read_whole_topic
from tests.builders import received, triaged
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess, free_port
from tests.e2e.review_support import provision_review

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def _case(db: Database) -> uuid.UUID | None:
    with db.read() as session:
        return session.scalar(select(Case.id).limit(1))


def _outbox(db: Database) -> list[OutboxRecord]:
    with db.read() as session:
        return list(session.scalars(select(OutboxRecord).order_by(OutboxRecord.id)))


async def test_a_crash_between_commit_and_publish_publishes_once_after_restart(
    topics: RuntimeSettings, postgres_url: str, launch: Callable[..., ServiceProcess], tmp_path: Path
) -> None:
    tokens = provision_review(postgres_url, ("alice", Role.SUPERVISOR))
    signal = received(narrative="A 16 year old works nights at the spa.")
    signal = signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"t")})
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("t")) as publisher:
        await publisher.publish(Topic.SIGNALS_RECEIVED, signal)
        await publisher.publish(Topic.SIGNALS_TRIAGED, triaged(
            signal_id=signal.signal_id, reference_number=signal.reference_number,
            urgency=Urgency.P2_SAME_DAY))

    port = free_port()
    env = {"HOTLINE_REVIEW_DATABASE_URL": postgres_url, "HOTLINE_HTTP_PORT": str(port),
           "HOTLINE_COOKIE_SECURE": "false"}
    first = launch("tests.e2e.review_exit_before_publish", **env)
    db = Database(postgres_url)
    try:
        case_id = await wait_for(lambda: _case(db), timeout=60, what="the case in the store")
        # The claim acknowledges the urgent case: a decision, its audit entry and its event commit
        # together; the relay then dies before publishing.
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}",
                                     headers={"Authorization": f"Bearer {tokens['alice']}"}) as client:
            try:
                response = await client.post(f"/api/v1/cases/{case_id}/actions/claim", json={})
                assert response.status_code == 200, response.text
            except httpx.HTTPError:
                pass  # the process may die before the answer is written; the commit came first
        assert first.process is not None
        await wait_for(lambda: first.process.poll() is not None, timeout=30, what="the injected crash")
        assert first.process.returncode == 86
        [pending] = _outbox(db)
        assert pending.published_at is None and pending.topic == "review.decisions"
        event_id = pending.event_id.split(":", 1)[1]

        second = launch("services.review", **env)
        await wait_for(lambda: all(r.published_at for r in _outbox(db)), timeout=60,
                       what="the outbox drained after the restart")
        records = [r for r in await read_whole_topic(topics, Topic.REVIEW_DECISIONS)
                   if dict(r.headers).get("ce_id") == event_id.encode()]
        assert len(records) == 1
        decision = CODEC.decode_as(ReviewDecision, records[0].value, records[0].headers)
        assert (decision.kind.value, decision.signal_id) == ("acknowledged", signal.signal_id)
        assert second.terminate() == 0
    finally:
        db.dispose()
