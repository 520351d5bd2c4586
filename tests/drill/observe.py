"""What the drill watches: the case store (when each urgent alert reached review), the pages open on
each review replica, and the brokers (partition leaders, in-sync replicas, lag, dead letters)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from contracts import REGISTRY, Topic, derive_id, physical_name
from services.runtime import RuntimeSettings
from services.runtime.broker_view import consumer_lag, topic_depths
from services.runtime.kafka_options import client_options


@dataclass(frozen=True)
class StoredSignal:
    signal_id: uuid.UUID
    reference: str
    channel: str
    urgency: str | None
    alerted: bool
    source: dict[str, Any]
    case_id: uuid.UUID


class CaseStoreWatch:
    """Polls review's PostgreSQL from a thread: signals, and when each urgent alert was applied
    (``applied_events.applied_at``, the replica's clock at the commit: the alert is in review)."""

    def __init__(self, url: str, interval_s: float = 0.5) -> None:
        self._engine = create_engine(url, pool_pre_ping=True)
        self._interval = interval_s
        self._lock = threading.Lock()
        self._signals: dict[uuid.UUID, StoredSignal] = {}
        self._alert_applied: dict[str, datetime] = {}  # alert event id -> applied at
        self.refreshed_at: datetime | None = None
        self.last_error: str | None = None  # why the last poll failed, if it did
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="drill-case-store", daemon=True)

    def start(self) -> CaseStoreWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self._engine.dispose()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
                self.last_error = None
            except SQLAlchemyError as error:  # PostgreSQL restarting: the next poll
                self.last_error = type(error).__name__
            except Exception as error:
                self.last_error = f"{type(error).__name__}: {error}"
            self._stop.wait(self._interval)

    def refresh(self) -> None:
        with self._engine.connect() as connection:
            signals = connection.execute(text(
                "SELECT signal_id, reference_number, channel, urgency, alerted_at, source, case_id "
                "FROM signals")).all()
            alerts = connection.execute(text(
                "SELECT event_id, applied_at FROM applied_events WHERE topic = 'alerts.urgent'")).all()
        with self._lock:
            for sid, ref, channel, urgency, alerted_at, source, case_id in signals:
                parsed = json.loads(source) if isinstance(source, str) else (source or {})
                self._signals[sid] = StoredSignal(sid, ref, channel, urgency, alerted_at is not None, parsed,
                                                  case_id)
            for event_id, applied_at in alerts:
                self._alert_applied.setdefault(event_id, applied_at)
            self.refreshed_at = datetime.now(UTC)

    def signals(self) -> list[StoredSignal]:
        with self._lock:
            return list(self._signals.values())

    def by_reference(self, reference: str) -> list[StoredSignal]:
        return [s for s in self.signals() if s.reference == reference]

    def alert_applied_at(self, reference: str) -> datetime | None:
        """When the urgent alert of the signal with this reference number was applied in review."""
        for signal in self.by_reference(reference):
            if (at := self.alert_applied_for(signal.signal_id)) is not None:
                return at
        return None

    def describe(self, reference: str) -> str:
        """What the case store shows of the signal with this reference number (for a failure)."""
        age = ("never" if self.refreshed_at is None
               else f"{(datetime.now(UTC) - self.refreshed_at).total_seconds():.0f}s ago")
        failed = f", last poll failed: {self.last_error}" if self.last_error else ""
        polled = f"case store polled {age}{failed}"
        found = self.by_reference(reference)
        if not found:
            return f"no signal {reference} in the case store ({len(self.signals())} signals; {polled})"
        return "; ".join(
            f"signal {reference} ({s.signal_id}, {s.channel}) in case {s.case_id}: urgency "
            f"{s.urgency or 'not triaged yet'}, alerted {s.alerted}, alert applied "
            f"{self.alert_applied_for(s.signal_id)}" for s in found) + f" ({polled})"

    def alert_applied_for(self, signal_id: uuid.UUID) -> datetime | None:
        """When the urgent alert of this signal was applied in review."""
        event_id = str(derive_id("alert.urgent", str(signal_id)))
        with self._lock:
            return self._alert_applied.get(event_id)


