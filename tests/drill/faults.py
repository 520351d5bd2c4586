"""The faults, each paced by what the drill observes rather than by a clock.

Every fault is followed by a probe: an urgent tip sent right after it, timed from the web intake's
202 to its alert in review's case store. The next fault comes only once the probe is in review,
the faulted part is back (the killed process ready, the broker's partitions fully in sync again)
and every other process is running and ready: faults are single, never stacked by a slow machine.
A process that exits on its own (a halted consumer exits 75 by design) is started again, as
Kubernetes would, and counted, at any time (``tests.drill.keeper``). Every wait has a ceiling
that fails saying what it waited for and what it saw last (``tests.drill.pacing``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from contracts import Topic
from tests.drill.fleet import PATIENCE_S, Fleet
from tests.drill.keeper import Keeper
from tests.drill.load import Accepted, Load
from tests.drill.observe import Brokers, CaseStoreWatch
from tests.drill.pacing import until

# An urgent probe reaches review in seconds, a minute after an outage on a loaded machine: past
# this, it is lost or stuck, and the failure says where it was seen last.
PROBE_CEILING_S = 300.0


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
    keeper: Keeper
    records: list[FaultRecord] = field(default_factory=list)

    async def kill_services(self, *names: str) -> FaultRecord:
        """SIGKILL these processes at once (one, or one of each kind as when a machine dies) and
        start them again on their state, as Kubernetes would, while the probe goes through."""
        with self.keeper.hold(*names):
            started = datetime.now(UTC)
            for name in names:
                self.system.processes[name].kill()
            restarting = [asyncio.create_task(asyncio.to_thread(self.system.processes[name].start))
                          for name in names]
            try:
                record = FaultRecord(f"kill -9 {' + '.join(names)}", "service", started,
                                     await self.load.probe())
                await self._probe_in_review(record)
            finally:  # never leave a restart racing the teardown
                outcomes = await asyncio.gather(*restarting, return_exceptions=True)
            failed = {n: o for n, o in zip(names, outcomes, strict=True) if isinstance(o, BaseException)}
            if failed:
                raise AssertionError(f"not started again after kill -9: {failed}")
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
        await until(self.brokers.fully_replicated, timeout=PATIENCE_S, interval=1,
                    what=f"broker {node} back in sync", seen=self.brokers.out_of_sync)
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
        await until(lambda: self.system.spooled() > 0, timeout=PATIENCE_S, interval=0.2,
                    what="the probe spooled by the web intake",
                    seen=lambda: f"{self.system.spooled()} records in the spools")
        remaining = outage_s - (datetime.now(UTC) - started).total_seconds()
        if remaining > 0:
            await asyncio.sleep(remaining)
        await asyncio.to_thread(self.system.kafka.cluster.start)
        record.restored = datetime.now(UTC)
        await self._probe_in_review(record)
        await until(self.brokers.fully_replicated, timeout=PATIENCE_S, interval=1,
                    what="every partition in sync", seen=self.brokers.out_of_sync)
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

        async def seen() -> str:
            lags = await self.brokers.lag_or_error()
            return (f"{self.watch.describe(reference)}; consumer lag {lags}; processes not running "
                    f"{[n for n, m in self.system.processes.items() if not m.running()]}")
        applied = await until(lambda: self.watch.alert_applied_at(reference), timeout=PROBE_CEILING_S,
                              interval=0.2, what=f"the probe after {record.name} alerted in review",
                              seen=seen)
        record.probe_in_review_s = (applied - record.probe.accepted_at).total_seconds()

    async def _done(self, record: FaultRecord) -> FaultRecord:
        await self.all_ready()
        self.records.append(record)
        print(f"drill: {record.name}: probe in review {record.probe_in_review_s:.1f}s after its 202, "
              f"recovered in {record.recovered_s:.1f}s", flush=True)
        return record

    async def all_ready(self) -> None:
        """Every process running (the keeper restarts any that exited) and every service ready."""
        last: dict[str, str] = {}

        async def ready(client: httpx.AsyncClient) -> bool:
            self.keeper.check()
            waiting = []
            for name, managed in self.system.processes.items():
                if not managed.running():
                    last[name] = f"not running (exit code {managed.exit_code()}, started {managed.starts}x)"
                    waiting.append(name)
                    continue
                url = managed.ops_url()
                if url is None:
                    continue
                try:
                    response = await client.get(f"{url}/readyz")
                except httpx.HTTPError as error:
                    last[name] = f"/readyz unanswered ({type(error).__name__})"
                    waiting.append(name)
                    continue
                if response.status_code != 200:
                    last[name] = f"/readyz {response.status_code}: {response.text[:300]}"
                    waiting.append(name)
            for name in list(last):
                if name not in waiting:
                    del last[name]
            return not waiting and not self.keeper.restarting

        async with httpx.AsyncClient(timeout=5) as client:
            await until(lambda: ready(client), timeout=PATIENCE_S, interval=0.5,
                        what="every process running and ready",
                        seen=lambda: f"{last}; restarting {self.keeper.restarting}")
