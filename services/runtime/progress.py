"""Whether a group consumer is doing its job: in its group, and moving through the records it holds.

A process can be alive and still useless: holding partitions whose records wait while nothing
moves (an agent stuck on one batch, a fetcher never resumed after a rebalance), or holding none
after a rebalance it should have come out of with some. ``ProgressWatch`` turns what the process
knows (its assignment, the offsets its consumer has finished) and what the broker says (end
offsets, the group's committed offsets and members) into readiness. It is pure: the clock and
the broker's view are handed to it; ``watch_progress`` is the loop that feeds it.

Every verdict has the same grace, ``stall_s``: records waiting on a held partition with no
progress for that long, a rebalance not finished in that long, or no view of the broker for that
long. A partition whose records are all done is never stalled, however long it is quiet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass

from services.runtime.errors import BrokerUnavailable
from services.runtime.health import Health

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupView:
    """What the broker says about one topic and one consumer group at one moment."""

    starts: Mapping[int, int]  # every partition of the topic: its earliest offset still kept
    ends: Mapping[int, int]  # every partition: the offset its next record will get
    committed: Mapping[int, int]  # the group's committed offsets (absent: none yet)
    # Client ids of the group's members while the group is stable; None during a rebalance.
    members: tuple[str, ...] | None


@dataclass(frozen=True)
class Verdict:
    ready: bool
    detail: str  # fixed wording per state (Health restarts its clock when the detail changes)


class ProgressWatch:
    """Readiness of one group consumer of one topic; ``client_id`` is how the group names it."""

    def __init__(
        self, *, client_id: str, stall_s: float, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client_id = client_id
        self._stall_s = stall_s
        self._clock = clock
        now = clock()
        self._held: frozenset[int] | None = None  # None: not in the group (starting, or rebalancing)
        self._ever_joined = False
        self._unheld_since = now
        self._joined_at = now
        self._done: dict[int, int] = {}  # per held partition: the consumer is done below this offset
        self._waiting_since: dict[int, float] = {}  # records seen waiting, with no progress since
        self._seen_at: float | None = None  # the last view of the broker
        self._outside_since: float | None = None  # the group is stable and does not list us
        self._idle_since: float | None = None  # we hold nothing though the group has work for us

    # ------------------------------------------------------------ what the process knows

    def revoked(self) -> None:
        """A rebalance began: the partitions are given up until the next assignment."""
        if self._held is not None:
            self._unheld_since = self._clock()
        self._held = None
        self._waiting_since.clear()

    def assigned(self, partitions: Iterable[int]) -> None:
        """The rebalance ended with ``partitions`` (possibly none) for this process."""
        self._held = frozenset(partitions)
        self._ever_joined = True
        self._joined_at = self._clock()
        self._done = {p: o for p, o in self._done.items() if p in self._held}
        # Each partition's clock starts with the assignment: the first view after it sets it.
        self._waiting_since.clear()
        self._idle_since = None

    def finished(self, partition: int, next_offset: int) -> None:
        """The consumer's effects are durable for every record of ``partition`` below ``next_offset``."""
        if next_offset > self._done.get(partition, -1):
            self._done[partition] = next_offset
            self._waiting_since.pop(partition, None)

    # ------------------------------------------------------------ what the broker says

    def observed(self, view: GroupView) -> None:
        now = self._clock()
        self._seen_at = now
        members = view.members
        if members is None:  # rebalancing: nothing to conclude about membership until it settles
            self._outside_since = self._idle_since = None
        else:
            outside = self._client_id not in members
            self._outside_since = (self._outside_since or now) if outside else None
            # Range and round-robin assignors give every member a partition while there are at
            # least as many partitions as members: holding none then means something went wrong.
            idle = self._held is not None and not self._held and len(members) <= len(view.ends)
            self._idle_since = (self._idle_since or now) if idle else None
        for partition in self._held or ():
            if partition not in view.ends:
                continue
            position = max(self._done.get(partition, 0), view.committed.get(partition, 0),
                           view.starts.get(partition, 0))
            self.finished(partition, position)  # a committed offset ahead of ours is progress too
            if position >= view.ends[partition]:
                self._waiting_since.pop(partition, None)  # caught up
            else:
                self._waiting_since.setdefault(partition, now)

    # ------------------------------------------------------------ the verdict

    def verdict(self) -> Verdict:
        now = self._clock()
        late = self._stall_s
        if self._held is None:
            if not self._ever_joined:
                if now - self._unheld_since > late:
                    return Verdict(False, "no partitions assigned since start")
                return Verdict(False, "joining group")
            if now - self._unheld_since > late:
                return Verdict(False, "rebalance not finished")
            return Verdict(True, "rebalancing")
        if now - (self._seen_at if self._seen_at is not None else self._joined_at) > late:
            return Verdict(False, "no view of the group's offsets")
        if self._outside_since is not None and now - self._outside_since > late:
            return Verdict(False, "not a member of its group")
        stalled = sorted(p for p, since in self._waiting_since.items() if now - since > late)
        if stalled:
            return Verdict(False, "records waiting without progress on partitions "
                                  + ", ".join(str(p) for p in stalled))
        if not self._held:
            if self._idle_since is not None and now - self._idle_since > late:
                return Verdict(False, "holds no partitions though the group has work for it")
            return Verdict(True, "in the group; no partitions to hold")
        return Verdict(True, "consuming")


GroupProbe = Callable[[], Awaitable[GroupView]]


async def watch_progress(
    watch: ProgressWatch, probe: GroupProbe, health: Health, component: str, *,
    interval_s: float, stop: asyncio.Event,
) -> None:
    """Feed ``watch`` a view every ``interval_s`` and publish its verdict as ``component``'s
    readiness, until ``stop``. A probe that hangs (a broker gone quiet) does not hold the
    verdicts back: it runs apart, and a view too old is itself a verdict."""
    probing = asyncio.create_task(_probe_forever(watch, probe, interval_s, stop), name="progress.probe")
    last: Verdict | None = None
    try:
        while not stop.is_set():
            verdict = watch.verdict()
            health.set(component, ready=verdict.ready, detail=verdict.detail)
            if last is not None and verdict.ready != last.ready:
                if verdict.ready:
                    log.info("consumer making progress again", extra={"component": component,
                                                                      "state": verdict.detail})
                else:
                    log.warning("consumer not ready", extra={"component": component, "state": verdict.detail})
            last = verdict
            await _sleep_unless(stop, interval_s)
    finally:
        probing.cancel()
        await asyncio.gather(probing, return_exceptions=True)


async def _probe_forever(
    watch: ProgressWatch, probe: GroupProbe, interval_s: float, stop: asyncio.Event,
) -> None:
    while not stop.is_set():
        # A failed probe leaves the view to age; the verdict says so once it is too old.
        with contextlib.suppress(BrokerUnavailable):
            watch.observed(await probe())
        await _sleep_unless(stop, interval_s)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return
