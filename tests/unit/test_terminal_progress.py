"""Progress of long commands: a rich bar on a terminal, nothing at all when output is not one."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from contracts.events import InputQuarantined, SignalReceived
from intake_phone.importer import Importer
from services.runtime.terminal_progress import Progress, track
from tests.cdr_fixture import many

pytestmark = pytest.mark.unit


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_is_written_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    with Progress("replay: re-assessing", total=3, stream=stream) as bar:
        assert not bar.enabled
        bar.advance()
        bar.update(completed=3, description="done")
    assert list(track([1, 2, 3], "evaluate", stream=stream)) == [1, 2, 3]
    assert stream.getvalue() == ""


def test_a_terminal_gets_a_bar_with_the_count_and_the_share_done() -> None:
    stream = _Terminal()
    assert list(track(range(4), "evaluate: assessing", stream=stream)) == [0, 1, 2, 3]
    drawn = stream.getvalue()
    assert "evaluate: assessing" in drawn and "4/4" in drawn and "100%" in drawn


class _NullSink:
    async def send(self, signals: list[SignalReceived], quarantined: list[InputQuarantined]) -> None:
        return None


def test_the_cdr_import_moves_its_bar_through_the_file(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_text("".join(many(1200)))
    stream = _Terminal()
    importer = Importer(sink=_NullSink(), layout=None, zone=ZoneInfo("America/New_York"), secret=b"k" * 32)
    with Progress("CDR import", total=path.stat().st_size, stream=stream, count=False) as bar:
        summary = asyncio.run(importer.run(path, progress=bar))
    assert summary.rows == 1200
    drawn = stream.getvalue()
    assert "CDR import: 1,200 rows" in drawn and "100%" in drawn
