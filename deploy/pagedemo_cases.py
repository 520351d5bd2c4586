"""The demo pages' fictitious cases: the region protocol, the signals and their triage (555 numbers,
example.org and example.gov addresses only)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, Final

from contracts import signal_id_for
from contracts.events import (
    AgeRange,
    Answer,
    CallType,
    Channel,
    ContactDetails,
    DeclaredFacts,
    DeclaredTraffickingType,
    Evidence,
    Flag,
    FlagName,
    Gender,
    Jurisdiction,
    Location,
    Nationality,
    PhoneSource,
    Reporter,
    Route,
    RoutingTarget,
    SafeContact,
    SignalReceived,
    SignalTriaged,
    TraffickingType,
    Urgency,
    Victim,
    WebformSource,
)
from contracts.reference_numbers import reference_for

SECRET: Final = b"demo-pages-secret-0123456789abcdef"

# The region protocols of the demo: always-available contacts, so the calls to make are the same
# whatever the hour the pages are built at.
PROTOCOL: Final = """version: 1
region: {{country: US}}
contacts:
  - {{id: hou-det-smith, name: Det. Jane Smith, title: Human trafficking unit,
     organisation: Example Houston Police Department, kind: law_enforcement,
     channels: [{{type: phone, number: "+1 713 555 0130", label: desk}},
                {{type: email, address: j.smith@hpd.example.gov}}],
     availability: always, last_verified: {today}}}
  - {{id: fbi-duty, name: Duty agent, organisation: Example FBI Houston field office, kind: federal_agency,
     channels: [{{type: phone, number: "+1 713 555 0123", label: 24/7 duty phone}}],
     availability: always, last_verified: {today}}}
  - {{id: ncmec-cybertipline, name: CyberTipline, organisation: Example National Center for Missing Children,
     kind: hotline, channels: [{{type: email, address: reports@ncmec.example.org}}],
     availability: always, last_verified: {today}}}
  - {{id: shelter-intake, name: Shelter intake, organisation: Example Houston Safe House,
     kind: service_provider,
     channels: [{{type: phone, number: "+1 713 555 0140", label: intake line}},
                {{type: email, address: intake@safehouse.example.org}}],
     availability: always, last_verified: {today}}}
matrix:
  tip_reporting:
    - chain: [{{contact: hou-det-smith, wait: 30m}}, {{contact: fbi-duty, wait: 30m}}]
  victim_extraction_le_intervention:
    - chain: [{{contact: fbi-duty, wait: 15m}}, {{contact: hou-det-smith, wait: 15m}}]
  shelter_emergency:
    - chain: [{{contact: shelter-intake, wait: 2h}}]
mandatory_reports:
  - id: ncmec-minor
    when: {{minor: true}}
    contact: ncmec-cybertipline
    within: 24h
    basis: Example policy - every situation that may involve a minor is reported.
"""


def _signal(narrative: str, at: datetime, facts: DeclaredFacts, *, phone: bool = False,
            reporter: Reporter | None = None) -> SignalReceived:
    submission = str(uuid.uuid4())
    channel = Channel.PHONE if phone else Channel.WEBFORM
    dedup_key = f"{channel.value}:{submission}"
    signal_id = signal_id_for(channel, dedup_key)
    source: Any = WebformSource(submission_id=submission)
    if phone:
        source = PhoneSource(call_id=f"demo-{submission}", fragment="specialist_report", system="specialist")
    return SignalReceived(signal_id=signal_id, reference_number=reference_for(str(signal_id), SECRET),
                          channel=channel, received_at=at, source=source, dedup_key=dedup_key,
                          narrative=narrative, facts=facts, reporter=reporter or Reporter())


def demo_triage(signal: SignalReceived, urgency: Urgency, at: datetime, deadline: timedelta, *,
            minor: str | None = None, danger: str | None = None, break_glass: bool = False,
            city: str = "Houston") -> SignalTriaged:
    def flag(name: FlagName, words: str | None) -> Flag:
        if words is None or words not in (signal.narrative or ""):
            return Flag(name=name, raised=False)
        start = (signal.narrative or "").index(words)
        return Flag(name=name, raised=True, evidence=[Evidence(
            rule_id=f"{name.value}.text", origin="text", field="narrative", start=start,
            end=start + len(words), matched_text=words)])

    routes = [Route(target=RoutingTarget.SUPERVISOR_QUEUE, reason="substantive")]
    if break_glass:
        routes.append(Route(target=RoutingTarget.LAW_ENFORCEMENT_BREAK_GLASS, reason="imminent_danger"))
    return SignalTriaged(
        signal_id=signal.signal_id, reference_number=signal.reference_number, channel=signal.channel,
        received_at=signal.received_at, triaged_at=at, rules_version="demo",
        flags=[flag(FlagName.MINOR, minor), flag(FlagName.IMMINENT_DANGER, danger)], urgency=urgency,
        call_type=CallType.TIP, trafficking_type=TraffickingType.SEX if minor else TraffickingType.LABOR,
        jurisdiction=Jurisdiction(state="TX", city=city, origin="declared"), business_hours=True,
        sla_due_at=at + deadline, routes=routes)


def demo_signals(now: datetime) -> list[SignalReceived]:
    return [
        _signal("Caller says two girls, about 15, are kept at the Lone Star Motel on Airline Drive. "
                "A man took their phones and they are locked in room 12 tonight.",
                now - timedelta(minutes=40),
                DeclaredFacts(danger_now=Answer.YES, trafficking_type=DeclaredTraffickingType.SEX,
                              call_type=CallType.CRISIS, urgency=Urgency.P1_ACT_NOW,
                              location=Location(state="TX", city="Houston"),
                              victims=[Victim(count=2, age_range=AgeRange(low=14, high=16),
                                              gender=Gender.FEMALE),
                                       Victim(count=1, age=19, gender=Gender.FEMALE,
                                              nationality=Nationality.FOREIGN_NATIONAL)]), phone=True),
        _signal("My neighbour's 16 year old works nights at the nail salon on Elm Street and is never "
                "allowed to leave with her friends.", now - timedelta(minutes=30),
                DeclaredFacts(danger_now=Answer.UNSURE, location=Location(state="TX", city="Houston"),
                              victims=[Victim(age=16, gender=Gender.FEMALE)]),
                # A neighbour who may be called back, safely (the contact task's page).
                reporter=Reporter(anonymous=False, consent_to_contact=True,
                                  contact=ContactDetails(name="Dana Example", phone="+1 713 555 0199"),
                                  safe_contact=SafeContact(safe_times="weekdays after 6pm", text_ok=True,
                                                           instructions="Hang up if a man answers."))),
        _signal("The crew at the packing plant have their passports held by the foreman and sleep in the "
                "warehouse.", now - timedelta(hours=5),
                DeclaredFacts(trafficking_type=DeclaredTraffickingType.LABOR,
                              location=Location(state="TX", city="Austin"),
                              victims=[Victim(count=12, gender=Gender.MALE,
                                              nationality=Nationality.FOREIGN_NATIONAL)])),
        _signal("A teacher asks how to recognise signs of labor trafficking among students' families.",
                now - timedelta(days=1), DeclaredFacts(call_type=CallType.GENERAL_INFO)),
    ]
