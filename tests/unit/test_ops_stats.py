"""``hotline-ops stats``: counts on a known stream, small-number suppression in every output, the command."""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import pytest
from PIL import Image

from contracts import CODEC, Topic
from contracts.events import SignalTriaged
from contracts.snapshots import example_path
from services.ops import stats
from services.runtime.broker_view import BrokerRecord

pytestmark = pytest.mark.unit

GOLDEN: dict[str, Any] = json.loads(example_path(SignalTriaged).read_text(encoding="utf-8"))["value"]
MINOR_RAISED = GOLDEN["flags"][0]
MINOR_NOT_RAISED = {"name": "minor", "raised": False, "evidence": []}
SUBSTANTIVE = [{"target": "supervisor_queue", "reason": "substantive"}]
NO_NARRATIVE = [{"target": "set_aside", "reason": "no_narrative"}]
AUTO_REPLY = [{"target": "set_aside", "reason": "unrelated"}]


def triaged(key: str, received: str, channel: str, state: str | None, call_type: str, trafficking: str,
            minor: bool, urgency: str, *, triaged_at: str | None = None, rules: str = "2026.03.1",
            routes: list[dict[str, str]] = SUBSTANTIVE) -> SignalTriaged:
    """A valid assessment: the golden example with the fields the statistics read replaced."""
    return SignalTriaged.model_validate({
        **GOLDEN, "signal_id": str(uuid5(NAMESPACE_URL, f"https://example.org/signal/{key}")),
        "channel": channel, "received_at": received, "triaged_at": triaged_at or received,
        "rules_version": rules, "flags": [MINOR_RAISED if minor else MINOR_NOT_RAISED], "urgency": urgency,
        "call_type": call_type, "trafficking_type": trafficking, "sla_due_at": received, "routes": routes,
        "jurisdiction": {"country": "US", "state": state, "origin": "declared" if state else "unknown"},
        "linked_signals": [],
    })


def group(name: str, n: int, *fields: Any, **options: Any) -> list[SignalTriaged]:
    return [triaged(f"{name}-{i}", *fields, **options) for i in range(n)]


# The fixture stream. Months are on the hotline's clock (New York): 03:30Z on 1 February is still
# 31 January there, 02:00Z on 1 April is still 31 March.
G1 = group("g1", 22, "2026-01-10T15:00:00Z", "phone", "TX", "tip", "sex", False, "p3_business_days")
G2 = group("g2", 12, "2026-01-20T15:00:00Z", "webform", "CA", "crisis", "labor", True, "p2_same_day")
G3 = group("g3", 3, "2026-02-01T03:30:00Z", "email", "NY", "referral", "unknown", False, "p3_business_days")
G4 = group("g4", 15, "2026-02-14T18:00:00Z", "phone", "CA", "tip", "labor", False, "p3_business_days")
G5 = group("g5", 4, "2026-02-20T18:00:00Z", "email", None, "general_info", "none", False, "p4_informational")
G6 = group("g6", 2, "2026-03-05T18:00:00Z", "webform", "FL", "at_risk", "unknown", True, "p2_same_day")
G7 = group("g7", 1, "2026-04-01T02:00:00Z", "phone", "TX", "unrelated", "none", False, "p4_informational",
           routes=AUTO_REPLY)
# One signal assessed twice: the newer rules made it a tip about a minor. The older assessment is
# read after the newer one (a late redelivery) and must not win.
RETRIAGED_NEW = triaged("g8", "2026-03-10T16:00:00Z", "webform", "TX", "tip", "both", True, "p1_act_now",
                        triaged_at="2026-03-20T09:00:00Z", rules="2026.03.2")
RETRIAGED_OLD = triaged("g8", "2026-03-10T16:00:00Z", "webform", "TX", "tta", "none", False,
                        "p4_informational", triaged_at="2026-03-10T16:00:01Z")
# Call records without words: set aside, counted on their own line only.
CALL_RECORDS = group("cdr", 3, "2026-02-05T15:00:00Z", "phone", None, "unrelated", "none", False,
                     "p4_informational", routes=NO_NARRATIVE)
# At-least-once delivery: three records of G1 and one of G4 arrive twice.
STREAM = [*G1, *G2, *G1[:3], *G3, *G4, RETRIAGED_NEW, *G5, *CALL_RECORDS, *G6, *G7, RETRIAGED_OLD, G4[0]]

