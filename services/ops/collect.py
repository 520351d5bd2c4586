"""Gathering what ops shows: the folded streams plus what the broker says about lag and dead letters."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from contracts import Topic
from contracts.topics import REGISTRY
from services.ops.state import OpsState
from services.runtime.broker_view import PartitionLag, TopicDepth, TopicFollower, consumer_lag, topic_depths
from services.runtime.settings import RuntimeSettings

DLQ_TOPICS = tuple(spec.topic for spec in REGISTRY.values() if spec.is_dlq)
# Records ops folds: its own stream for liveness, and urgent alerts against review's decisions.
OPS_TOPICS = (Topic.OPS_EVENTS,)
CASE_TOPICS = (Topic.ALERTS_URGENT, Topic.REVIEW_DECISIONS)


@dataclass(frozen=True)
class BrokerSnapshot:
    lag: list[PartitionLag]
    dlq: list[TopicDepth]
    taken_at: datetime

    def group_lag(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for p in self.lag:
            totals[p.group] = totals.get(p.group, 0) + p.lag
        return totals


async def broker_snapshot(settings: RuntimeSettings) -> BrokerSnapshot:
    lag, dlq = await asyncio.gather(consumer_lag(settings), topic_depths(settings, DLQ_TOPICS))
    return BrokerSnapshot(lag=lag, dlq=dlq, taken_at=datetime.now(UTC))


async def read_until_caught_up(follower: TopicFollower, state: OpsState, *, timeout_s: float) -> None:
    """Fold what the follower's topics held when it started (bounded by ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    async for batch in follower.batches(timeout_ms=200):
        for record in batch:
            state.apply(record)
        if await follower.caught_up():
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"streams not read to their end in {timeout_s:.0f}s")


async def folded_state(settings: RuntimeSettings, *, history: timedelta, timeout_s: float = 60.0) -> OpsState:
    """One-shot: ops events of the last ``history``, and every urgent alert and decision kept."""
    state = OpsState()
    recent = TopicFollower(settings, OPS_TOPICS, client_id="hotline.ops.status")
    cases = TopicFollower(settings, CASE_TOPICS, client_id="hotline.ops.status-cases")
    await recent.start(since=datetime.now(UTC) - history)
    try:
        await cases.start(since=None)
        try:
            await asyncio.gather(read_until_caught_up(recent, state, timeout_s=timeout_s),
                                 read_until_caught_up(cases, state, timeout_s=timeout_s))
        finally:
            await cases.stop()
    finally:
        await recent.stop()
    return state
