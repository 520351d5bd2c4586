"""The call-detail import's fast path: the same signals as validation builds, and batches that
overlap only where the position cannot move past an unacknowledged row."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from contracts.events import InputQuarantined, SignalReceived
from intake_phone import translate
from intake_phone.cdr import BadRow, CdrLayout, parse_line
from intake_phone.importer import Importer, PositionStore
from tests.cdr_fixture import FIXTURE, START, Row, many

pytestmark = pytest.mark.unit

ZONE = ZoneInfo("America/New_York")
SECRET = b"phone-test-secret"

# Rows whose source needs validation's judgement: blank, padded and non-ASCII unique ids, a
# non-geographic number (its region is "001", which no region hint may be).
ODD_ROWS = [
    dataclasses.replace(FIXTURE[0], uniqueid="   "),
    dataclasses.replace(FIXTURE[0], uniqueid=" 1773669600.101 "),
    dataclasses.replace(FIXTURE[0], uniqueid="pbx-ñ-1773669600.101"),
    dataclasses.replace(FIXTURE[0], uniqueid="x" * 200),
    dataclasses.replace(FIXTURE[0], src="+80012345678", clid=""),
    Row("+525512345678", "", START, 3, 40, "ANSWERED", "1773669600.200"),
]


def _validated(line: str) -> SignalReceived | str:
    """The row as it was built before the fast path: every model validated."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(translate, "_trusted", lambda source: False)
        return _fast(line)


def _fast(line: str) -> SignalReceived | str:
    record = parse_line(line, CdrLayout(), ZONE)
    try:
        return translate.call_record_signal(record, raw_line=line, secret=SECRET)
    except ValueError as invalid:
        return type(invalid).__name__


@pytest.mark.parametrize("line", [row.line() for row in [*FIXTURE, *ODD_ROWS]] + many(50))
def test_a_row_built_without_validation_is_the_signal_validation_builds(line: str) -> None:
    fast, validated = _fast(line), _validated(line)
    if isinstance(validated, str):
        assert fast == validated  # refused the same way, so quarantined the same way
    else:
        assert isinstance(fast, SignalReceived)
        assert fast.model_dump_json() == validated.model_dump_json()
        assert fast == validated


def test_a_blank_unique_id_is_still_refused_and_quarantined() -> None:
    assert _fast(ODD_ROWS[0].line()) == "ValidationError"


@pytest.mark.parametrize("value", [
    "2026-03-16 09:00:00", "2024-02-29 10:00:00", "2026-02-29 10:00:00", "2026-13-01 00:00:00",
    "2026-03-16 24:00:00", "2026-03-16 23:59:60", "2026-03-16 09:60:00", "0000-01-01 00:00:00",
    "2026-00-10 00:00:00", "2026-3-6 9:0:0", "2026-03-16T09:00:00", "2026-03-16 09:00:00 ",
    "9999-12-31 23:59:59", "\uff12\uff10\uff12\uff16-03-16 09:00:00",  # full-width digits
])
def test_dates_read_by_position_agree_with_strptime(value: str) -> None:
    row = FIXTURE[0].line().replace('"2026-03-16 14:00:00"', f'"{value}"', 1)
    try:
        expected: datetime | str = datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZONE)
    except ValueError:
        expected = "bad_start"
    try:
        got: datetime | str = parse_line(row, CdrLayout(), ZONE).start
    except BadRow as bad:
        got = bad.reason
    assert got == expected


class Recording:
    """A sink that holds each batch until told, and notes when sends start and end."""

    def __init__(self, *, refuse_batch: int | None = None) -> None:
        self.events: list[tuple[str, int]] = []
        self.signals: list[SignalReceived] = []
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self._refuse = refuse_batch
        self._batches = 0

    async def send(self, signals: list[SignalReceived], quarantined: list[InputQuarantined]) -> None:
        self._batches += 1
        number = self._batches
        self.events.append(("start", number))
        self.started.set()
        if number == 1:
            await self.release.wait()
        if number == self._refuse:
            self.events.append(("refused", number))
            raise ConnectionError("broker refused the batch")
        self.signals.extend(signals)
        self.events.append(("acknowledged", number))


async def test_the_next_batch_is_translated_but_sent_only_after_the_one_before_is_acknowledged(
        tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_text("".join(many(30)))
    sink = Recording()
    importer = Importer(sink=sink, layout=CdrLayout(), zone=ZONE, secret=SECRET, batch_size=10)
    running = asyncio.create_task(importer.run(path, positions=PositionStore(tmp_path / "pos.json")))
    await sink.started.wait()
    for _ in range(100):  # many turns of the loop: room for a wrong importer to send batch 2 early
        await asyncio.sleep(0)
    assert sink.events == [("start", 1)]
    sink.release.set()
    summary = await running
    assert sink.events == [("start", 1), ("acknowledged", 1), ("start", 2), ("acknowledged", 2),
                           ("start", 3), ("acknowledged", 3)]
    assert summary.signals == 30 and len(sink.signals) == 30


async def test_a_refused_batch_leaves_the_position_after_the_last_acknowledged_one(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_text("".join(many(30)))
    positions = PositionStore(tmp_path / "pos.json")
    first = Recording(refuse_batch=2)
    first.release.set()
    with pytest.raises(ConnectionError):
        await Importer(sink=first, layout=CdrLayout(), zone=ZONE, secret=SECRET, batch_size=10).run(
            path, positions=positions)
    saved = positions.load()
    assert saved is not None and saved.line == 10
    rest = Recording()
    rest.release.set()
    await Importer(sink=rest, layout=CdrLayout(), zone=ZONE, secret=SECRET, batch_size=10).run(
        path, positions=positions)
    acknowledged_twice = {s.dedup_key for s in first.signals} & {s.dedup_key for s in rest.signals}
    assert acknowledged_twice == set()
    assert len({s.dedup_key for s in first.signals + rest.signals}) == 30
