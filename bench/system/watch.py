"""What the benchmark reads back: the supervisor's live stream, the case store, the broker's
offsets and lag, and each process's memory."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from sqlalchemy import create_engine, text

from bench.system.stack import System
from contracts import Topic, derive_id
from services.runtime.broker_view import consumer_lag, topic_depths


@dataclass
class LiveStream:
    """A supervisor's open queue page: when each reference was first pushed, and first as urgent."""

    system: System
    first: dict[str, float] = field(default_factory=dict)
    urgent: dict[str, float] = field(default_factory=dict)
    opened: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.system.token}", "Accept": "text/event-stream"}
        async with (
            httpx.AsyncClient(
                base_url=self.system.url("review"), timeout=httpx.Timeout(30, read=None), headers=headers
            ) as client,
            client.stream("GET", "/events") as stream,
        ):
            if stream.status_code != 200:
                raise SystemExit(f"review's /events answered {stream.status_code}")
            self.opened.set()
            kind = ""
            async for line in stream.aiter_lines():
                arrived = time.time()
                if line.startswith("event:"):
                    kind = line.partition(":")[2].strip()
                elif line.startswith("data:") and kind == "case":
                    message = json.loads(line.partition(":")[2])
                    reference = str(message.get("reference_number", ""))
                    self.first.setdefault(reference, arrived)
                    if message.get("urgent"):
                        self.urgent.setdefault(reference, arrived)


@dataclass(frozen=True)
class Stored:
    signal_id: uuid.UUID
    channel: str
    received_at: float | None  # when review applied the signal as received (its clock: the case store)
    alerted_at: float | None  # when review applied its urgent alert


def _epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


class CaseStore:
    """Review's PostgreSQL, read directly: which signals it holds and when each arrived."""

    def __init__(self, url: str) -> None:
        self._engine = create_engine(url)

    def signals(self) -> dict[str, list[Stored]]:
        """Reference number -> the signals stored under it (one per acknowledged web tip)."""
        with self._engine.connect() as connection:
            rows = connection.execute(text("SELECT reference_number, signal_id, channel FROM signals")).all()
            applied: dict[str, datetime] = dict(
                connection.execute(
                    text(
                        "SELECT event_id, applied_at FROM applied_events "
                        "WHERE topic IN ('signals.received', 'alerts.urgent')"
                    )
                ).all()
            )
        found: dict[str, list[Stored]] = {}
        for reference, signal_id, channel in rows:
            alert = str(derive_id("alert.urgent", str(signal_id)))
            found.setdefault(reference, []).append(
                Stored(signal_id, channel, _epoch(applied.get(str(signal_id))), _epoch(applied.get(alert)))
            )
        return found

    def count(self, topic: str, since: float, until: float) -> int:
        """Events of ``topic`` review applied between two wall-clock times."""
        with self._engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(*) FROM applied_events WHERE topic = :topic AND applied_at >= :since "
                        "AND applied_at < :until"
                    ),
                    {"topic": topic, "since": _naive(since), "until": _naive(until)},
                ).scalar_one()
            )

    def close(self) -> None:
        self._engine.dispose()


def _naive(epoch: float) -> datetime:
    """The store keeps UTC without a zone (SQLAlchemy's default DateTime)."""
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


async def total_lag(system: System) -> dict[str, int]:
    """Records each consumer group has yet to read, over every topic it reads."""
    lags: dict[str, int] = {}
    for partition in await consumer_lag(system.settings):
        group = partition.group.removeprefix(system.prefix)
        lags[group] = lags.get(group, 0) + partition.lag
    return lags


async def held(system: System, *topics: Topic) -> dict[Topic, int]:
    """Records each topic holds (nothing expires during a run: its end offsets)."""
    return {depth.topic: depth.records for depth in await topic_depths(system.settings, topics)}


def rss(system: System) -> dict[str, float]:
    return {process.name: process.rss_mb() for process in system.processes}