# Hand-computed from the groups above (60 signals counted, 3 set aside, 68 records).
EXPECTED_COUNTS = {
    "month": {"2026-01": 37, "2026-02": 19, "2026-03": 4},  # 22+12+3 | 15+4 | 2+1+1
    "channel": {"webform": 15, "email": 7, "phone": 38, "sms": 0},  # 12+2+1 | 3+4 | 22+15+1 | none
    "state": {"CA": 27, "FL": 2, "NY": 3, "TX": 24, "outside_us": 0, "unknown": 4},
    "call_type": {"crisis": 12, "tip": 38, "tta": 0, "referral": 3, "general_info": 4, "at_risk": 2,
                  "unrelated": 1},
    "trafficking_type": {"sex": 22, "labor": 27, "both": 1, "unknown": 5, "none": 5},
    "minor": {"yes": 15, "no": 45},
    "urgency": {"p1_act_now": 1, "p2_same_day": 14, "p3_business_days": 40, "p4_informational": 5},
}
EXPECTED_GRID = {
    ("2026-01", "webform"): 12, ("2026-01", "email"): 3, ("2026-01", "phone"): 22, ("2026-01", "sms"): 0,
    ("2026-02", "webform"): 0, ("2026-02", "email"): 4, ("2026-02", "phone"): 15, ("2026-02", "sms"): 0,
    ("2026-03", "webform"): 3, ("2026-03", "email"): 0, ("2026-03", "phone"): 1, ("2026-03", "sms"): 0,
}
S = "suppressed"
# Threshold 10. Primary: every count from 1 to 9. Complementary, by hand: month Mar (4) alone is
# small, so Feb (19) is hidden too; channel email (7) alone, so webform (15); state FL+NY+unknown
# add up to 9, so TX (24); urgency p1+p4 add up to 6, so p2 (14). Call types (3+4+2+1) and
# trafficking types (1+5+5) already hide at least 10. In the month x channel table, row Jan (37
# shown) hides email 3 alone, so webform 12; column phone (38 shown) hides Mar 1 alone, so Feb 15.
EXPECTED_PUBLISHED = {
    "month": ({"2026-01": 37, "2026-02": S, "2026-03": "<10"}, 60),
    "channel": ({"webform": S, "email": "<10", "phone": 38, "sms": 0}, 60),
    "state": ({"CA": 27, "FL": "<10", "NY": "<10", "TX": S, "outside_us": 0, "unknown": "<10"}, 60),
    "call_type": ({"crisis": 12, "tip": 38, "tta": 0, "referral": "<10", "general_info": "<10",
                   "at_risk": "<10", "unrelated": "<10"}, 60),
    "trafficking_type": ({"sex": 22, "labor": 27, "both": "<10", "unknown": "<10", "none": "<10"}, 60),
    "minor": ({"yes": 15, "no": 45}, 60),
    "urgency": ({"p1_act_now": "<10", "p2_same_day": S, "p3_business_days": 40, "p4_informational": "<10"},
                60),
}
EXPECTED_PUBLISHED_GRID = (("2026-01", (S, "<10", 22, 0)), ("2026-02", (0, "<10", S, 0)),
                           ("2026-03", ("<10", 0, "<10", 0)))


def published(publication: stats.Publication) -> dict[str, tuple[dict[str, stats.Shown], stats.Shown]]:
    return {t.name: (dict(t.rows), t.total) for t in publication.tables}


def csv_cells(text: str) -> dict[tuple[str, str], str]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["table", "category", "count"]
    return {(table, category): shown for table, category, shown in rows[1:]}


def write_stream(path: Path, signals: list[SignalTriaged], extra: tuple[str, ...] = ()) -> Path:
    lines = [s.model_dump_json() for s in signals]
    path.write_text("\n".join([*lines[:5], *extra, *lines[5:]]) + "\n", encoding="utf-8")
    return path


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="hotline-ops stats")
    stats.configure_parser(parser)
    return stats.run(parser.parse_args(argv))


# ---------------------------------------------------------------- counting


def test_counts_match_the_hand_computed_figures() -> None:
    counts = stats.count(STREAM)
    assert {name: dict(cells) for name, cells in counts.tables.items()} == EXPECTED_COUNTS
    assert dict(counts.month_channel) == EXPECTED_GRID
    assert (counts.total, counts.set_aside) == (60, 3)


def test_repeats_and_an_older_assessment_are_counted_once() -> None:
    counts = stats.count(STREAM)
    assert (counts.records, counts.superseded) == (68, 5)
    # The newer rules' tip about a minor counts, not the older "tta"; whatever order they arrive in.
    assert counts.tables["call_type"]["tta"] == 0
    again = stats.count(reversed(STREAM))
    assert again.tables == counts.tables and again.month_channel == counts.month_channel


