"""Reporting and referral protocols as data: the format, the loader's problems, coverage, HSDS, the CLI."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest

import services.reporting.protocols as protocols_api
from contracts.events import ReportNeed
from services.reporting.cli import main
from services.reporting.protocols import (
    AvailabilityMode,
    ProtocolsInvalid,
    Severity,
    WeeklyAvailability,
    load_directory,
    load_protocols,
)
from services.reporting.protocols.availability import available_at, in_business_hours, serves
from services.reporting.protocols.coverage import coverage, render_text
from services.reporting.protocols.durations import format_duration, parse_duration
from services.reporting.protocols.hsds import export_hsds, import_hsds, protocol_yaml
from services.reporting.protocols.model import Region
from services.reporting.protocols.schema import SCHEMA_PATH, schema_text
from services.reporting.protocols.yaml_lines import parse

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "protocols"
FIXTURES = ROOT / "tests" / "fixtures" / "protocols"
BROKEN = FIXTURES / "broken"
TODAY = date(2026, 11, 23)
_EXPECT = re.compile(r"#\s*expect:\s*(error|warning):\s*(.+?)\s*$")

# One fixture per kind of broken file the loader documents.
KINDS = ["bad_boolean", "bad_channel", "bad_duration", "duplicate_contact", "duplicate_key", "file_name",
         "stale_contact", "unavailable_chain", "unknown_contact", "unknown_key", "unknown_timezone",
         "unknown_weekday", "unreachable_cell", "window_end_before_start", "yaml_syntax"]


# ---------------------------------------------------------------- the shipped examples


def test_the_shipped_examples_validate_clean() -> None:
    result = load_directory(SHIPPED, today=TODAY)
    assert [str(p) for p in result.problems] == []
    assert result.files == 4
    assert [p.key for p in result.protocols] == ["US", "US-CA", "US-TX", "US-TX-houston"]


def test_the_shipped_examples_are_fake() -> None:
    for path in SHIPPED.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        numbers = re.findall(r"\+1 \d{3} (\d{3}) (\d{4})", text)
        assert numbers, path
        assert all(exchange == "555" and line.startswith("01") for exchange, line in numbers), path
        for domain in re.findall(r"@([\w.-]+)|https://([\w.-]+)", text):
            host = "".join(domain)
            assert host.endswith(("example.org", "example.gov")), (path, host)


def test_validate_exits_0_on_the_shipped_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(SHIPPED), "--today", TODAY.isoformat()]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "4 file(s): 0 error(s), 0 warning(s)" in captured.err


# ---------------------------------------------------------------- broken files


def _expected(path: Path) -> set[tuple[int, Severity, str]]:
    found = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = _EXPECT.search(line)
        if match:
            found.add((number, Severity(match[1]), match[2]))
    return found


def test_every_documented_kind_of_broken_file_has_a_fixture() -> None:
    assert sorted(p.name for p in BROKEN.iterdir() if p.is_dir()) == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_a_broken_file_is_reported_with_its_file_line_and_problem(kind: str) -> None:
    path = BROKEN / kind / "US.yaml"
    expected = _expected(path)
    assert expected, f"{path} marks no expected problem"
    result = load_directory(path.parent, today=TODAY)
    # Exactly the marked lines, at the marked severity, each naming its file and saying what is wrong.
    assert {(p.line, p.severity) for p in result.problems} == {(line, sev) for line, sev, _ in expected}
    for line, severity, words in expected:
        [problem] = [p for p in result.problems if (p.line, p.severity) == (line, severity)]
        assert words in problem.message
        assert str(problem).startswith(f"{path}:{line}: {severity}: ")


def test_validate_prints_one_line_per_problem_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(BROKEN / "unknown_contact"), "--today", TODAY.isoformat()]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{BROKEN / 'unknown_contact' / 'US.yaml'}:18: error: unknown contact 'det-nobody' "
                   "(not defined in US.yaml)"]


def test_stale_contacts_are_warnings_and_max_age_is_configurable(capsys: pytest.CaptureFixture[str]) -> None:
    stale = str(BROKEN / "stale_contact")
    assert main(["validate", stale, "--today", TODAY.isoformat()]) == 0
    assert ": warning: contact 'dispatch' was last verified on 2025-01-15" in capsys.readouterr().out
    assert main(["validate", stale, "--today", TODAY.isoformat(), "--strict"]) == 1
    capsys.readouterr()
    assert main(["validate", stale, "--today", TODAY.isoformat(), "--max-age", "730d"]) == 0
    assert capsys.readouterr().out == ""


def test_load_protocols_refuses_a_directory_with_errors() -> None:
    with pytest.raises(ProtocolsInvalid) as raised:
        load_protocols(BROKEN / "unknown_contact", today=TODAY)
    assert [p.line for p in raised.value.problems] == [18]


def test_a_file_that_is_not_a_mapping_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "US.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    [problem] = load_directory(tmp_path, today=TODAY).problems
    assert (problem.line, problem.severity) == (1, Severity.ERROR)
    assert "mapping of region, contacts" in problem.message


# ---------------------------------------------------------------- the format's parts


def test_yaml_keeps_times_country_codes_and_leading_zeros_as_text() -> None:
    document = parse("start: 17:00\ncountry: NO\nflag: on\nnumber: 0101\nreal: true\nwhen: 2026-01-02\n")
    assert document.data == {"start": "17:00", "country": "NO", "flag": "on", "number": "0101", "real": True,
                             "when": date(2026, 1, 2)}
    assert document.lines[("number",)] == 4


@pytest.mark.parametrize(("text", "expected"), [
    ("15m", timedelta(minutes=15)), ("2h", timedelta(hours=2)), ("1h30m", timedelta(minutes=90)),
    ("180d", timedelta(days=180)), ("45s", timedelta(seconds=45)),
])
def test_durations_parse_and_format_back(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected
    assert format_duration(expected) == text


@pytest.mark.parametrize("text", ["", "15", "15x", "m15", "0m", "1.5h"])
def test_durations_that_do_not_parse_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_availability_against_the_hotline_business_hours() -> None:
    assert serves(AvailabilityMode.ALWAYS, True) and serves(AvailabilityMode.ALWAYS, False)
    assert serves(AvailabilityMode.BUSINESS_HOURS_ONLY, True)
    assert not serves(AvailabilityMode.BUSINESS_HOURS_ONLY, False)
    assert not serves(AvailabilityMode.AFTER_HOURS_ONLY, True)
    day_shift = WeeklyAvailability.model_validate({"timezone": "America/Chicago", "windows": [
        {"days": ["mon", "fri"], "start": "09:00", "end": "17:00"}]})
    night_shift = WeeklyAvailability.model_validate({"timezone": "America/Los_Angeles", "windows": [
        {"days": ["sat"], "start": "20:00", "end": "24:00"}]})
    assert serves(day_shift, True) and not serves(day_shift, False)  # 10:00-18:00 Eastern
    assert not serves(night_shift, True) and serves(night_shift, False)
    chicago = ZoneInfo("America/Chicago")
    assert available_at(day_shift, datetime(2026, 11, 23, 9, 30, tzinfo=chicago))  # a Monday
    assert not available_at(day_shift, datetime(2026, 11, 24, 9, 30, tzinfo=chicago))  # Tuesday


@pytest.mark.parametrize(("moment", "in_hours"), [
    (datetime(2026, 3, 16, 8, 59), False), (datetime(2026, 3, 16, 9, 0), True),  # a Monday in New York
    (datetime(2026, 3, 16, 18, 59), True), (datetime(2026, 3, 16, 19, 0), False),
    (datetime(2026, 3, 14, 12, 0), False),  # a Saturday
    (datetime(2026, 11, 26, 12, 0), False),  # Thanksgiving
    (datetime(2026, 7, 3, 12, 0), False),  # Independence Day falls on a Saturday: observed on Friday
    (datetime(2026, 7, 6, 12, 0), True),
])
def test_named_modes_are_read_at_a_moment_with_the_hotlines_zone_and_holidays(
    moment: datetime, in_hours: bool
) -> None:
    eastern = moment.replace(tzinfo=ZoneInfo("America/New_York"))
    assert in_business_hours(eastern) is in_hours
    assert in_business_hours(eastern.astimezone(ZoneInfo("America/Los_Angeles"))) is in_hours
    assert available_at(AvailabilityMode.BUSINESS_HOURS_ONLY, eastern) is in_hours
    assert available_at(AvailabilityMode.AFTER_HOURS_ONLY, eastern) is not in_hours
    assert available_at(AvailabilityMode.ALWAYS, eastern)


@pytest.mark.parametrize(("fields", "key", "label"), [
    ({"country": "US"}, "US", "US"),
    ({"country": "US", "state": "TX"}, "US-TX", "TX, US"),
    ({"country": "US", "state": "MO", "city": "St. Louis"}, "US-MO-st-louis", "St. Louis, MO, US"),
    ({"country": "US", "state": "TX", "county": "Harris County"}, "US-TX-harris-county",
     "Harris County, TX, US"),
])
def test_a_region_key_is_its_file_name(fields: dict[str, str], key: str, label: str) -> None:
    region = Region.model_validate(fields)
    assert (region.key, region.label) == (key, label)


@pytest.mark.parametrize(("fields", "words"), [
    ({"country": "US", "state": "TX", "city": "Houston", "county": "Harris"}, "not both"),
    ({"country": "US", "city": "Houston"}, "needs its state"),
    ({"country": "US", "state": "TX", "covers": ["Pasadena"]}, "only a city or county"),
])
def test_a_region_is_one_level(fields: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        Region.model_validate(fields)


def test_the_committed_schema_is_the_one_the_models_generate() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "the protocol models changed: run `hotline-protocols schema --write` and commit the schema")


def test_the_committed_schema_accepts_the_examples_and_names_a_broken_key() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    for path in SHIPPED.glob("*.yaml"):
        data = json.loads(json.dumps(parse(path.read_text(encoding="utf-8")).data, default=str))
        assert list(validator.iter_errors(data)) == [], path
    broken = json.loads(json.dumps(parse((BROKEN / "unknown_key" / "US.yaml").read_text()).data, default=str))
    assert any("organization" in error.message for error in validator.iter_errors(broken))


def test_the_public_surface_is_pinned() -> None:
    assert sorted(protocols_api.__all__) == sorted([
        "DEFAULT_MAX_AGE", "AvailabilityMode", "Cell", "Contact", "ContactKind", "EmailChannel",
        "LoadResult", "LoadedProtocol", "MandatoryReport", "Matrix", "PhoneChannel", "Problem",
        "ProtocolError", "ProtocolFile", "ProtocolSet", "ProtocolsInvalid", "Region", "Severity", "Situation",
        "Step", "WebhookChannel", "WeeklyAvailability", "When", "Window", "load_directory", "load_protocols"])
    for name in protocols_api.__all__:
        assert hasattr(protocols_api, name)


def test_the_matrix_rows_are_the_report_needs() -> None:
    from services.reporting.protocols.model import Matrix
    assert list(Matrix.model_fields) == [need.value for need in ReportNeed]


# ---------------------------------------------------------------- coverage


def test_coverage_counts_empty_and_thin_cells_per_region() -> None:
    result = load_directory(FIXTURES / "coverage", today=TODAY)
    assert result.errors == ()
    regions = {r.key: r for r in coverage(result.protocols)}
    assert set(regions) == {"US", "US-TX-austin"}

    def counts(key: str, need: ReportNeed) -> tuple[int, int, int, int]:
        [found] = [n for n in regions[key].needs if n.need is need]
        return found.count("ok"), found.count("thin"), found.count("empty"), found.own

    # (ok, thin, empty, answered by the region's own file), out of 64 situations: see the fixture's comments.
    assert counts("US", ReportNeed.TIP_REPORTING) == (64, 0, 0, 64)
    assert counts("US", ReportNeed.VICTIM_EXTRACTION) == (0, 32, 32, 32)
    assert counts("US", ReportNeed.CASE_MANAGEMENT) == (0, 32, 32, 32)
    assert counts("US", ReportNeed.SHELTER_EMERGENCY) == (0, 0, 64, 0)
    assert counts("US-TX-austin", ReportNeed.TIP_REPORTING) == (64, 0, 0, 0)
    assert counts("US-TX-austin", ReportNeed.VICTIM_EXTRACTION) == (32, 32, 0, 32)
    assert counts("US-TX-austin", ReportNeed.CASE_MANAGEMENT) == (0, 32, 32, 0)
    [austin_extraction] = [n for n in regions["US-TX-austin"].needs if n.need is ReportNeed.VICTIM_EXTRACTION]
    by_column = dict(zip(["urgent", "non-urgent", "business hours", "after hours", "foreign national",
                          "US citizen", "minor", "adult", "male", "female", "labor", "sex"],
                         austin_extraction.by_column(), strict=True))
    assert by_column["minor"] == (32, 32) and by_column["adult"] == (0, 32)  # only the minors are thin
    assert by_column["labor"] == (16, 32)
    thin = next(s for s in austin_extraction.situations if s.status == "thin")
    assert thin.reasons == ("one contact", "one channel") and not thin.own
    text = render_text(list(regions.values()))
    assert re.search(r"US-TX-austin .*falls back to US", text)
    assert re.search(r"victim_extraction_le_intervention\s+32\s+32\s+0\s+32\s", text)


def test_coverage_command_prints_the_table_and_writes_heatmaps(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", str(FIXTURES / "coverage"), "--out", str(tmp_path),
                 "--today", TODAY.isoformat()]) == 0
    assert "tip_reporting" in capsys.readouterr().out
    for key in ("US", "US-TX-austin"):
        assert (tmp_path / f"coverage-{key}.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


# ---------------------------------------------------------------- HSDS


def test_hsds_export_then_import_keeps_contacts_and_channels() -> None:
    protocols = load_protocols(SHIPPED, today=TODAY)
    document = json.loads(json.dumps(export_hsds(protocols)))
    imported = import_hsds(document, default_region=Region(country="US"))
    assert imported.skipped == []
    back = {f.region.key: f for f in imported.files}
    assert set(back) == {p.key for p in protocols}
    for loaded in protocols:
        assert back[loaded.key].region == loaded.protocol.region
        assert back[loaded.key].contacts == loaded.protocol.contacts  # channels, order and labels included


def test_hsds_export_uses_hsds_3_fields() -> None:
    document = export_hsds(load_protocols(SHIPPED, today=TODAY))
    assert document["total_items"] == len(document["contents"]) == 23
    service = next(s for s in document["contents"] if s["name"] == "Det. Jane Smith")
    assert {"id", "name", "status"} <= set(service) and service["status"] == "active"
    assert service["organization"]["name"] == "Example Houston Police Department"
    assert {"id", "name", "description"} <= set(service["organization"])
    assert service["assured_date"] == "2026-11-02"
    [person] = service["contacts"]
    assert (person["name"], person["title"], person["email"]) == (
        "Det. Jane Smith", "Detective, Vice Division", "j.smith@hpd.example.gov")
    assert [(p["number"], p["description"]) for p in person["phones"]] == [("+1 713 555 0130", "desk")]
    assert service["schedules"][0] | {"id": None, "service_id": None} == {
        "id": None, "service_id": None, "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "09:00",
        "closes_at": "19:00", "description": "the hotline's business hours",
        "notes": "time zone: America/New_York"}
    assert service["service_areas"][0]["name"] == "Houston, TX, US"


def test_hsds_import_of_plain_data_takes_the_standard_fields() -> None:
    plain = {"contents": [
        {"id": "0f0e6b3e-1c1a-4f7b-9d55-2d7f4c1b9a01", "name": "Safe House Intake", "status": "active",
         "email": "intake@safehouse.example.org", "assured_date": "2026-10-01",
         "organization": {"id": "x", "name": "Example Safe House", "description": "shelter"},
         "contacts": [{"id": "c", "name": "Ana Ruiz", "title": "Intake lead",
                       "phones": [{"id": "p", "number": "+1 305 555 0170", "description": "24/7"}]}],
         "schedules": [{"id": "s", "freq": "WEEKLY", "byday": "MO,TU", "opens_at": "08:00:00",
                        "closes_at": "16:00:00", "timezone": -5}],
         "languages": [{"id": "l", "code": "es"}]},
        {"id": "0f0e6b3e-1c1a-4f7b-9d55-2d7f4c1b9a02", "name": "Closed", "status": "defunct"},
    ]}
    imported = import_hsds(plain, default_region=Region(country="US", state="FL"))
    [file] = imported.files
    [contact] = file.contacts
    assert file.region.key == "US-FL"
    assert (contact.id, contact.name, contact.title, contact.organisation) == (
        "safe-house-intake-0f0e6b3e", "Ana Ruiz", "Intake lead", "Example Safe House")
    assert [c.model_dump(exclude_none=True) for c in contact.channels] == [
        {"type": "phone", "number": "+1 305 555 0170", "label": "24/7"},
        {"type": "email", "address": "intake@safehouse.example.org"}]
    assert contact.availability == WeeklyAvailability.model_validate(
        {"timezone": "Etc/GMT+5", "windows": [{"days": ["mon", "tue"], "start": "08:00", "end": "16:00"}]})
    assert contact.languages == ["es"] and contact.kind.value == "service_provider"
    assert imported.skipped == ["service 0f0e6b3e-1c1a-4f7b-9d55-2d7f4c1b9a02 (Closed): status is 'defunct'"]


def test_hsds_commands_round_trip_through_files(tmp_path: Path) -> None:
    exported = tmp_path / "directory.json"
    assert main(["hsds", "export", str(SHIPPED), "--out", str(exported)]) == 0
    out = tmp_path / "imported"
    assert main(["hsds", "import", str(exported), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in SHIPPED.glob("*.yaml"))
    again = load_directory(out, today=TODAY)
    assert again.errors == ()  # contacts only: every contact is unused until chains are added
    assert {p.message.split("'")[1] for p in again.warnings} == {
        c.id for p in load_protocols(SHIPPED, today=TODAY) for c in p.protocol.contacts}
    with pytest.raises(SystemExit, match="would overwrite"):
        main(["hsds", "import", str(exported), "--out", str(out)])
    assert main(["hsds", "import", str(exported), "--out", str(out), "--force"]) == 0


def test_protocol_yaml_reads_back_the_same_file() -> None:
    for loaded in load_protocols(SHIPPED, today=TODAY):
        from services.reporting.protocols.model import ProtocolFile
        assert ProtocolFile.model_validate(parse(protocol_yaml(loaded.protocol)).data) == loaded.protocol
