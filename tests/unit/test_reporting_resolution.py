"""Resolution per victim: region fallback, one lookup per victim's situation, mandatory reports for minors."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from contracts.events import (
    AgeRange,
    Gender,
    Jurisdiction,
    Nationality,
    ReportConditions,
    ReportNeed,
    ReportRequested,
    TraffickingType,
    Victim,
)
from services.reporting.cli import main
from services.reporting.protocols import ProtocolSet, Severity, load_directory, load_protocols
from services.reporting.resolution import Lookup, VictimProfile, resolve, resolve_request

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "protocols"
TODAY = date(2026, 11, 23)
HOUSTON = Jurisdiction(state="TX", city="Houston", origin="declared")
CENTRAL = ZoneInfo("America/Chicago")


@pytest.fixture(scope="module")
def protocols() -> ProtocolSet:
    return load_protocols(SHIPPED, today=TODAY)


def _conditions(*, urgent: bool = True, business_hours: bool = True, minor: bool = False,
                foreign_national: bool | None = None,
                trafficking_type: TraffickingType = TraffickingType.UNKNOWN) -> ReportConditions:
    return ReportConditions(urgent=urgent, business_hours=business_hours, minor=minor,
                            foreign_national=foreign_national, trafficking_type=trafficking_type)


def _ids(lookup: Lookup) -> list[str]:
    return [step.contact.id for step in lookup.chain]


def _where(lookup: Lookup) -> tuple[str, int] | None:
    return (lookup.source.region, lookup.source.cell) if lookup.source else None


# ---------------------------------------------------------------- region fallback


def test_a_city_cell_answers_first_like_seed_000(protocols: ProtocolSet) -> None:
    adult = Victim(age=30)
    resolution = resolve(protocols, need=ReportNeed.VICTIM_EXTRACTION, conditions=_conditions(),
                         jurisdiction=HOUSTON, victims=[adult])
    assert resolution.regions == ("US-TX-houston", "US-TX", "US")
    [lookup] = resolution.lookups
    assert _where(lookup) == ("US-TX-houston", 1)
    # "Call Det. Jane Smith; if unable to reach, call Det. John Anderson; if unable to reach, call dispatch"
    assert _ids(lookup) == ["hou-det-smith", "hou-det-anderson", "hou-dispatch"]
    assert [step.wait for step in lookup.chain] == [timedelta(minutes=15), timedelta(minutes=15),
                                                    timedelta(minutes=10)]
    assert lookup.chain[0].contact.channels[0].model_dump() == {
        "type": "phone", "number": "+1 713 555 0130", "label": "desk"}
    assert lookup.source is not None and lookup.source.file.endswith("US-TX-houston.yaml")
    assert lookup.source.line == 114  # the cell's "- when: {minor: false}"


def test_a_need_the_city_lacks_falls_back_to_the_state_then_the_nation(protocols: ProtocolSet) -> None:
    def source(need: ReportNeed, **conditions: bool) -> tuple[str, int] | None:
        [lookup] = resolve(protocols, need=need, conditions=_conditions(**conditions),
                           jurisdiction=HOUSTON).lookups
        return _where(lookup)

    assert source(ReportNeed.TIP_REPORTING) == ("US-TX-houston", 0)  # the city's adult cell
    assert source(ReportNeed.TIP_REPORTING, minor=True) == ("US-TX", 0)  # the city has no minor cell
    assert source(ReportNeed.LEGAL_SERVICES) == ("US", 0)  # neither the city nor the state has one


def test_cities_without_a_file_use_the_state_and_covered_cities_the_city_file(protocols: ProtocolSet) -> None:
    dallas = resolve(protocols, need=ReportNeed.VICTIM_EXTRACTION, conditions=_conditions(),
                     jurisdiction=Jurisdiction(state="TX", city="Dallas"))
    assert dallas.regions == ("US-TX", "US")
    assert _where(dallas.lookups[0]) == ("US-TX", 2)
    pasadena = resolve(protocols, need=ReportNeed.VICTIM_EXTRACTION, conditions=_conditions(),
                       jurisdiction=Jurisdiction(state="TX", city="pasadena"))
    assert pasadena.regions == ("US-TX-houston", "US-TX", "US")
    nowhere = resolve(protocols, need=ReportNeed.VICTIM_EXTRACTION, conditions=_conditions(),
                      jurisdiction=Jurisdiction())
    assert nowhere.regions == ("US",)


def test_without_any_protocol_the_lookup_says_nobody_is_reached(protocols: ProtocolSet) -> None:
    resolution = resolve(protocols, need=ReportNeed.TIP_REPORTING, conditions=_conditions(),
                         jurisdiction=Jurisdiction(country="MX"))
    assert resolution.regions == ()
    [lookup] = resolution.lookups
    assert lookup.source is None and lookup.chain == ()


# ---------------------------------------------------------------- per-victim fan-out


def test_each_victim_gets_the_chain_for_their_own_situation(protocols: ProtocolSet) -> None:
    # The example: an adult man in labor trafficking and a foreign-national girl in sex trafficking.
    man = VictimProfile.from_victim(Victim(age=41, gender=Gender.MALE, nationality=Nationality.US_CITIZEN),
                                    trafficking_type="labor")
    girl = VictimProfile.from_victim(Victim(age=15, gender=Gender.FEMALE,
                                            nationality=Nationality.FOREIGN_NATIONAL), trafficking_type="sex")
    resolution = resolve(protocols, need=ReportNeed.CASE_MANAGEMENT,
                         conditions=_conditions(minor=True, trafficking_type=TraffickingType.BOTH),
                         jurisdiction=HOUSTON, victims=[man, girl])
    first, second = resolution.lookups
    assert (first.victims, second.victims) == ((0,), (1,))
    assert first.situation.model_dump() == {"urgent": True, "business_hours": True, "minor": False,
                                            "foreign_national": False, "gender": "male",
                                            "trafficking_type": "labor"}
    assert second.situation.model_dump() == {"urgent": True, "business_hours": True, "minor": True,
                                             "foreign_national": True, "gender": "female",
                                             "trafficking_type": "sex"}
    assert _where(first) == ("US-TX-houston", 3) and _ids(first) == ["hou-mary-lee", "hou-sample-org-hotline"]
    assert _where(second) == ("US-TX-houston", 0) and _ids(second) == ["hou-sara-snow", "hou-youth-on-call"]
    assert {o.id: o.victims for o in resolution.obligations} == {"ncmec-minor": (1,), "fbi-minor": (1,)}


def test_declared_victims_take_minor_gender_and_nationality_from_the_contract(protocols: ProtocolSet) -> None:
    victims = [Victim(age=34, gender=Gender.MALE, nationality=Nationality.US_CITIZEN),
               Victim(age_range=AgeRange(low=14, high=19), gender=Gender.FEMALE,
                      nationality=Nationality.FOREIGN_NATIONAL),
               Victim(count=3, age=38, gender=Gender.MALE, nationality=Nationality.US_CITIZEN)]
    resolution = resolve(protocols, need=ReportNeed.VICTIM_EXTRACTION, conditions=_conditions(),
                         jurisdiction=HOUSTON, victims=victims)
    adults, girl = resolution.lookups
    assert adults.victims == (0, 2)  # the same situation: one lookup, one chain
    assert (girl.situation.minor, girl.situation.gender, girl.situation.foreign_national) == (
        True, "female", True)
    assert _ids(girl) == ["tx-fbi-sa-wright", "tx-victim-specialist-hill"]  # the state's contacts, by id
    assert [step.region for step in girl.chain] == ["US-TX", "US-TX"]


def test_unknown_facts_come_from_the_request_conditions() -> None:
    profile = VictimProfile.from_victim(Victim(gender=Gender.NON_BINARY))
    assert profile == VictimProfile()
    assert VictimProfile.from_victim(Victim(age_range=AgeRange(low=18, high=25))).minor is False
    from services.reporting.resolution import situation_for
    situation = situation_for(profile, _conditions(minor=True, foreign_national=True,
                                                   trafficking_type=TraffickingType.SEX))
    assert (situation.minor, situation.foreign_national, situation.gender, situation.trafficking_type) == (
        True, True, None, "sex")
    unknown = situation_for(profile, _conditions(trafficking_type=TraffickingType.UNKNOWN))
    assert unknown.trafficking_type is None


# ---------------------------------------------------------------- mandatory reports


def test_a_minor_brings_the_ncmec_and_fbi_reports(protocols: ProtocolSet) -> None:
    at = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    resolution = resolve(protocols, need=ReportNeed.SHELTER_EMERGENCY, conditions=_conditions(),
                         jurisdiction=HOUSTON, victims=[Victim(age=16), Victim(age=29)], at=at)
    ncmec, fbi = resolution.obligations
    assert (ncmec.id, ncmec.contact_id, ncmec.victims) == ("ncmec-minor", "ncmec-cybertipline", (0,))
    assert (fbi.id, fbi.contact_id, fbi.victims) == ("fbi-minor", "fbi-tips", (0,))
    assert ncmec.within == timedelta(hours=24) and ncmec.due_at == at + timedelta(hours=24)
    assert ncmec.contact is not None and ncmec.contact.channels[0].type == "webhook"
    assert ncmec.source.region == "US" and ncmec.source.file.endswith("US.yaml")


def test_adults_bring_no_mandatory_report(protocols: ProtocolSet) -> None:
    resolution = resolve(protocols, need=ReportNeed.TIP_REPORTING, conditions=_conditions(),
                         jurisdiction=HOUSTON, victims=[Victim(age=29), Victim(age=45)])
    assert resolution.obligations == ()


def test_a_minor_found_by_triage_but_not_declared_still_counts(protocols: ProtocolSet) -> None:
    resolution = resolve(protocols, need=ReportNeed.VICTIM_EXTRACTION, conditions=_conditions(minor=True),
                         jurisdiction=HOUSTON, victims=[Victim(age=45, gender=Gender.MALE)])
    adult, undeclared = resolution.lookups
    assert adult.victims == (0,) and not adult.situation.minor
    assert undeclared.victims == () and undeclared.situation.minor
    assert _ids(undeclared) == ["tx-fbi-sa-wright", "tx-victim-specialist-hill"]
    assert [(o.id, o.victims) for o in resolution.obligations] == [("ncmec-minor", ()), ("fbi-minor", ())]


def test_the_golden_break_glass_request_resolves(protocols: ProtocolSet) -> None:
    golden = ROOT / "contracts" / "examples" / "org.hotline.report.requested.v1.json"
    request = ReportRequested.model_validate(json.loads(golden.read_text(encoding="utf-8"))["value"])
    resolution = resolve_request(protocols, request)
    [lookup] = resolution.lookups  # Dallas, after hours, a minor, no declared victim
    assert _where(lookup) == ("US-TX", 0)
    assert _ids(lookup) == ["tx-fbi-after-hours", "fbi-tips"]
    assert {o.id for o in resolution.obligations} == {"ncmec-minor", "fbi-minor"}
    assert all(o.due_at == request.requested_at + timedelta(hours=24) for o in resolution.obligations)
    assert json.loads(resolution.model_dump_json())["lookups"][0]["chain"][0]["wait"] == "15m"


def test_a_request_that_skips_mandatory_reports_makes_none_and_notify_or_none_makes_them(
        protocols: ProtocolSet) -> None:
    # A minor's case: review owes NCMEC and the FBI once; a shelter referral or a second report
    # on the case says "skip" and must not notify them again.
    golden = ROOT / "contracts" / "examples" / "org.hotline.report.requested.v1.json"
    request = ReportRequested.model_validate(json.loads(golden.read_text(encoding="utf-8"))["value"])
    expected = {"ncmec-minor", "fbi-minor"}
    for mode in (None, "notify"):
        resolution = resolve_request(protocols, request.model_copy(update={"mandatory_reports": mode}))
        assert {o.id for o in resolution.obligations} == expected
    for need in (ReportNeed.VICTIM_EXTRACTION, ReportNeed.SHELTER_EMERGENCY):
        skipped = resolve_request(protocols, request.model_copy(update={"mandatory_reports": "skip",
                                                                        "need": need}))
        assert skipped.obligations == () and skipped.lookups  # the report's own chain still goes


def test_review_counts_the_mandatory_report_deadline_as_the_shipped_protocols_do() -> None:
    # Review cannot read the protocols (services never import each other); its setting's default
    # must not be later than the shortest deadline the shipped files give a mandatory report.
    from services.review.config import ReviewSettings

    shipped = load_protocols(SHIPPED, today=TODAY)
    withins = [report.within for loaded in shipped for report in loaded.protocol.mandatory_reports]
    assert withins, "the shipped protocols name mandatory reports"
    default = ReviewSettings.model_fields["mandatory_report_hours"].default
    assert timedelta(hours=default) == min(withins)


# ---------------------------------------------------------------- availability


def test_after_hours_only_contacts_are_not_chosen_in_business_hours(protocols: ProtocolSet) -> None:
    dallas = Jurisdiction(state="TX", city="Dallas")
    need = ReportNeed.VICTIM_EXTRACTION
    day = resolve(protocols, need=need, conditions=_conditions(business_hours=True), jurisdiction=dallas)
    night = resolve(protocols, need=need, conditions=_conditions(business_hours=False), jurisdiction=dallas)
    assert "tx-fbi-after-hours" not in _ids(day.lookups[0])
    assert _ids(day.lookups[0]) == ["tx-dps-ht-unit", "fbi-tips"]
    assert _ids(night.lookups[0]) == ["tx-fbi-after-hours", "fbi-tips"]


def test_an_unavailable_step_is_skipped_and_flagged(tmp_path: Path) -> None:
    (tmp_path / "US.yaml").write_text("""\