def test_same_triage_time_keeps_the_one_read_last() -> None:
    first = triaged("tie", "2026-01-05T12:00:00Z", "email", "OR", "tip", "sex", False, "p3_business_days")
    second = first.model_copy(update={"call_type": first.call_type.REFERRAL})
    assert stats.count([first, second]).tables["call_type"]["referral"] == 1
    assert stats.count([second, first]).tables["call_type"]["tip"] == 1


def test_month_is_taken_on_the_hotline_clock() -> None:
    assert stats.month_of(G3[0]) == "2026-01" and stats.month_of(G7[0]) == "2026-03"
    assert stats.month_of(G4[0]) == "2026-02"


def test_call_records_without_words_are_set_aside_and_auto_replies_are_unrelated() -> None:
    assert all(stats.is_set_aside(s) for s in CALL_RECORDS)
    assert not stats.is_set_aside(G7[0])  # an auto-reply has words: it stays an unrelated contact
    counts = stats.count(CALL_RECORDS)
    assert (counts.total, counts.set_aside, counts.tables["call_type"]["unrelated"]) == (0, 3, 0)


def test_period_selects_months_and_fills_empty_ones() -> None:
    counts = stats.count(STREAM, first="2026-02", last="2026-05")
    assert dict(counts.tables["month"]) == {"2026-02": 19, "2026-03": 4, "2026-04": 0, "2026-05": 0}
    assert (counts.total, counts.set_aside) == (23, 3)
    assert stats.month_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


# ---------------------------------------------------------------- suppression


def test_suppression_hides_small_cells_and_their_complements() -> None:
    publication = stats.suppress(stats.count(STREAM))
    assert published(publication) == EXPECTED_PUBLISHED
    grid = publication.grid
    assert grid.columns == ("webform", "email", "phone", "sms")
    assert tuple(zip(grid.rows, grid.cells, strict=True)) == EXPECTED_PUBLISHED_GRID
    assert publication.set_aside == "<10"
    assert publication.period == ("2026-01", "2026-03")


def test_no_shown_total_lets_a_hidden_cell_be_subtracted_out() -> None:
    counts = stats.count(STREAM)
    publication = stats.suppress(counts)
    lines: list[tuple[stats.Shown, list[tuple[int, stats.Shown]]]] = [
        (t.total, [(counts.tables[t.name][c], s) for c, s in t.rows]) for t in publication.tables]
    months, channels = dict(publication.table("month").rows), dict(publication.table("channel").rows)
    grid = publication.grid
    for i, month in enumerate(grid.rows):
        lines.append((months[month], [(EXPECTED_GRID[month, c], grid.cells[i][j])
                                      for j, c in enumerate(grid.columns)]))
    for j, channel in enumerate(grid.columns):
        lines.append((channels[channel], [(EXPECTED_GRID[m, channel], grid.cells[i][j])
                                          for i, m in enumerate(grid.rows)]))
    for total, cells in lines:
        hidden = [value for value, shown in cells if isinstance(shown, str)]
        if isinstance(total, int):
            assert not hidden or sum(hidden) >= 10
        else:
            assert hidden or not any(value for value, _ in cells)


def test_exactly_one_small_cell_takes_the_next_smallest_with_it() -> None:
    counts = stats.Counts(tables={name: {} for name, _ in stats.TABLES} | {
        "channel": {"webform": 30, "email": 3, "phone": 12}}, month_channel={}, total=45, set_aside=0,
        records=45, superseded=0)
    channel = stats.suppress(counts).table("channel")
    assert dict(channel.rows) == {"webform": 30, "email": "<10", "phone": S} and channel.total == 45


def test_small_total_and_zero_cells() -> None:
    counts = stats.count(G6)
    publication = stats.suppress(counts)
    assert publication.table("month").total == "<10"
    assert dict(publication.table("channel").rows) == {"webform": "<10", "email": 0, "phone": 0, "sms": 0}


def test_threshold_is_configurable() -> None:
    publication = stats.suppress(stats.count(STREAM), threshold=3)
    # FL (2) is the one cell under 3; NY (3), the next smallest, is hidden with it.
    assert dict(publication.table("state").rows) == {
        "CA": 27, "FL": "<3", "NY": S, "TX": 24, "outside_us": 0, "unknown": 4}
    assert dict(publication.table("call_type").rows) == {
        "crisis": 12, "tip": 38, "tta": 0, "referral": 3, "general_info": 4, "at_risk": "<3",
        "unrelated": "<3"}
    assert dict(publication.table("month").rows) == {"2026-01": 37, "2026-02": 19, "2026-03": 4}


