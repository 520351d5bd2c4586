"""The span attributes a trace may carry: an allow-list of ids, types and counts, each with its check.

A span leaves the process (to an OTLP collector, and from there to whoever reads traces), so it
follows the rules of logs and headers: no narrative, contact detail, address or submitter
metadata, ever. An attribute is kept only when its name is listed here *and* its value passes
the name's check: ids must be UUIDs, types must come from a closed vocabulary or a narrow
pattern (no spaces, no ``@``, no ``+``, no upper case, never all digits), counts must be small
non-negative integers. Everything else is dropped, silently: a span is never worth an error.
``allowed`` is applied where spans are made (``services.runtime.tracing``) and again to every span
on its way out (``services.runtime.trace_export``), so an attribute set any other way is dropped too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Final

from contracts import Service, Topic
from contracts.events import CallType, Channel, OutcomeKind, ReportNeed, TraffickingType, Urgency

AttributeValue = str | bool | int | float

_UUID: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Names the code makes (topics with their prefix, groups, event types, versions): lower case,
# starting with a letter, no spaces, no '@' or '+'; the prefix is HOTLINE_TOPIC_PREFIX's alphabet.
_NAME: Final = re.compile(r"^[a-z][a-z0-9._-]{0,199}$")
_CE_TYPE: Final = re.compile(r"^[a-z0-9.]+\.v[0-9]+$")
# Triage's rules version and model digest: 2026.12.1+m224dd2b946.
_VERSION: Final = re.compile(r"^[0-9]{4}\.[0-9]{2}\.[0-9]{1,3}(\+[a-z0-9]{1,32})?$")
# A consumer group: the environment's prefix, a service's name, and the consumer's (review.cases).
_GROUP: Final = re.compile(r"^[a-z0-9._-]{0,64}?(" + "|".join(re.escape(s.value) for s in Service)
                           + r")(\.[a-z_]{1,40})?$")
_MAX_COUNT: Final = 2**31 - 1

Check = Callable[[AttributeValue], bool]


def _one_of(*vocabularies: Iterable[str]) -> Check:
    allowed = frozenset(v for vocabulary in vocabularies for v in vocabulary)
    return lambda value: isinstance(value, str) and value in allowed


def _matches(pattern: re.Pattern[str]) -> Check:
    return lambda value: isinstance(value, str) and pattern.fullmatch(value) is not None


def _uuid(value: AttributeValue) -> bool:
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def _count(value: AttributeValue) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_COUNT


def _offset(value: AttributeValue) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


_TOPIC_NAMES: Final = tuple(topic.value for topic in Topic)
# Names already judged: a process meets a handful (its topics, under its one prefix), and walking
# the registry for each was a large part of a consumer span's checks. Bounded against a flood of
# names nobody made.
_TOPICS_SEEN: dict[str, bool] = {}
_TOPICS_SEEN_MAX: Final = 1024


def _topic_uncached(value: str) -> bool:
    return _NAME.fullmatch(value) is not None and value.endswith(_TOPIC_NAMES)


def _topic(value: AttributeValue) -> bool:
    # The logical topic names, with whatever environment prefix is in front of them.
    if not isinstance(value, str):
        return False
    known = _TOPICS_SEEN.get(value)
    if known is None:
        known = _topic_uncached(value)
        if len(_TOPICS_SEEN) < _TOPICS_SEEN_MAX:
            _TOPICS_SEEN[value] = known
    return known


def _flag(value: AttributeValue) -> bool:
    return isinstance(value, bool)


def _exception_names() -> frozenset[str]:
    names: set[str] = set()
    pending: list[type[BaseException]] = [BaseException]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return frozenset(names)


_known_errors: set[str] = set()


def _error_class(value: AttributeValue) -> bool:
    """The name of an exception class this process knows: an error's type, never its message."""
    if not isinstance(value, str) or len(value) > 80:
        return False
    if value not in _known_errors:  # a class loaded since the last look
        _known_errors.update(_exception_names())
    return value in _known_errors


ALLOWED: Final[Mapping[str, Check]] = {
    # Messaging (OpenTelemetry semantic conventions)
    "messaging.system": _one_of(("kafka",)),
    "messaging.operation.type": _one_of(("create", "send", "receive", "process")),
    "messaging.destination.name": _topic,
    "messaging.destination.partition.id": _count,
    "messaging.kafka.offset": _offset,
    "messaging.consumer.group.name": _matches(_GROUP),
    "messaging.message.id": _uuid,
    # CloudEvents (semantic conventions)
    "cloudevents.event_id": _uuid,
    "cloudevents.event_type": _matches(_CE_TYPE),
    # The hotline's ids, vocabularies and counts
    "hotline.signal_id": _uuid,
    "hotline.report_id": _uuid,
    "hotline.case_id": _uuid,
    "hotline.channel": _one_of([c.value for c in Channel]),
    "hotline.urgency": _one_of([u.value for u in Urgency]),
    "hotline.call_type": _one_of([c.value for c in CallType]),
    "hotline.trafficking_type": _one_of([t.value for t in TraffickingType]),
    "hotline.rules_version": _matches(_VERSION),
    "hotline.flags_raised": _count,
    "hotline.linked_signals": _count,
    "hotline.needs_human_triage": _flag,
    "hotline.duplicate": _flag,
    "hotline.outputs": _count,
    "hotline.need": _one_of([n.value for n in ReportNeed]),
    "hotline.step": _count,
    "hotline.victim": _count,
    "hotline.attempt": _count,
    "hotline.delivery_channel": _one_of(("email", "webhook", "phone")),
    "hotline.outcome": _one_of([o.value for o in OutcomeKind],
                               ("applied", "duplicate", "refused", "retry", "published", "spooled",
                                "queued", "rejected", "unavailable", "quarantined")),
    "hotline.count": _count,
    "error.type": _error_class,
}


def allowed(attributes: Mapping[str, object]) -> dict[str, AttributeValue]:
    """The attributes whose name is allow-listed and whose value passes that name's check."""
    kept: dict[str, AttributeValue] = {}
    for name, value in attributes.items():
        check = ALLOWED.get(name)
        if check is None or not isinstance(value, str | bool | int | float):
            continue
        if check(value):
            kept[name] = value
    return kept
