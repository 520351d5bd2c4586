"""The faults, each paced by what the drill observes rather than by a clock.

Every fault is followed by a probe: an urgent tip sent right after it, timed from the web intake's
202 to its alert in review's case store. The next fault comes only once the probe is in review,
the faulted part is back (the killed process ready, the broker's partitions fully in sync again)
and every other process is running: faults are single, never stacked by a slow machine. A
process that exited on its own meanwhile (a halted consumer exits 75 by design) is started again,
as Kubernetes would, and counted.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from contracts import Topic
from tests.conftest import wait_for
from tests.drill.fleet import PATIENCE_S, Fleet
from tests.drill.load import Accepted, Load
from tests.drill.observe import Brokers, CaseStoreWatch


@dataclass
class FaultRecord:
    name: str
    kind: str  # service, broker, cluster, postgres
    started: datetime
    probe: Accepted
    probe_in_review_s: float = 0.0
    restored: datetime | None = None  # when an outage ended (the cluster or PostgreSQL back)
    recovered_s: float = 0.0  # from the fault to the faulted part being back


@dataclass
class Faults:
    system: Fleet
    load: Load
    watch: CaseStoreWatch
    brokers: Brokers
    records: list[FaultRecord] = field(default_factory=list)
    supervisor_restarts: list[tuple[str, int | None]] = field(default_factory=list)

    async def kill_services(self, *names: str) -> FaultRecord:
        """SIGKILL these processes at once (one, or one of each kind as when a machine dies) and
        start them again on their state, as Kubernetes would, while the probe goes through."""
        started = datetime.now(UTC)
        for name in names:
            self.system.processes[name].kill()
        restarting = [asyncio.create_task(asyncio.to_thread(self.system.processes[name].start))
                      for name in names]
        record = FaultRecord(f"kill -9 {' + '.join(names)}", "service", started, await self.load.probe())
        await self._probe_in_review(record)
        await asyncio.gather(*restarting)
        record.recovered_s = (datetime.now(UTC) - started).total_seconds()
        return await self._done(record)

    async def kill_leader(self, topic: Topic, partition: int) -> FaultRecord:
        node = await self.brokers.leader_of(topic, partition)
        started = datetime.now(UTC)
        self.system.kafka.cluster.kill_node(node)
        name = f"kill -9 broker {node} (leader of {topic.value}-{partition})"
        record = FaultRecord(name, "broker", started, await self.load.probe())
        await self._probe_in_review(record)
        await asyncio.to_thread(self.system.kafka.cluster.start_node, node)
        await wait_for(self.brokers.fully_replicated, timeout=PATIENCE_S, interval=1,
                       what=f"broker {node} back in sync")
        record.recovered_s = (datetime.now(UTC) - started).total_seconds()
        return await self._done(record)

    async def cluster_outage(self, outage_s: float) -> FaultRecord:
        """Every broker killed at once and kept down ``outage_s`` (the outage is the fault itself,
        not a wait for the machine), then started again on its data."""
        started = datetime.now(UTC)
        self.system.kafka.cluster.kill()
        record = FaultRecord(f"kill -9 of every broker, {outage_s:.0f}s outage", "cluster", started,
                             await self.load.probe())
        # The probe was taken in while no broker was up: it waits in the web intake's spool.
        await wait_for(lambda: self.system.spooled() > 0, timeout=PATIENCE_S,
                       what="the probe spooled by the web intake")
        remaining = outage_s - (datetime.now(UTC) - started).total_seconds()
        if remaining > 0:
            await asyncio.sleep(remaining)
        await asyncio.to_thread(self.system.kafka.cluster.start)
        record.restored = datetime.now(UTC)
        await self._probe_in_review(record)
        await wait_for(self.brokers.fully_replicated, timeout=PATIENCE_S, interval=1,
                       what="every partition in sync")
        record.recovered_s = (datetime.now(UTC) - started).total_seconds()
        return await self._done(record)

    async def postgres_restart(self) -> FaultRecord:
        started = datetime.now(UTC)
        await asyncio.to_thread(self.system.postgres.stop)
        record = FaultRecord("PostgreSQL restart", "postgres", started, await self.load.probe())
        await asyncio.to_thread(self.system.postgres.start)
        record.restored = datetime.now(UTC)
        await self._probe_in_review(record)
        record.recovered_s = (datetime.now(UTC) - started).total_seconds()
        return await self._done(record)

    # ------------------------------------------------------------ pacing

    async def _probe_in_review(self, record: FaultRecord) -> None:
        reference = record.probe.reference or ""
        applied = await wait_for(lambda: self.watch.alert_applied_at(reference), timeout=PATIENCE_S,
                                 interval=0.2, what=f"the probe after {record.name} in review")
        record.probe_in_review_s = (applied - record.probe.accepted_at).total_seconds()

    async def _done(self, record: FaultRecord) -> FaultRecord:
        await self.supervise()
        self.records.append(record)
        print(f"drill: {record.name}: probe in review {record.probe_in_review_s:.1f}s after its 202, "
              f"recovered in {record.recovered_s:.1f}s", flush=True)
        return record

    async def supervise(self) -> None:
        """Start again whatever exited by itself, and wait until every service answers ready."""
        for name, managed in self.system.processes.items():
            if not managed.running():
                self.supervisor_restarts.append((name, managed.exit_code()))
                await asyncio.to_thread(managed.start)
        async with httpx.AsyncClient(timeout=5) as client:
            for managed in self.system.processes.values():
                url = managed.ops_url()
                if url is not None:
                    async def ready(url: str = url) -> bool:
                        try:
                            return (await client.get(f"{url}/readyz")).status_code == 200
                        except httpx.HTTPError:
                            return False
                    await wait_for(ready, timeout=PATIENCE_S, interval=0.5, what=f"{managed.name} ready")
