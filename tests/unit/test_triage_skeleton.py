"""The skeleton triage rules and processor (declared facts only; text rules come with the triage issue)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from contracts import CODEC, Topic
from contracts.events import (
    AgeRange,
    Answer,
    DeclaredFacts,
    FlagName,
    Location,
    RoutingTarget,
    SignalTriaged,
    Urgency,
    Victim,
)
from services.runtime import ConsumerHalted, DeadLetterer, FailedRecord, InMemoryPublisher, RuntimeMetrics
from services.runtime.errors import BrokerUnavailable
from tests.builders import T0, received
from triage.processor import TriageProcessor
from triage.rules import RULES_VERSION, assess, is_business_hours

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 16, 14, 31, tzinfo=UTC)


def test_declared_minor_is_flagged_with_its_field_as_evidence() -> None:
    signal = received(facts=DeclaredFacts(victims=[Victim(age=30), Victim(age=16)]))
    result = assess(signal, now=NOW)
    minor = result.flag(FlagName.MINOR)
    assert minor is not None and minor.raised
    assert [e.field for e in minor.evidence] == ["facts.victims[1].age"]
    assert result.urgency is Urgency.P2_SAME_DAY
    targets = {r.target for r in result.routes}
    assert targets == {RoutingTarget.SUPERVISOR_QUEUE, RoutingTarget.URGENT_ALERT,
                       RoutingTarget.MANDATORY_REPORT}


def test_an_age_range_reaching_below_18_is_a_potential_minor() -> None:
    signal = received(facts=DeclaredFacts(victims=[Victim(age_range=AgeRange(low=16, high=20))]))
    assert assess(signal, now=NOW).is_raised(FlagName.MINOR)
    adult = received(facts=DeclaredFacts(victims=[Victim(age_range=AgeRange(low=18, high=25))]))
    assert not assess(adult, now=NOW).is_raised(FlagName.MINOR)


def test_declared_danger_is_p1_with_break_glass() -> None:
    signal = received(facts=DeclaredFacts(danger_now=Answer.YES))
    result = assess(signal, now=NOW)
    assert result.is_raised(FlagName.IMMINENT_DANGER)
    assert result.urgency is Urgency.P1_ACT_NOW
    assert RoutingTarget.LAW_ENFORCEMENT_BREAK_GLASS in {r.target for r in result.routes}
    assert result.sla_due_at == T0.replace(minute=45)


def test_nothing_declared_is_business_days_to_the_supervisor_queue() -> None:
    result = assess(received(facts=DeclaredFacts(location=Location(state="TX", city="Dallas"))), now=NOW)
    assert result.urgency is Urgency.P3_BUSINESS_DAYS
    assert [r.target for r in result.routes] == [RoutingTarget.SUPERVISOR_QUEUE]
    assert (result.jurisdiction.state, result.jurisdiction.origin) == ("TX", "declared")
    assert result.rules_version == RULES_VERSION
    assert result.triaged_at == NOW


@pytest.mark.parametrize(("moment", "expected"), [
    (datetime(2026, 3, 16, 13, 0, tzinfo=UTC), True),    # Mon 09:00 EDT
    (datetime(2026, 3, 16, 12, 59, tzinfo=UTC), False),  # Mon 08:59 EDT
    (datetime(2026, 3, 16, 23, 0, tzinfo=UTC), False),   # Mon 19:00 EDT
    (datetime(2026, 3, 14, 15, 0, tzinfo=UTC), False),   # Saturday
])
def test_business_hours_are_eastern(moment: datetime, expected: bool) -> None:
    assert is_business_hours(moment) is expected


def _processor(
    publisher: InMemoryPublisher, halts: list[ConsumerHalted], max_consecutive: int = 10
) -> TriageProcessor:
    metrics = RuntimeMetrics("test")
    return TriageProcessor(
        publisher=publisher,
        dead_letters=DeadLetterer(topic=Topic.SIGNALS_RECEIVED, group="triage", publisher=publisher,
                                  metrics=metrics, max_consecutive=max_consecutive),
        metrics=metrics, now=lambda: NOW, group="triage", on_halt=halts.append, backoff_max_s=0.01,
    )


def _as_failed(value: bytes, headers: tuple[tuple[str, bytes], ...], offset: int = 0) -> FailedRecord:
    return FailedRecord(topic=Topic.SIGNALS_RECEIVED, partition=0, offset=offset, key=b"k",
                        value=value, headers=headers)


async def test_processor_publishes_the_assessment() -> None:
    publisher = InMemoryPublisher()
    await publisher.start()
    signal = received(facts=DeclaredFacts(danger_now=Answer.YES))
    record = CODEC.encode(signal, source="/hotline/intake-webform")
    await _processor(publisher, []).process(_as_failed(record.value, record.headers))
    [decoded] = publisher.decoded(Topic.SIGNALS_TRIAGED)
    assert isinstance(decoded.event, SignalTriaged)
    assert decoded.event.signal_id == signal.signal_id
    assert decoded.envelope.source == "/hotline/test"


async def test_processor_dead_letters_garbage_and_carries_on() -> None:
    publisher = InMemoryPublisher()
    await publisher.start()
    processor = _processor(publisher, [])
    good = CODEC.encode(received(), source="/hotline/intake-webform")
    await processor.process(_as_failed(b"{broken", good.headers, offset=0))
    await processor.process(_as_failed(good.value, good.headers, offset=1))
    [dead] = publisher.records(Topic.SIGNALS_RECEIVED_DLQ)
    assert dead.record.value == b"{broken"
    assert dict(dead.record.headers)["dlq_error_class"] == b"MalformedPayload"
    assert len(publisher.records(Topic.SIGNALS_TRIAGED)) == 1


async def test_processor_waits_out_a_broker_outage_instead_of_skipping() -> None:
    publisher = InMemoryPublisher()
    await publisher.start()
    for _ in range(3):
        publisher.fail_next(BrokerUnavailable("down"))
    record = CODEC.encode(received(), source="/hotline/intake-webform")
    await _processor(publisher, []).process(_as_failed(record.value, record.headers))
    assert len(publisher.records(Topic.SIGNALS_TRIAGED)) == 1


async def test_processor_halts_without_returning_when_dead_letters_keep_coming() -> None:
    publisher = InMemoryPublisher()
    await publisher.start()
    halts: list[ConsumerHalted] = []
    processor = _processor(publisher, halts, max_consecutive=2)
    good = CODEC.encode(received(), source="/hotline/intake-webform")
    for offset in range(2):
        await processor.process(_as_failed(b"garbage", good.headers, offset=offset))
    # The third in a row halts: the record is neither dead-lettered nor passed over, and
    # process() does not return, so faust never acks it.
    blocked = asyncio.create_task(processor.process(_as_failed(b"garbage", good.headers, offset=2)))
    done, _ = await asyncio.wait({blocked}, timeout=0.3)
    assert not done
    blocked.cancel()
    assert len(halts) == 1
    assert "3 records in a row" in str(halts[0])
    assert len(publisher.records(Topic.SIGNALS_RECEIVED_DLQ)) == 2