version: 1
region: {country: US}
contacts:
  - {id: night-agent, name: Night agent, organisation: Example Agency, kind: federal_agency,
     channels: [{type: phone, number: "+1 202 555 0180"}, {type: email, address: night@example.gov}],
     availability: after_hours_only, last_verified: 2026-11-01}
  - {id: dispatch, name: Dispatch, organisation: Example Police, kind: law_enforcement,
     channels: [{type: phone, number: "+1 202 555 0181"}, {type: email, address: dispatch@example.gov}],
     availability: always, last_verified: 2026-11-01}
matrix:
  victim_extraction_le_intervention:
    - when: {business_hours: true}
      chain:
        - {contact: night-agent, wait: 15m}
        - {contact: dispatch, wait: 15m}
""", encoding="utf-8")
    result = load_directory(tmp_path, today=TODAY)
    [warning] = result.problems
    assert (warning.severity, warning.line) == (Severity.WARNING, 14)
    assert "night-agent (after_hours_only) is never reached in this cell (in business hours)" in (
        warning.message)
    [lookup] = resolve(result.protocols, need=ReportNeed.VICTIM_EXTRACTION, conditions=_conditions(),
                       jurisdiction=Jurisdiction()).lookups
    assert _ids(lookup) == ["dispatch"]
    assert [(s.contact_id, s.reason) for s in lookup.skipped] == [
        ("night-agent", "not available in business hours")]


def test_a_cell_that_reaches_nobody_at_that_moment_is_passed_over(protocols: ProtocolSet) -> None:
    sunday_3am = datetime(2026, 11, 22, 3, 0, tzinfo=CENTRAL)
    [lookup] = resolve(protocols, need=ReportNeed.TIP_REPORTING, conditions=_conditions(business_hours=False),
                       jurisdiction=HOUSTON, victims=[Victim(age=30)], at=sunday_3am).lookups
    # Det. Smith works business hours and Det. Anderson's shift has not started: on to the state file.
    assert [(p.region, p.cell) for p in lookup.passed_over] == [("US-TX-houston", 0)]
    assert _where(lookup) == ("US-TX", 1) and _ids(lookup) == ["fbi-tips"]
    assert [s.contact_id for s in lookup.skipped] == ["tx-dps-ht-unit"]
    evening = datetime(2026, 11, 23, 20, 0, tzinfo=CENTRAL)
    [later] = resolve(protocols, need=ReportNeed.TIP_REPORTING, conditions=_conditions(business_hours=False),
                      jurisdiction=HOUSTON, victims=[Victim(age=30)], at=evening).lookups
    assert _where(later) == ("US-TX-houston", 0) and _ids(later) == ["hou-det-anderson"]


# ---------------------------------------------------------------- the command


def test_resolve_command_prints_chains_and_mandatory_reports(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resolve", str(SHIPPED), "--today", TODAY.isoformat(), "--need", "case_management",
                 "--state", "TX", "--city", "Houston", "--type", "both",
                 "--victim", "age=41,gender=male,nationality=us_citizen",
                 "--victim", "age=15,gender=female,nationality=foreign_national"]) == 0
    out = capsys.readouterr().out
    assert "case_management in US-TX-houston > US-TX > US" in out
    assert "- victim 2: " in out
    assert "1. Sara Snow, Example Houston Youth Services [phone, email]; wait 30m" in out
    assert "- mandatory: ncmec-minor to ncmec-cybertipline within 1d" in out
