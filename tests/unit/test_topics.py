"""The topic registry."""

from __future__ import annotations

import pytest

from contracts import REGISTRY, Service, Topic, physical_name, spec_for, topic_for_event
from contracts.events import SignalReceived, SignalTriaged

pytestmark = pytest.mark.unit


def test_every_topic_is_registered() -> None:
    assert set(REGISTRY) == set(Topic)


# Read whole, without a consumer group (ops its events, every triage worker the sightings): no
# offsets are held back, so there is no consumer to dead-letter for.
_READ_WITHOUT_A_GROUP = (Topic.OPS_EVENTS, Topic.ENTITIES_SIGHTED)


def test_every_consumed_non_dlq_topic_has_a_registered_dlq() -> None:
    for spec in REGISTRY.values():
        if spec.is_dlq or spec.topic in _READ_WITHOUT_A_GROUP:
            continue
        assert spec.dlq is not None, spec.topic
        dlq = spec_for(spec.dlq)
        assert dlq.is_dlq
        # Whoever consumes a topic is who writes its dead letters.
        assert dlq.producers == spec.consumers


def test_events_map_to_one_topic_each() -> None:
    assert topic_for_event(SignalReceived) is Topic.SIGNALS_RECEIVED
    assert topic_for_event(SignalTriaged) is Topic.SIGNALS_TRIAGED


def test_signal_topics_are_keyed_by_signal_and_retained_for_a_bounded_time() -> None:
    spec = spec_for(Topic.SIGNALS_RECEIVED)
    assert spec.key == "signal id"
    assert spec.retention is not None
    assert spec.config()["retention.ms"] == str(14 * 24 * 3600 * 1000)
    assert spec.config()["cleanup.policy"] == "delete"
    assert Service.TRIAGE in spec.consumers


def test_physical_names_take_a_prefix() -> None:
    assert physical_name(Topic.SIGNALS_RECEIVED) == "signals.received"
    assert physical_name(Topic.SIGNALS_RECEIVED, "staging.") == "staging.signals.received"
    with pytest.raises(ValueError, match="prefix"):
        physical_name(Topic.SIGNALS_RECEIVED, "bad prefix/")
    with pytest.raises(ValueError, match="249"):
        physical_name(Topic.SIGNALS_RECEIVED, "x" * 240)


def test_a_service_publishes_under_its_own_source() -> None:
    # The CloudEvents source every service's publisher stamps: one place, from the registry's names.
    assert Service.INTAKE_EMAIL.source == "/hotline/intake-email"
    assert {s.source for s in Service} == {f"/hotline/{s.value}" for s in Service}