def test_what_is_published_does_not_depend_on_hidden_values() -> None:
    # Move one February phone tip to March: both months stay hidden, so nothing shown may change.
    moved = triaged("g4-0", "2026-03-14T18:00:00Z", "phone", "CA", "tip", "labor", False, "p3_business_days")
    other = [moved if s.signal_id == moved.signal_id else s for s in STREAM]
    assert stats.count(other).tables["month"] != stats.count(STREAM).tables["month"]
    first, second = stats.suppress(stats.count(STREAM)), stats.suppress(stats.count(other))
    assert first == second
    assert stats.render_charts(first)["month"] == stats.render_charts(second)["month"]


# ---------------------------------------------------------------- outputs


def test_every_small_cell_reads_less_than_threshold_in_text_csv_and_html(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("--file", str(write_stream(tmp_path / "in.jsonl", STREAM)), "--out", str(out)) == 0
    cells = csv_cells((out / "statistics.csv").read_text(encoding="utf-8"))
    text = (out / "statistics.txt").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    small = [(name, category) for name, table in EXPECTED_COUNTS.items()
             for category, n in table.items() if 0 < n < 10]
    assert len(small) == 14
    for name, category in small:
        assert cells[name, category] == "<10"
        assert re.search(rf"^  {re.escape(category)} +<10$", text, re.MULTILINE), (name, category)
        label = re.escape(stats.label(category))
        section = html.split(f'<section id="{name}">')[1].split("</section>")[0]
        assert re.search(rf'<td>{label}</td><td class="count hidden">&lt;10</td>', section), (name, category)
    for (month, channel), n in EXPECTED_GRID.items():
        if 0 < n < 10:
            assert cells["month_channel", f"{month}/{channel}"] == "<10"
    assert cells["set_aside", "no_narrative"] == "<10"
    assert re.search(r"^  2026-03 +<10 +0 +<10 +0$", text, re.MULTILINE)
    assert text.rstrip().endswith(": <10")
    # Every count a reader can see is 0, at least the threshold, or a mark.
    for shown in cells.values():
        assert shown in ("<10", S) or shown == "0" or int(shown) >= 10


def test_csv_layout_is_one_long_table(tmp_path: Path) -> None:
    publication = stats.suppress(stats.count(STREAM))
    rows = list(csv.reader(io.StringIO(stats.render_csv(publication))))
    assert rows[:5] == [["table", "category", "count"], ["month", "2026-01", "37"],
                        ["month", "2026-02", S], ["month", "2026-03", "<10"], ["month", "total", "60"]]
    assert ["month_channel", "2026-02/phone", S] in rows
    assert rows[-1] == ["set_aside", "no_narrative", "<10"]
    assert len(rows) == 1 + sum(len(t) + 1 for t in EXPECTED_COUNTS.values()) + len(EXPECTED_GRID) + 1


def test_html_is_self_contained_and_carries_no_hidden_value(tmp_path: Path) -> None:
    publication = stats.suppress(stats.count(STREAM))
    html = stats.render_html(publication, stats.render_charts(publication))
    images = re.findall(r'<img src="([^"]*)" alt="([^"]*)">', html)
    assert len(images) == len(stats.TABLES) + 1
    assert all(src.startswith("data:image/png;base64,") for src, _ in images)
    bare = re.sub(r'data:image/png;base64,[A-Za-z0-9+/=]*', "", html)
    assert not re.search(r"https?:|//[a-z]|<link|<script|@import|url\(|href=", bare, re.IGNORECASE)
    # What a reader sees: the text outside tags and styles, and the charts' alt texts.
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", bare, flags=re.DOTALL))
    seen = visible + " ".join(alt for _, alt in images)
    numbers = {int(n) for n in re.findall(r"(?<![\w.#-])\d+(?![\w.-])", seen)}
    assert numbers and all(n == 0 or n >= 10 for n in numbers), sorted(numbers)
    assert not numbers & {19, 24, 14}  # the complementary cells with counts of their own
    assert "Bar chart, signals per month: 2026-01 37; 2026-02 suppressed; 2026-03 &lt;10" in html


def test_html_escapes_what_it_shows() -> None:
    counts = stats.Counts(tables={name: {} for name, _ in stats.TABLES} | {
        "state": {"<script>": 12}}, month_channel={}, total=12, set_aside=0, records=12, superseded=0)
    publication = stats.suppress(counts)
    html = stats.render_html(publication, stats.render_charts(publication))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_charts_are_png_files(tmp_path: Path) -> None:
    assert run("--file", str(write_stream(tmp_path / "in.jsonl", STREAM)), "--out", str(tmp_path)) == 0
    charts = sorted(p.name for p in tmp_path.glob("*.png"))
    assert charts == sorted(f"{name}.png" for name, _ in [*stats.TABLES, stats.GRID])
    for name in charts:
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(tmp_path / name) as image:
            image.verify()
            assert image.format == "PNG" and image.size[0] >= 600


# ---------------------------------------------------------------- the command


def test_text_goes_to_stdout_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--file", str(write_stream(tmp_path / "in.jsonl", STREAM))) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Hotline signals, 2026-01 to 2026-03\n")
    assert "Signals per month\n  2026-01          37\n  2026-02  suppressed\n  2026-03         <10\n" \
           "  total            60\n" in out
    assert "68 records read, 0 undecodable" in err


