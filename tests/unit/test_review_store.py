"""The skeleton case store: idempotent by event id."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.events import Urgency
from services.review.store import CaseStore
from tests.builders import triaged

pytestmark = pytest.mark.unit


async def test_applying_an_event_twice_changes_nothing(tmp_path: Path) -> None:
    store = CaseStore(tmp_path / "cases.sqlite3")
    event = triaged()
    assert await store.apply_triaged(event.event_id(), event) is True
    assert await store.apply_triaged(event.event_id(), event) is False
    [case] = await store.cases()
    assert case.signal_id == str(event.signal_id) and case.revision == 1
    store.close()


async def test_a_new_assessment_of_a_signal_updates_its_case(tmp_path: Path) -> None:
    store = CaseStore(tmp_path / "cases.sqlite3")
    first = triaged(rules_version="1")
    second = triaged(signal_id=first.signal_id, rules_version="2", urgency=Urgency.P1_ACT_NOW)
    await store.apply_triaged(first.event_id(), first)
    await store.apply_triaged(second.event_id(), second)
    [case] = await store.cases()
    assert (case.revision, case.urgency) == (2, "p1_act_now")
    store.close()


async def test_cases_come_most_urgent_first(tmp_path: Path) -> None:
    store = CaseStore(tmp_path / "cases.sqlite3")
    for urgency in (Urgency.P3_BUSINESS_DAYS, Urgency.P1_ACT_NOW, Urgency.P2_SAME_DAY):
        event = triaged(urgency=urgency)
        await store.apply_triaged(event.event_id(), event)
    assert [c.urgency for c in await store.cases()] == ["p1_act_now", "p2_same_day", "p3_business_days"]
    store.close()