@dataclass
class Pages:
    """A queue page held open on each review replica (``/events``): when each urgent case reached it."""

    bases: list[str]
    token: str
    seen: list[dict[str, datetime]] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        self.seen = [{} for _ in self.bases]
        await asyncio.gather(*(self._follow(i, base, stop) for i, base in enumerate(self.bases)))

    async def _follow(self, index: int, base: str, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:  # a page reconnects (EventSource's retry) when its replica goes away
                async with (httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(10, read=None),
                                              headers={"Authorization": f"Bearer {self.token}"}) as client,
                            client.stream("GET", "/events") as stream):
                    kind = ""
                    async for line in stream.aiter_lines():
                        if stop.is_set():
                            return
                        if line.startswith("event:"):
                            kind = line.partition(":")[2].strip()
                        elif line.startswith("data:") and kind == "case":
                            message = json.loads(line.partition(":")[2])
                            if message.get("urgent"):
                                self.seen[index].setdefault(message["reference_number"], datetime.now(UTC))
            except (httpx.HTTPError, ValueError):
                pass
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)


class Brokers:
    """The cluster as the admin sees it."""

    def __init__(self, admin: RuntimeSettings) -> None:
        self.admin = admin

    async def partitions(self, names: list[str]) -> list[dict[str, Any]]:
        client = AIOKafkaAdminClient(**client_options(self.admin, client_id="drill.admin"))
        await client.start()
        try:
            described = await client.describe_topics(names)
        finally:
            await client.close()
        return [{"topic": d["topic"], **p} for d in described for p in d["partitions"]]

    async def leader_of(self, topic: Topic, partition: int) -> int:
        name = physical_name(topic, self.admin.topic_prefix)
        [found] = [p for p in await self.partitions([name]) if p["partition"] == partition]
        return int(found["leader"])

    async def fully_replicated(self) -> bool:
        """Every partition (the registry's and the group offsets') has all its replicas in sync."""
        names = [physical_name(t, self.admin.topic_prefix) for t in REGISTRY] + ["__consumer_offsets"]
        try:
            found = await self.partitions(names)
        except Exception:
            return False
        return bool(found) and all(p["leader"] >= 0 and len(p["isr"]) == len(p["replicas"]) for p in found)

    async def out_of_sync(self) -> str:
        """The partitions without a leader or with replicas out of sync (for a failure)."""
        names = [physical_name(t, self.admin.topic_prefix) for t in REGISTRY] + ["__consumer_offsets"]
        try:
            found = await self.partitions(names)
        except Exception as error:
            return f"the cluster did not answer ({type(error).__name__})"
        behind = [f"{p['topic']}-{p['partition']} leader {p['leader']} isr {p['isr']}/{p['replicas']}"
                  for p in found if p["leader"] < 0 or len(p["isr"]) != len(p["replicas"])]
        return f"{len(behind)} partitions out of sync: {behind[:8]}"

    async def lag_or_error(self) -> dict[str, int] | str:
        try:
            return {group: n for group, n in (await self.lag()).items() if n}
        except Exception as error:
            return f"unknown ({type(error).__name__})"

    async def lag(self) -> dict[str, int]:
        """Records each group has not committed past (every group of every service)."""
        lags: dict[str, int] = {}
        for entry in await consumer_lag(self.admin):
            lags[entry.group] = lags.get(entry.group, 0) + entry.lag
        return lags

    async def dead_letters(self) -> dict[str, int]:
        dlqs = [t for t, spec in REGISTRY.items() if spec.is_dlq]
        return {d.topic.value: d.records for d in await topic_depths(self.admin, dlqs)}
