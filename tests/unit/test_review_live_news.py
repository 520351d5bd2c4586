"""Queue pages' news: urgent messages are never dropped, the rest drops its oldest; NOTIFY groups."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from services.review.live import LiveHub
from services.review.live_news import PAYLOAD_LIMIT, News, messages_in, payloads

pytestmark = pytest.mark.unit


def routine(i: int) -> dict[str, object]:
    return {"type": "case", "case_id": str(uuid.UUID(int=i)), "urgency": "p3_business_days",
            "created": True, "urgent": False, "announce": False}


URGENT = {"type": "case", "case_id": str(uuid.uuid4()), "urgency": "p1_act_now", "created": True,
          "urgent": True, "announce": True}


def test_a_full_backlog_drops_its_oldest_routine_news_and_never_an_urgent_message() -> None:
    news = News(10)
    news.put(URGENT)
    for i in range(25):
        news.put(routine(i))
    escalation = {"type": "escalation", "case_id": str(uuid.uuid4()), "level": 1}
    news.put(escalation)
    taken = news.take(100)
    assert taken[:2] == [URGENT, escalation]  # urgent first, in order
    assert taken[2:] == [routine(i) for i in range(15, 25)]
    assert news.dropped == 15 and len(news) == 0


def test_urgent_news_that_could_not_be_sent_goes_back_in_front() -> None:
    news = News(10)
    news.put(routine(1))
    news.put_back([routine(2), URGENT])
    assert news.take(10) == [URGENT, routine(1)]


async def test_a_stalled_page_still_gets_the_urgent_case_behind_hundreds_of_routine_ones() -> None:
    hub = LiveHub(queue_size=100)
    stream = hub.subscribe(heartbeat_s=60)
    assert await anext(stream) == "retry: 3000\n\n"
    first = asyncio.ensure_future(anext(stream))  # the page is connected, waiting
    await asyncio.sleep(0)
    hub.publish(URGENT)
    for i in range(500):  # the page is not reading: its backlog overflows
        hub.publish(routine(i))
    frames = [await asyncio.wait_for(first, 5)]
    while len(frames) < 101:
        frames.append(await asyncio.wait_for(anext(stream), 5))
    assert sum(URGENT["case_id"] in frame for frame in frames) == 1
    hub.close()
    await stream.aclose()


def test_notify_payloads_group_many_messages_under_postgres_limit() -> None:
    messages = [routine(i) for i in range(200)] + [URGENT]
    groups = list(payloads(messages))
    assert len(groups) < len(messages) / 10
    assert all(len(group.encode()) < PAYLOAD_LIMIT < 8000 for group in groups)
    assert [m for group in groups for m in messages_in(group)] == messages
    # A replica not yet upgraded sends one message per payload: still read.
    assert messages_in(json.dumps(URGENT)) == [URGENT]
    assert messages_in("not json") == []
