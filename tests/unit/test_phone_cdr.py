"""Asterisk CDR rows: parsing, translation without the caller's number, and the resumable importer."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from contracts.events import InputQuarantined, SignalReceived
from intake_phone.cdr import BadRow, CdrLayout, parse_line
from intake_phone.cli import main
from intake_phone.importer import Importer, PositionStore
from intake_phone.translate import call_record_signal
from tests.cdr_fixture import FIXTURE, many, many_rows

ZONE = ZoneInfo("America/New_York")
LAYOUT = CdrLayout()
SECRET = b"phone-test-secret"


class Collect:
    def __init__(self) -> None:
        self.signals: list[SignalReceived] = []
        self.quarantined: list[InputQuarantined] = []

    async def send(self, signals: list[SignalReceived], quarantined: list[InputQuarantined]) -> None:
        self.signals.extend(signals)
        self.quarantined.extend(quarantined)


def importer(sink: Collect, batch_size: int = 500) -> Importer:
    return Importer(sink=sink, layout=LAYOUT, zone=ZONE, secret=SECRET, batch_size=batch_size)


def test_every_disposition_and_awkward_field_parses() -> None:
    records = [parse_line(row.line(), LAYOUT, ZONE) for row in FIXTURE]
    assert [r.disposition for r in records] == ["ANSWERED", "NO ANSWER", "BUSY", "FAILED", "ANSWERED"]
    assert (
        records[0].clid == '"María José" <+12145550123>' and records[1].clid == '"Smith, John" <5055550199>'
    )
    assert records[3].clid == '"Zoë ""Z"" Ng" <+525512345678>'
    assert records[0].start.tzinfo is ZONE and records[0].start.utcoffset() is not None
    assert records[1].answer is None and records[0].answer is not None
    assert records[0].billsec == 704 and records[0].call_key == "1773669600.101"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('"","1","2"\n', "column_count_3_expected_17"),
        (FIXTURE[0].line().replace('"2026-03-16 14:00:00"', '"16/03/2026 14:00"'), "bad_start"),
        (FIXTURE[0].line().replace('"ANSWERED"', '"MAYBE"'), "bad_disposition"),
        (FIXTURE[0].line().replace(",712,", ",-3,"), "bad_duration"),
        (FIXTURE[0].line()[:40], "malformed_csv"),
        ("   \n", "empty_line"),
    ],
)
def test_rows_that_cannot_be_read_say_why(line: str, reason: str) -> None:
    with pytest.raises(BadRow) as bad:
        parse_line(line, LAYOUT, ZONE)
    assert bad.value.reason == reason


def test_a_call_record_carries_a_keyed_caller_hash_and_a_region_hint_but_never_the_number() -> None:
    record = parse_line(FIXTURE[0].line(), LAYOUT, ZONE)
    signal = call_record_signal(record, raw_line=FIXTURE[0].line(), secret=SECRET)
    assert signal.source.kind == "phone"
    assert signal.source.caller_region_hint == "US-TX" and signal.source.caller_key
    assert signal.source.call is not None and signal.source.call.duration_s == 712
    body = signal.model_dump_json()
    assert "2145550123" not in body and "María" not in body
    again = call_record_signal(record, raw_line=FIXTURE[0].line(), secret=SECRET)
    assert again.signal_id == signal.signal_id
    other_secret = call_record_signal(record, raw_line=FIXTURE[0].line(), secret=b"other")
    assert other_secret.source.kind == "phone" and other_secret.source.caller_key != signal.source.caller_key
    anonymous = parse_line(FIXTURE[2].line(), LAYOUT, ZONE)
    assert call_record_signal(anonymous, raw_line=FIXTURE[2].line(), secret=SECRET).source.caller_key is None


async def test_a_file_import_quarantines_bad_rows_by_line_and_carries_on(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    lines = [row.line() for row in FIXTURE]
    lines.insert(2, '"garbage",,\n')
    path.write_text("".join(lines) + FIXTURE[0].line()[:50])  # the last row cut short
    sink = Collect()
    summary = await importer(sink).run(path)
    assert (summary.rows, summary.signals, summary.quarantined) == (7, 5, 2)
    assert summary.problems == [(3, "column_count_3_expected_17"), (7, "truncated_line")]
    assert [q.source.call_id for q in sink.quarantined if q.source.kind == "phone"] == [
        "cdr-line-3",
        "cdr-line-7",
    ]


async def test_an_import_resumes_from_its_saved_position(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_text("".join(many(1200)))
    positions = PositionStore(tmp_path / "pos.json")
    first = Collect()

    class StopAfterFirstBatch(Collect):
        async def send(self, signals: list[SignalReceived], quarantined: list[InputQuarantined]) -> None:
            await first.send(signals, quarantined)
            if len(first.signals) >= 500:
                raise RuntimeError("crash after the first batch was acknowledged")

    with pytest.raises(RuntimeError):
        await importer(StopAfterFirstBatch(), batch_size=500).run(path, positions=positions)
    rest = Collect()
    await importer(rest, batch_size=500).run(path, positions=positions)
    keys = [s.dedup_key for s in first.signals + rest.signals]
    assert len(set(keys)) == 1200
    assert len(keys) - len(set(keys)) == 500  # the batch in flight at the crash is read again: same keys


async def test_follow_mode_reads_what_is_appended_and_a_rotation(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    rows = many(30)
    path.write_text("".join(rows[:10]))
    sink = Collect()
    stop = asyncio.Event()
    task = asyncio.create_task(
        importer(sink, batch_size=5).run(
            path, positions=PositionStore(tmp_path / "p.json"), follow=True, stop=stop, poll_s=0.05
        )
    )
    await asyncio.sleep(0.3)
    with path.open("a") as file:
        file.write(rows[10] + rows[11][:30])  # the PBX is half-way through a row
    await asyncio.sleep(0.3)
    assert len(sink.signals) == 11 and not sink.quarantined
    with path.open("a") as file:
        file.write(rows[11][30:])
    await asyncio.sleep(0.3)
    assert len(sink.signals) == 12
    path.rename(tmp_path / "Master.csv.1")
    path.write_text("".join(rows[20:25]))
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert len(sink.signals) == 17 and not sink.quarantined


def test_dry_run_prints_json_lines_and_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_STATE_DIR", str(tmp_path / "state"))
    path = tmp_path / "Master.csv"
    path.write_text("".join(row.line() for row in FIXTURE) + '"bad"\n')
    assert main(["import-cdr", "--dry-run", str(path)]) == 0
    captured = capsys.readouterr()
    events = [json.loads(line) for line in captured.out.splitlines()]
    assert len(events) == 6 and sum("signal_id" in e for e in events) == 5
    assert "line 6: column_count_1_expected_16_to_21 (quarantined)" in captured.err
    assert "6 rows read: 5 signals, 1 quarantined" in captured.err
    assert not (tmp_path / "state").exists()  # a dry run keeps no position


def test_a_missing_file_and_a_bad_zone_are_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["import-cdr", str(tmp_path / "nope.csv")]) == 66
    assert "is not a readable file" in capsys.readouterr().err
    monkeypatch.setenv("HOTLINE_CDR_TIMEZONE", "Mars/Olympus")
    assert main(["import-cdr", str(tmp_path / "nope.csv")]) == 78
    assert "unknown time zone" in capsys.readouterr().err


# ---------------------------------------------------------------- the PBX's layout, told from the rows

USERFIELDS = ["", "", "callback-requested", "", "queue:intake", "", "", "", "transfer 2", ""]


def sample_conf_lines(n: int = 40) -> list[str]:
    """Rows as Asterisk's shipped sample cdr.conf writes them ([csv] with loguniqueid=yes and
    loguserfield=yes, newcdrcolumns commented out): 18 columns."""
    return [row.line(userfield=USERFIELDS[i % len(USERFIELDS)]) for i, row in enumerate(many_rows(n))]


def test_a_master_csv_written_with_the_sample_cdr_conf_imports_every_row_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_STATE_DIR", str(tmp_path / "state"))
    path = tmp_path / "Master.csv"
    path.write_text("".join(sample_conf_lines(40)))
    assert main(["import-cdr", "--dry-run", str(path)]) == 0
    captured = capsys.readouterr()
    events = [json.loads(line) for line in captured.out.splitlines()]
    signals = [SignalReceived.model_validate(e) for e in events if "signal_id" in e]
    assert len(events) == len(signals) == 40
    assert "40 rows read: 40 signals, 0 quarantined" in captured.err
    # One line says how the file was read, and which settings would override it.
    [said] = [line for line in captured.err.splitlines() if "CDR layout" in line]
    assert "18 columns" in said and "uniqueid, userfield" in said and "HOTLINE_CDR_" in said
    assert [s.source.call_id for s in signals if s.source.kind == "phone"][:3] == [
        "1773669600.0", "1773669600.1", "1773669600.2"]


@pytest.mark.parametrize(
    ("options", "columns", "call_id"),
    [
        ({"uniqueid": False}, 16, None),
        ({}, 17, "1773669600.7"),
        ({"userfield": "callback-requested"}, 18, "1773669600.7"),
        ({"uniqueid": False, "new_columns": True}, 19, "1773669600.7"),
        ({"new_columns": True}, 20, "1773669600.7"),
        ({"userfield": "x", "new_columns": True}, 21, "1773669600.7"),
    ],
)
async def test_every_layout_from_16_to_21_columns_is_read_by_its_column_count(
    tmp_path: Path, options: dict[str, object], columns: int, call_id: str | None
) -> None:
    rows = many_rows(10)
    lines = [row.line(**options) for row in rows]  # type: ignore[arg-type]
    path = tmp_path / "Master.csv"
    path.write_text("".join(lines))
    sink, said = Collect(), list[str]()
    detecting = Importer(sink=sink, layout=None, zone=ZONE, secret=SECRET, announce=said.append)
    summary = await detecting.run(path)
    assert (summary.signals, summary.quarantined) == (10, 0)
    assert len(said) == 1 and f"{columns} columns" in said[0]
    source = sink.signals[7].source
    assert source.kind == "phone"
    if call_id is not None:
        assert source.call_id == call_id
    else:  # no unique id written: the call is keyed by what the record itself says
        assert source.call_id.startswith(rows[7].start.isoformat()[:19])


@pytest.mark.parametrize("new_columns", [False, True])
async def test_a_lone_user_field_is_told_from_a_unique_id_by_its_content(
    tmp_path: Path, new_columns: bool
) -> None:
    rows = many_rows(10)
    path = tmp_path / "Master.csv"
    path.write_text("".join(row.line(uniqueid=False, userfield=USERFIELDS[i], new_columns=new_columns)
                            for i, row in enumerate(rows)))
    sink, said = Collect(), list[str]()
    await Importer(sink=sink, layout=None, zone=ZONE, secret=SECRET, announce=said.append).run(path)
    assert len(sink.signals) == 10
    assert "userfield" in said[0] and "uniqueid" not in said[0]
    call_ids = {s.source.call_id for s in sink.signals if s.source.kind == "phone"}
    assert not call_ids & set(USERFIELDS)  # a user field never becomes the call's key


def test_the_settings_still_override_the_detected_layout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("HOTLINE_CDR_LOGUNIQUEID", "true")
    monkeypatch.setenv("HOTLINE_CDR_LOGUSERFIELD", "false")
    path = tmp_path / "Master.csv"
    path.write_text("".join(sample_conf_lines(3)))
    assert main(["import-cdr", "--dry-run", str(path)]) == 0
    err = capsys.readouterr().err
    assert "line 1: column_count_18_expected_17 (quarantined)" in err
    assert "3 rows read: 0 signals, 3 quarantined" in err
    assert "17 columns" in err and "from the settings" in err
