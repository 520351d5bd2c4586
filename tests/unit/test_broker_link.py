"""A broker outage in the log: each change once, a count in between, never a line per attempt."""

from __future__ import annotations

import io
import logging

import pytest

from services.runtime.broker_link import BrokerLink, BrokerLinkFilter, broker_link, install_broker_link
from tests.log_capture import Seconds, json_lines

pytestmark = pytest.mark.unit


def test_an_outage_is_one_line_down_a_count_a_minute_and_one_line_back(log_stream: io.StringIO) -> None:
    clock = Seconds()
    link = install_broker_link(BrokerLink(report_every_s=60, settle_s=5, clock=clock))
    link.succeeded("publisher")  # all well: nothing to say
    for attempt in range(5_000):  # 100 attempts a second for 50 s
        clock.now = 100.0 + attempt / 100
        link.failed("publisher", "KafkaConnectionError")
    assert [line["msg"] for line in json_lines(log_stream)] == [
        "Kafka unreachable; failed attempts are counted, not logged"]
    clock.now = 160.0
    link.failed("consumer t.review", "NodeNotReadyError")
    clock.now += 1
    link.succeeded("publisher")  # one answer while attempts still fail: not back yet
    clock.now += 5
    link.succeeded("publisher")
    link.succeeded("publisher")
    down, still, back = json_lines(log_stream)
    assert (down["level"], down["component"]) == ("error", "publisher")
    assert down["error_class"] == "KafkaConnectionError"
    assert (still["msg"], still["level"], still["count"]) == ("Kafka still unreachable", "warning", 5_000)
    assert (back["msg"], back["count"], back["duration_ms"]) == ("Kafka reachable again", 5_001, 66_000)
    assert link.down is False


def test_an_outage_that_ended_unannounced_is_closed_before_the_next_one(log_stream: io.StringIO) -> None:
    clock = Seconds()
    link = install_broker_link(BrokerLink(report_every_s=60, settle_s=5, clock=clock))
    link.failed("aiokafka", "KafkaConnectionError")
    clock.now += 1
    link.succeeded("publisher")  # too soon after the failure to say the broker is back
    clock.now += 30  # no answer since, then a new outage
    link.failed("publisher", "KafkaTimeoutError")
    assert [(line["msg"], line.get("duration_ms")) for line in json_lines(log_stream)] == [
        ("Kafka unreachable; failed attempts are counted, not logged", None),
        ("Kafka reachable again", 1_000),
        ("Kafka unreachable; failed attempts are counted, not logged", None),
    ]


def _aiokafka_record(name: str, level: int, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, level, "aiokafka.py", 1, msg, args, None)


@pytest.mark.parametrize(("name", "msg", "args"), [
    ("aiokafka", "Unable connect to node with id %s: %s", (1, "[Errno 111] Connect call failed")),
    ("aiokafka", 'Unable connect to "%s:%s": %s', ("127.0.0.1", 9092, "KafkaConnectionError")),
    ("aiokafka", "Unable to update metadata from %s", ([1],)),
    ("aiokafka.producer.sender", "Got error produce response: %s", ("NodeNotReadyError: Attempt to send",)),
    ("aiokafka.consumer.fetcher", "Failed fetch messages from %s: %s", (1, "NodeNotReadyError: node 1")),
    ("aiokafka.consumer.group_coordinator", "Group Coordinator Request failed: %s", ("NodeNotReadyError",)),
    ("aiokafka.consumer.group_coordinator", "Heartbeat send request failed: %s. Will retry.",
     ("RequestTimedOutError",)),
])
def test_aiokafkas_records_of_a_failed_attempt_are_counted_not_logged(
    name: str, msg: str, args: tuple[object, ...]
) -> None:
    link = BrokerLink(clock=Seconds())
    assert BrokerLinkFilter(lambda: link).filter(_aiokafka_record(name, logging.ERROR, msg, *args)) is False
    assert link.down


@pytest.mark.parametrize(("name", "level", "msg"), [
    ("aiokafka.consumer.group_coordinator", logging.WARNING,
     "Heartbeat failed for group %s because it is rebalancing"),
    ("aiokafka.cluster", logging.ERROR, "Topic %s not found in cluster metadata"),
    # A group coordinator still loading: the broker answers (logged as it comes, a few lines).
    ("aiokafka.consumer.group_coordinator", logging.ERROR,
     "Group Coordinator Request failed: [Error 15] CoordinatorNotAvailableError: %s"),
    ("hotline.review", logging.ERROR, "Unable connect to the database"),
    ("aiokafka", logging.DEBUG, "Unable connect to node with id %s"),
])
def test_other_records_pass(name: str, level: int, msg: str) -> None:
    link = BrokerLink(clock=Seconds())
    assert BrokerLinkFilter(lambda: link).filter(_aiokafka_record(name, level, msg, "g")) is True
    assert not link.down


def test_configured_logging_routes_aiokafka_through_the_processs_link(log_stream: io.StringIO) -> None:
    for _ in range(1_000):
        logging.getLogger("aiokafka").error("Unable connect to node with id %s: %s", 1, "Connect call failed")
    assert broker_link().down
    assert [line["msg"] for line in json_lines(log_stream)] == [
        "Kafka unreachable; failed attempts are counted, not logged"]
