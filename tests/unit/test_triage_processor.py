"""The triage processor: fan-out to the three topics, deterministic ids, dedup, correlation, DLQ, halting."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from contracts import CODEC, Topic
from contracts.events import (
    Answer,
    DeclaredFacts,
    EntitiesSighted,
    EntityKind,
    ReportRequested,
    SignalReceived,
    SignalTriaged,
    UrgentAlert,
    Victim,
)
from services.runtime import BrokerRecord, ConsumerHalted, DeadLetterer, InMemoryPublisher, RuntimeMetrics
from services.runtime.errors import BrokerUnavailable
from tests.builders import received
from triage.config import TriageSettings
from triage.correlation import CorrelationStore, EntityKeyer
from triage.processor import TriageProcessor

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 16, 14, 31, tzinfo=UTC)
SECRET = b"unit-test-entity-secret-0123456789"


def _processor(publisher: InMemoryPublisher, halts: list[ConsumerHalted] | None = None,
               max_consecutive: int = 10, store: CorrelationStore | None = None) -> TriageProcessor:
    metrics = RuntimeMetrics("test")
    return TriageProcessor(
        publisher=publisher,
        dead_letters=DeadLetterer(topic=Topic.SIGNALS_RECEIVED, group="triage", publisher=publisher,
                                  metrics=metrics, max_consecutive=max_consecutive),
        metrics=metrics, now=lambda: NOW, group="triage",
        on_halt=(halts if halts is not None else []).append, backoff_max_s=0.01,
        keyer=EntityKeyer(SECRET), store=store or CorrelationStore(window=timedelta(days=30)),
    )


def _record(signal: SignalReceived, offset: int = 0) -> BrokerRecord:
    encoded = CODEC.encode(signal, source="/hotline/intake-webform")
    return BrokerRecord(topic=Topic.SIGNALS_RECEIVED, partition=0, offset=offset, key=encoded.key,
                        value=encoded.value, headers=encoded.headers)


def _raw(value: bytes, offset: int = 0) -> BrokerRecord:
    headers = CODEC.encode(received(), source="/hotline/intake-webform").headers
    return BrokerRecord(topic=Topic.SIGNALS_RECEIVED, partition=0, offset=offset, key=b"k", value=value,
                        headers=headers)


async def _started() -> InMemoryPublisher:
    publisher = InMemoryPublisher()
    await publisher.start()
    return publisher


DANGER_AND_MINOR = "A 15 year old girl is locked in a room at the Sunset Motel right now."


async def test_imminent_danger_fans_out_to_all_three_topics_with_deterministic_ids() -> None:
    publisher = await _started()
    signal = received(narrative=DANGER_AND_MINOR)
    await _processor(publisher).process(_record(signal))

    [triaged] = [d.event for d in publisher.decoded(Topic.SIGNALS_TRIAGED)]
    [alert] = [d.event for d in publisher.decoded(Topic.ALERTS_URGENT)]
    [report] = [d.event for d in publisher.decoded(Topic.REPORTS_REQUESTED)]
    assert isinstance(triaged, SignalTriaged) and isinstance(alert, UrgentAlert)
    assert isinstance(report, ReportRequested)
    assert alert.signal_id == report.signal_id == triaged.signal_id == signal.signal_id
    assert report.report_id == ReportRequested.break_glass_id(signal.signal_id)
    assert report.kind == "break_glass" and report.conditions.minor and report.conditions.urgent
    assert {r.value for r in alert.reasons} == {"minor", "imminent_danger"}
    [stored] = publisher.records(Topic.REPORTS_REQUESTED)
    assert stored.record.key == str(report.report_id).encode()

    # A second processor (a restart) re-triaging the same record yields the same ids.
    again = await _started()
    await _processor(again).process(_record(signal))
    for topic in (Topic.SIGNALS_TRIAGED, Topic.ALERTS_URGENT, Topic.REPORTS_REQUESTED):
        assert [r.record.event_id for r in again.records(topic)] == [
            r.record.event_id for r in publisher.records(topic)]


async def test_the_break_glass_report_carries_the_conditions_triage_decided() -> None:
    publisher = await _started()
    signal = received(narrative="She was brought from Guatemala and is locked in the back room "
                                "of the bar right now, he has a gun.")
    await _processor(publisher).process(_record(signal))

    [triaged] = [d.event for d in publisher.decoded(Topic.SIGNALS_TRIAGED)]
    [report] = [d.event for d in publisher.decoded(Topic.REPORTS_REQUESTED)]
    assert isinstance(triaged, SignalTriaged) and isinstance(report, ReportRequested)
    assert triaged.conditions is not None and report.conditions == triaged.conditions
    assert report.conditions.foreign_national is True and report.conditions.urgent


async def test_alerts_carry_no_narrative_or_contact_details() -> None:
    publisher = await _started()
    narrative = "My sister is 16 and locked in at 412 Pine Street, call 214-555-0199 right now."
    await _processor(publisher).process(_record(received(narrative=narrative)))
    for topic in (Topic.ALERTS_URGENT, Topic.REPORTS_REQUESTED):
        [stored] = publisher.records(topic)
        blob = stored.record.value + b"".join(v for _, v in stored.record.headers)
        for secret in (b"Pine", b"555-0199", b"sister", b"locked"):
            assert secret not in blob


async def test_minor_without_danger_alerts_but_requests_no_report() -> None:
    publisher = await _started()
    signal = received(narrative="The nail salon owner keeps their passports.",
                      facts=DeclaredFacts(victims=[Victim(age=16)]))
    await _processor(publisher).process(_record(signal))
    assert len(publisher.records(Topic.ALERTS_URGENT)) == 1
    assert publisher.records(Topic.REPORTS_REQUESTED) == []


async def test_non_urgent_goes_to_triaged_only() -> None:
    publisher = await _started()
    await _processor(publisher).process(_record(received()))
    assert len(publisher.records(Topic.SIGNALS_TRIAGED)) == 1
    assert publisher.records(Topic.ALERTS_URGENT) == publisher.records(Topic.REPORTS_REQUESTED) == []


async def test_a_repeated_signal_is_not_fanned_out_twice() -> None:
    publisher = await _started()
    processor = _processor(publisher)
    signal = received(narrative=DANGER_AND_MINOR, facts=DeclaredFacts(danger_now=Answer.YES))
    await processor.process_batch([_record(signal, 0), _record(signal, 1)])  # twice in one batch
    await processor.process(_record(signal, 2))  # and again later
    for topic in (Topic.SIGNALS_TRIAGED, Topic.ALERTS_URGENT, Topic.REPORTS_REQUESTED):
        assert len(publisher.records(topic)) == 1


async def test_signals_sharing_an_entity_are_linked_by_kind_without_the_value() -> None:
    publisher = await _started()
    processor = _processor(publisher)
    first = received(narrative="The Lucky Star Massage owner answers at (214) 555-0199.")
    second = received(narrative="Girls at LUCKY STAR MASSAGE, the number is 214.555.0199",
                      received_at=first.received_at + timedelta(days=2))
    unrelated = received(narrative="A farm on County Road 12 keeps passports.")
    await processor.process_batch([_record(first, 0), _record(second, 1), _record(unrelated, 2)])
    triaged = {e.signal_id: e for e in (d.event for d in publisher.decoded(Topic.SIGNALS_TRIAGED))
               if isinstance(e, SignalTriaged)}
    assert triaged[first.signal_id].linked_signals == []
    [link] = triaged[second.signal_id].linked_signals
    assert link.signal_id == first.signal_id
    assert set(link.shared) == {EntityKind.PHONE, EntityKind.BUSINESS}
    assert triaged[unrelated.signal_id].linked_signals == []
    # The number in any written form, not "555" alone: a random id may well contain those digits.
    published = b"".join(r.record.value for r in publisher.records(Topic.SIGNALS_TRIAGED)
                         if r.record.key == str(second.signal_id).encode())
    for written in (b"555.0199", b"555-0199", b"5550199", b"555 0199"):
        assert written not in published


async def test_workers_share_the_window_through_the_sightings_they_publish() -> None:
    # Two workers (or one before and after a restart): each has its own store, and what one
    # publishes to entities.sighted is what the other reads back (triage.sightings).
    first_worker, second_worker = await _started(), await _started()
    first_store, second_store = (CorrelationStore(window=timedelta(days=30)) for _ in range(2))
    first = received(narrative="The Lucky Star Massage owner answers at (214) 555-0199.")
    second = received(narrative="Girls at LUCKY STAR MASSAGE, the number is 214.555.0199",
                      received_at=first.received_at + timedelta(days=2))
    await _processor(first_worker, store=first_store).process(_record(first))
    [published] = [d.event for d in first_worker.decoded(Topic.ENTITIES_SIGHTED)]
    assert isinstance(published, EntitiesSighted) and published.signal_id == first.signal_id
    assert {e.kind for e in published.entities} == {EntityKind.PHONE, EntityKind.BUSINESS}
    sighted = first_worker.records(Topic.ENTITIES_SIGHTED)[0].record.value
    # The number in any written form, not "555" alone: the keys are hex digests and may hold those digits.
    assert not any(form in sighted for form in (b"555-0199", b"555.0199", b"5550199", b"Lucky", b"LUCKY"))
    second_store.remember(published.signal_id, published.received_at,
                          [(e.key, e.kind) for e in published.entities])
    second_store.remember(published.signal_id, published.received_at,  # read twice: held once
                          [(e.key, e.kind) for e in published.entities])
    await _processor(second_worker, store=second_store).process(_record(second))
    [triaged] = [d.event for d in second_worker.decoded(Topic.SIGNALS_TRIAGED)]
    assert isinstance(triaged, SignalTriaged)
    [link] = triaged.linked_signals
    assert link.signal_id == first.signal_id and set(link.shared) == {EntityKind.PHONE, EntityKind.BUSINESS}


async def test_a_signal_naming_no_entity_publishes_no_sighting() -> None:
    publisher = await _started()
    await _processor(publisher).process(_record(received(narrative="Somebody is forced to work.")))
    assert publisher.records(Topic.ENTITIES_SIGHTED) == []


def test_links_expire_with_the_window_and_keys_depend_on_the_secret() -> None:
    store = CorrelationStore(window=timedelta(hours=1))
    keyer = EntityKeyer(SECRET)
    first, second = received(), received()
    from triage.entities import Entity
    phone = Entity(EntityKind.PHONE, "+12145550199")
    assert store.link(first.signal_id, NOW, [(keyer.key(phone), phone.kind)]) == []
    assert store.link(second.signal_id, NOW + timedelta(hours=2), [(keyer.key(phone), phone.kind)]) == []
    assert keyer.key(phone) != EntityKeyer(b"another-secret-of-enough-bytes").key(phone)
    assert "2145550199" not in keyer.key(phone)


async def test_processor_dead_letters_garbage_and_carries_on() -> None:
    publisher = await _started()
    processor = _processor(publisher)
    await processor.process_batch([_raw(b"{broken", 0), _record(received(), 1)])
    [dead] = publisher.records(Topic.SIGNALS_RECEIVED_DLQ)
    assert dead.record.value == b"{broken"
    assert dict(dead.record.headers)["dlq_error_class"] == b"MalformedPayload"
    assert len(publisher.records(Topic.SIGNALS_TRIAGED)) == 1


async def test_processor_waits_out_a_broker_outage_instead_of_skipping() -> None:
    publisher = await _started()
    for _ in range(3):
        publisher.fail_next(BrokerUnavailable("down"))
    await _processor(publisher).process(_record(received(narrative=DANGER_AND_MINOR)))
    assert len(publisher.records(Topic.SIGNALS_TRIAGED)) == 1
    assert len(publisher.records(Topic.ALERTS_URGENT)) == 1


async def test_processor_halts_without_returning_when_dead_letters_keep_coming() -> None:
    publisher = await _started()
    halts: list[ConsumerHalted] = []
    processor = _processor(publisher, halts, max_consecutive=2)
    for offset in range(2):
        await processor.process(_raw(b"garbage", offset))
    # The third in a row halts: the record is neither dead-lettered nor passed over, and
    # process() does not return, so faust never acks it.
    blocked = asyncio.create_task(processor.process(_raw(b"garbage", 2)))
    done, _ = await asyncio.wait({blocked}, timeout=0.3)
    assert not done
    blocked.cancel()
    assert len(halts) == 1
    assert "3 records in a row" in str(halts[0])
    assert len(publisher.records(Topic.SIGNALS_RECEIVED_DLQ)) == 2


def test_settings_refuse_the_dev_entity_secret_outside_dev() -> None:
    with pytest.raises(ValueError, match="HOTLINE_ENTITY_KEY_SECRET"):
        TriageSettings(environment="test")
    assert TriageSettings(environment="dev").environment == "dev"
    ok = TriageSettings(environment="test", entity_key_secret="x" * 32)  # type: ignore[arg-type]
    assert ok.correlation_window == timedelta(days=30)
