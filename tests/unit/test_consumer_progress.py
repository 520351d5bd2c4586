"""Readiness of a group consumer (``services.runtime.progress``): in its group, and moving."""

from __future__ import annotations

import pytest

from services.runtime.progress import GroupView, ProgressWatch

pytestmark = pytest.mark.unit

ME = "t.triage.host-1"
STALL = 30.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def watch(clock: Clock) -> ProgressWatch:
    return ProgressWatch(client_id=ME, stall_s=STALL, clock=clock)


def view(ends: dict[int, int], committed: dict[int, int] | None = None, *,
         members: tuple[str, ...] | None = (ME,)) -> GroupView:
    return GroupView(starts=dict.fromkeys(ends, 0), ends=ends, committed=committed or {}, members=members)


def test_not_ready_until_the_first_assignment_then_consuming(watch: ProgressWatch, clock: Clock) -> None:
    assert watch.verdict().ready is False and watch.verdict().detail == "joining group"
    clock.now += STALL + 1
    assert watch.verdict().detail == "no partitions assigned since start"
    watch.assigned([0, 1])
    watch.observed(view({0: 0, 1: 0}))
    assert watch.verdict().ready is True


def test_a_held_partition_with_records_waiting_and_no_progress_is_not_ready(
    watch: ProgressWatch, clock: Clock
) -> None:
    watch.assigned([0, 1])
    watch.observed(view({0: 10, 1: 5}, {0: 10, 1: 3}))  # partition 1 has two records waiting
    clock.now += STALL
    watch.observed(view({0: 10, 1: 5}, {0: 10, 1: 3}))
    assert watch.verdict().ready is True  # not yet past the grace
    clock.now += 1
    verdict = watch.verdict()
    assert (verdict.ready, verdict.detail) == (False, "records waiting without progress on partitions 1")
    watch.finished(1, 4)  # one more record done: progress, the clock starts again
    assert watch.verdict().ready is True
    clock.now += 5
    watch.observed(view({0: 10, 1: 5}, {0: 10, 1: 4}))
    clock.now += STALL + 1
    assert watch.verdict().ready is False
    watch.finished(1, 5)
    watch.observed(view({0: 10, 1: 5}, {0: 10, 1: 4}))  # caught up (our offset is ahead of the commit)
    clock.now += 10 * STALL
    watch.observed(view({0: 10, 1: 5}, {0: 10, 1: 4}))
    assert watch.verdict().ready is True  # quiet, but nothing waits


def test_a_quiet_partition_is_never_stalled(watch: ProgressWatch, clock: Clock) -> None:
    watch.assigned([2])
    for _ in range(10):
        watch.observed(view({2: 7}, {2: 7}))
        clock.now += STALL
    assert watch.verdict().ready is True


def test_records_kept_no_longer_are_not_waiting(watch: ProgressWatch, clock: Clock) -> None:
    """A group that never committed on a partition whose records all expired has nothing to do."""
    watch.assigned([0])
    stale = GroupView(starts={0: 40}, ends={0: 40}, committed={}, members=(ME,))
    watch.observed(stale)
    clock.now += 2 * STALL
    watch.observed(stale)
    assert watch.verdict().ready is True


def test_a_rebalance_keeps_readiness_for_its_grace_then_not(watch: ProgressWatch, clock: Clock) -> None:
    watch.assigned([0])
    watch.observed(view({0: 0}))
    watch.revoked()
    assert (watch.verdict().ready, watch.verdict().detail) == (True, "rebalancing")
    clock.now += STALL + 1
    assert (watch.verdict().ready, watch.verdict().detail) == (False, "rebalance not finished")
    watch.assigned([0, 3])
    watch.observed(view({0: 0, 3: 0}))
    assert watch.verdict().ready is True


def test_after_a_rebalance_each_partition_gets_its_grace_again(watch: ProgressWatch, clock: Clock) -> None:
    watch.assigned([0])
    watch.observed(view({0: 9}, {0: 2}))
    clock.now += STALL - 1
    watch.revoked()
    watch.assigned([0])
    clock.now += 2
    watch.observed(view({0: 9}, {0: 2}))
    assert watch.verdict().ready is True
    clock.now += STALL + 1
    assert watch.verdict().ready is False


def test_no_partitions_is_fine_when_the_group_has_more_members_than_partitions(
    watch: ProgressWatch, clock: Clock
) -> None:
    watch.assigned([])
    members = (ME, "a", "b", "c")
    for _ in range(5):
        watch.observed(view({0: 5, 1: 5, 2: 5}, members=members))
        clock.now += STALL
    verdict = watch.verdict()
    assert (verdict.ready, verdict.detail) == (True, "in the group; no partitions to hold")


def test_no_partitions_after_a_rebalance_it_should_have_joined_is_not_ready(
    watch: ProgressWatch, clock: Clock
) -> None:
    watch.assigned([0, 1, 2])
    watch.revoked()
    watch.assigned([])  # two members, three partitions: one of them is owed to this process
    watch.observed(view({0: 5, 1: 5, 2: 5}, members=(ME, "other")))
    assert watch.verdict().ready is True
    clock.now += STALL + 1
    watch.observed(view({0: 5, 1: 5, 2: 5}, members=(ME, "other")))
    verdict = watch.verdict()
    assert (verdict.ready, verdict.detail) == (False, "holds no partitions though the group has work for it")
    watch.revoked()
    watch.assigned([2])
    watch.observed(view({0: 5, 1: 5, 2: 5}, {2: 5}, members=(ME, "other")))
    assert watch.verdict().ready is True


def test_a_process_the_stable_group_does_not_list_is_not_ready(watch: ProgressWatch, clock: Clock) -> None:
    watch.assigned([0])  # it believes it holds partition 0 (a zombie after a missed rebalance)
    watch.observed(view({0: 0}, members=("someone-else",)))
    clock.now += STALL + 1
    watch.observed(view({0: 0}, members=("someone-else",)))
    assert (watch.verdict().ready, watch.verdict().detail) == (False, "not a member of its group")
    watch.observed(view({0: 0}, members=None))  # a rebalance under way: no conclusion either way
    assert watch.verdict().ready is True


def test_without_a_view_of_the_broker_for_the_grace_it_is_not_ready(
    watch: ProgressWatch, clock: Clock
) -> None:
    watch.assigned([0])
    clock.now += STALL - 1
    assert watch.verdict().ready is True  # just joined; the first view is on its way
    watch.observed(view({0: 0}))
    clock.now += STALL + 1
    assert (watch.verdict().ready, watch.verdict().detail) == (False, "no view of the group's offsets")
    watch.observed(view({0: 0}))
    assert watch.verdict().ready is True
