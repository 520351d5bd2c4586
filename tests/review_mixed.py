"""A mixed stretch of review's streams, applied one by one and in batches: the two must leave the
same case store (SQLite in the unit tests, PostgreSQL in integration)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from contracts.events import (
    AttachmentRef,
    Evidence,
    Flag,
    FlagName,
    PhoneSource,
    RelatedSignal,
    SignalReceived,
    SignalTriaged,
    Urgency,
    UrgentAlert,
)
from contracts.reference_numbers import reference_for
from services.review.cases import CaseStore, Streamed
from services.review.db import Database
from tests import builders

Phase = tuple[str, list[tuple[str, Streamed]]]  # a topic and its records, in order


def received(**overrides: Any) -> SignalReceived:
    signal = builders.received(**overrides)
    return signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"mixed")})


def triaged_for(signal: SignalReceived, **overrides: Any) -> SignalTriaged:
    return builders.triaged(signal_id=signal.signal_id, reference_number=signal.reference_number,
                            received_at=signal.received_at, **overrides)


def alert_for(signal: SignalReceived, *, minor: bool = False) -> UrgentAlert:
    example = json.loads(Path("contracts/examples/org.hotline.alert.urgent.v1.json").read_text())["value"]
    alert = UrgentAlert.model_validate({**example, "signal_id": str(signal.signal_id),
                                        "reference_number": signal.reference_number})
    return alert.model_copy(update={"reasons": [FlagName.MINOR] if minor else []})


def phases() -> list[Phase]:
    """Before (applied one by one in both stores), then a received batch, a triaged batch and an
    alert batch: new cases, duplicates, redeliveries, signals joining a case stored before and one
    opened earlier in the same batch, a triage that came first (its signal then moves, or, with no
    relatives, stays), links, a
    minor (an obligation opens), urgent and not, attachments."""
    at = builders.T0
    a = received(narrative="Workers locked in at night.")
    call = PhoneSource(call_id="CA555", fragment="call_record", system="twilio")
    record = received(channel="phone", source=call, narrative="", received_at=at + timedelta(minutes=1))
    report = received(channel="phone", narrative="Two people sleep at the shop.",
                      source=call.model_copy(update={"fragment": "specialist_report"}),
                      received_at=at + timedelta(minutes=2))
    late = received(channel="phone", narrative="The caller rang back.",
                    source=call.model_copy(update={"fragment": "specialist_report", "call_id": "CA555"}),
                    received_at=at + timedelta(minutes=3))
    b = received(narrative="A girl, 15, is kept at the motel.", received_at=at + timedelta(minutes=4))
    follow_a = received(narrative="More: the van is white.", received_at=at + timedelta(minutes=5),
                        related=RelatedSignal(relation="follow_up", reference_number=a.reference_number))
    c = received(narrative="The farm on the ridge.", received_at=at + timedelta(minutes=6))
    follow_c = received(narrative="The farm again.", received_at=at + timedelta(minutes=7),
                        related=RelatedSignal(relation="follow_up", signal_id=c.signal_id))
    d = received(narrative="Photos of the van.", received_at=at + timedelta(minutes=8), attachments=[
        AttachmentRef(sha256="ab" * 32, media_type="image/jpeg", size_bytes=2048)])
    unseen = received(narrative="Never arrives here: its triage does.", received_at=at + timedelta(minutes=9))
    stranger = received(narrative="Only its alert arrives.", received_at=at + timedelta(minutes=10))
    solo = received(narrative="Its triage came first; nothing else names it.", received_at=at + timedelta(
        minutes=11), attachments=[AttachmentRef(sha256="cd" * 32, media_type="image/png", size_bytes=512)])
    minor = [Flag(name=FlagName.MINOR, raised=True, evidence=[
        Evidence(rule_id="minor.declared_age", origin="declared", field="facts.victims[0].age")])]
    before: Phase = ("before", [("r-a", a), ("t-a", triaged_for(a)), ("r-record", record),
                                ("t-report", triaged_for(report)), ("t-solo", triaged_for(solo))])
    signals: Phase = ("signals.received", [
        ("r-b", b), ("r-b", b), ("r-a", a), ("r-follow-a", follow_a), ("r-c", c), ("r-follow-c", follow_c),
        ("r-report", report), ("r-late", late), ("r-d", d), ("r-follow-c", follow_c),
        ("r-solo", solo)])
    cases: Phase = ("signals.triaged", [
        ("t-b", triaged_for(b, urgency=Urgency.P1_ACT_NOW, flags=minor)),
        ("t-follow-a", triaged_for(follow_a, urgency=Urgency.P2_SAME_DAY,
                                   linked_signals=[{"signal_id": str(d.signal_id), "shared": ["phone"]}])),
        ("t-b", triaged_for(b, urgency=Urgency.P1_ACT_NOW, flags=minor)),
        ("t-c", triaged_for(c)), ("t-follow-c", triaged_for(follow_c, urgency=Urgency.P2_SAME_DAY)),
        ("t-d", triaged_for(d, linked_signals=[{"signal_id": str(c.signal_id), "shared": ["address"]}])),
        ("t-late", triaged_for(late)), ("t-unseen", triaged_for(unseen)),
        ("t-a-again", triaged_for(a, triaged_at=at + timedelta(minutes=30), urgency=Urgency.P2_SAME_DAY))])
    alerts: Phase = ("alerts.urgent", [("u-b", alert_for(b, minor=True)), ("u-stranger", alert_for(stranger)),
                                       ("u-b", alert_for(b, minor=True))])
    return [before, signals, cases, alerts]


def one_by_one(store: CaseStore, stretch: Sequence[Phase]) -> None:
    for _, records in stretch:
        for event_id, event in records:
            if isinstance(event, SignalReceived):
                store.apply_received(event_id, event)
            elif isinstance(event, SignalTriaged):
                store.apply_triaged(event_id, event)
            else:
                store.apply_alert(event_id, event)


def in_batches(store: CaseStore, stretch: Sequence[Phase]) -> None:
    one_by_one(store, stretch[:1])
    for topic, records in stretch[1:]:
        store.apply_batch(topic, records)


def state(db: Database) -> dict[str, Any]:
    """Everything the streams write, in an order that does not depend on how they were written."""
    queries = {
        "cases": "SELECT id, reference_number, status, urgency, urgency_rank, call_type, trafficking_type, "
                 "minor, imminent_danger, triaged, opened_at, sla_due_at, ack_due_at, break_glass, "
                 "merged_into, updated_at, version FROM cases",
        "signals": "SELECT signal_id, case_id, urgency, call_type, rules_version, alerted_at, subject, "
                   "narrative, triage IS NULL FROM signals",
        "keys": "SELECT key, case_id FROM case_keys",
        "links": "SELECT case_id, other_case_id, reason FROM case_links",
        "attachments": "SELECT sha256, signal_id, case_id FROM attachments",
        "obligations": "SELECT case_id, state, basis, signal_id, received_at, due_at FROM case_obligations",
        "audit": "SELECT action, case_id FROM audit_log",
        "applied": "SELECT event_id, topic FROM applied_events",
    }
    with db.engine.connect() as connection:
        found = {name: sorted(tuple(str(v) for v in row) for row in connection.execute(text(query)))
                 for name, query in queries.items()}
        # The JSON a signal keeps, compared as JSON (SQL NULL apart from JSON null): the text may
        # be spaced differently, and PostgreSQL's driver returns it parsed, SQLite's as text.
        json_columns = "signal_id, " + ", ".join(f"{c} IS NULL, {c}" for c in _JSON)
        found["signal_json"] = sorted(tuple(_as_json(v) for v in row) for row in connection.execute(
            text(f"SELECT {json_columns} FROM signals")))  # noqa: S608
        return found


_JSON = ("reporter", "facts", "source", "attachments", "related", "triage")


def _as_json(value: Any) -> str:
    if isinstance(value, uuid.UUID | bool):
        return str(value)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, sort_keys=True)
