"""``settle_after_start``: start-up's objects frozen out of the collector's scans, young collections rarer."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from services.runtime.heap import YOUNG_THRESHOLD, settle_after_start

pytestmark = pytest.mark.unit


@pytest.fixture
def restored() -> Iterator[None]:
    threshold = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored")
def test_what_start_up_made_is_frozen_and_young_collections_are_rarer() -> None:
    kept = [{"made": "at start-up"} for _ in range(100)]
    middle, oldest = gc.get_threshold()[1:]
    settle_after_start()
    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, oldest)


@pytest.mark.usefixtures("restored")
def test_garbage_made_later_is_still_collected() -> None:
    settle_after_start()
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1