def test_from_and_to_select_months(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_stream(tmp_path / "in.jsonl", STREAM)
    assert run("--file", str(path), "--from", "2026-02", "--to", "2026-03", "--format", "csv") == 0
    cells = csv_cells(capsys.readouterr().out)
    assert [cells["month", m] for m in ("2026-02", "2026-03", "total")] == [S, "<10", "23"]
    assert ("month", "2026-01") not in cells


def test_threshold_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_stream(tmp_path / "in.jsonl", STREAM)
    assert run("--file", str(path), "--threshold", "3", "--format", "csv") == 0
    cells = csv_cells(capsys.readouterr().out)
    assert (cells["state", "FL"], cells["state", "NY"], cells["state", "unknown"]) == ("<3", S, "4")
    assert cells["month", "2026-03"] == "4"


@pytest.mark.parametrize(("argv", "message"), [
    (("--from", "2026-13"), "--from: expected a month as YYYY-MM, got '2026-13'"),
    (("--to", "March"), "--to: expected a month as YYYY-MM"),
    (("--from", "2026-03", "--to", "2026-01"), "--from 2026-03 is after --to 2026-01"),
    (("--threshold", "1"), "--threshold must be at least 2"),
    (("--format", "all"), "--format all writes several files: give --out DIR"),
])
def test_bad_options_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          argv: tuple[str, ...], message: str) -> None:
    path = write_stream(tmp_path / "in.jsonl", STREAM)
    assert run("--file", str(path), *argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--file", str(tmp_path / "missing.jsonl")) == 2
    assert f"cannot read {tmp_path / 'missing.jsonl'}: No such file or directory" in capsys.readouterr().err
    assert run("--file", str(tmp_path)) == 2


def test_undecodable_lines_are_counted_and_skipped(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = write_stream(tmp_path / "in.jsonl", STREAM, extra=("not json at all", '{"signal_id": 7}', ""))
    assert run("--file", str(path), "--format", "csv") == 0
    out, err = capsys.readouterr()
    assert csv_cells(out)["month", "total"] == "60"
    assert "skipped line 6: MalformedPayload" in err and "skipped line 7: SchemaViolation" in err
    assert "70 records read, 2 undecodable (skipped)" in err
    assert "not json at all" not in err


def test_topic_is_read_once_and_bad_records_are_skipped(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    encoded = [CODEC.encode(s, source="/hotline/triage") for s in STREAM]
    triaged = Topic.SIGNALS_TRIAGED
    records = [BrokerRecord(triaged, 0, i, r.key, r.value, r.headers, timestamp_ms=0)
               for i, r in enumerate(encoded)]
    records.insert(3, BrokerRecord(triaged, 0, 999, None, b"{}", encoded[0].headers, timestamp_ms=0))
    asked: list[Topic] = []

    async def read_whole_topic(settings: object, topic: Topic, **_: object) -> list[BrokerRecord]:
        asked.append(topic)
        return records

    monkeypatch.setattr("services.runtime.topic_reader.read_whole_topic", read_whole_topic)
    assert run("--topic", "--format", "csv") == 0
    out, err = capsys.readouterr()
    assert asked == [Topic.SIGNALS_TRIAGED]
    assert csv_cells(out)["channel", "phone"] == "38"
    assert "skipped partition 0 offset 999: SchemaViolation" in err and "1 undecodable" in err


def test_broker_unavailable_exits_69_as_every_command_does(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from services.runtime import BrokerUnavailable

    async def read_whole_topic(settings: object, topic: Topic, **_: object) -> list[BrokerRecord]:
        raise BrokerUnavailable("cannot reach Kafka (KafkaConnectionError)")

    monkeypatch.setattr("services.runtime.topic_reader.read_whole_topic", read_whole_topic)
    assert run("--topic") == 69  # EX_UNAVAILABLE, as hotline-ops status and hotline-review say it
    assert "cannot read signals.triaged: cannot reach Kafka" in capsys.readouterr().err
