"""The one codec: the only place events become Kafka records and Kafka records become events."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

from pydantic import ValidationError

from contracts._base import Event
from contracts.envelope import (
    CONTENT_TYPE,
    H_CONTENT_TYPE,
    H_DATASCHEMA,
    H_ID,
    H_SOURCE,
    H_SPECVERSION,
    H_TIME,
    H_TYPE,
    REQUIRED_HEADERS,
    SPEC_VERSION,
    Envelope,
    Header,
    envelope_headers,
    header_value,
    parse_time,
)
from contracts.errors import (
    EncodeError,
    MalformedPayload,
    MissingHeader,
    SchemaViolation,
    UnexpectedEventType,
    UnknownEventType,
    UnsupportedVersion,
)
from contracts.events import (
    EntitiesSighted,
    ErasureOrdered,
    ErasureRequested,
    InputQuarantined,
    OpsEvent,
    ReplyOutcome,
    ReplyRequested,
    ReportOutcome,
    ReportRequested,
    ReviewDecision,
    SignalReceived,
    SignalTriaged,
    UrgentAlert,
)
from contracts.text import kept_as_is

E = TypeVar("E", bound=Event)

# The longest event id the envelope allows.
_MAX_ID: Final = 128
_MAX_VALIDATED: Final = 1024
# The CloudEvents headers ``encode`` writes (every event has a dataschema).
_WRITTEN: Final = frozenset({*REQUIRED_HEADERS, H_DATASCHEMA})

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class KafkaRecord:
    """What goes on the wire: key, value and headers. Library-neutral (no Kafka client types)."""

    key: bytes | None
    value: bytes
    headers: tuple[Header, ...]

    @property
    def event_id(self) -> str | None:
        """The CloudEvents id, if the record carries one."""
        return header_value(self.headers, H_ID)


@dataclass(frozen=True)
class Decoded:
    envelope: Envelope
    event: Event


@dataclass(frozen=True)
class Upcaster:
    """Turns the JSON of ``event_type`` at ``from_version`` into the JSON of ``from_version + 1``."""

    event_type: str
    from_version: int
    upcast: Callable[[JsonObject], JsonObject]


def dataschema_for(event_type: type[Event]) -> str:
    return f"urn:hotline:schema:{event_type.EVENT_TYPE}:v{event_type.VERSION}"


def _split_type(ce_type: str) -> tuple[str, int]:
    base, _, version = ce_type.rpartition(".v")
    if not base or not version.isdigit():
        raise UnknownEventType("ce_type does not end in .v<version>")
    return base, int(version)


class Codec:
    """Encodes events as CloudEvents binary-mode records and decodes them back, upcasting old versions."""

    def __init__(self, events: Iterable[type[Event]], upcasters: Iterable[Upcaster] = ()) -> None:
        self._latest: dict[str, type[Event]] = {}
        for event_type in events:
            if event_type.EVENT_TYPE in self._latest:
                raise ValueError(f"two models registered for {event_type.EVENT_TYPE}")
            self._latest[event_type.EVENT_TYPE] = event_type
        self._upcasters = {(u.event_type, u.from_version): u for u in upcasters}
        # (event class, source) pairs whose envelope passed validation unchanged once: its type and
        # dataschema are the class's constants and its source the publisher's, so only the id and
        # the time differ from one record to the next, and ``encode`` checks those itself.
        self._validated: set[tuple[type[Event], str]] = set()

    @property
    def event_types(self) -> tuple[type[Event], ...]:
        return tuple(self._latest.values())

    def upcasts(self, event_type: str, from_version: int) -> bool:
        """Whether records of ``event_type`` at ``from_version`` are upcast to the next version."""
        return (event_type, from_version) in self._upcasters

    # ------------------------------------------------------------ encode

    def encode(
        self,
        event: Event,
        *,
        source: str,
        time: datetime | None = None,
        extra_headers: Sequence[Header] = (),
    ) -> KafkaRecord:
        """Encode ``event``. Its CloudEvents id is the event's own deterministic id."""
        event_type = type(event)
        if self._latest.get(event_type.EVENT_TYPE) is not event_type:
            raise EncodeError(f"{event_type.__name__} is not registered with this codec")
        event_id, at = event.event_id(), time or datetime.now(UTC)
        if ((event_type, source) in self._validated and kept_as_is(event_id, _MAX_ID)
                and at.utcoffset() is not None):
            # What validation would give, without building the model to check it again for every
            # record (a tenth of a CDR row's time): see ``_validated``.
            headers = envelope_headers(event_id, event_type.ce_type(), source, at, dataschema_for(event_type))
        else:
            headers = self._validated_headers(event_type, event_id, source, at)
        clashes = {name for name, _ in extra_headers} & _WRITTEN
        if clashes:
            raise EncodeError(f"extra headers may not replace CloudEvents headers: {sorted(clashes)}")
        return KafkaRecord(
            key=event.partition_key().encode(),
            value=event.model_dump_json().encode(),
            headers=(*headers, *extra_headers),
        )

    def _validated_headers(self, event_type: type[Event], event_id: str, source: str,
                           at: datetime) -> list[Header]:
        """The envelope's headers, validated; the first of each (class, source) pair, and any
        envelope whose id or time the fast path does not take, come this way."""
        try:
            envelope = Envelope(id=event_id, type=event_type.ce_type(), source=source, time=at,
                                dataschema=dataschema_for(event_type))
        except ValidationError as error:
            problems = error.error_count()
            raise EncodeError(f"invalid envelope for {event_type.__name__}: {problems} errors") from error
        # Remembered when validation kept them as they are; a process has a handful of sources,
        # and a bound keeps a caller with ever-new ones from growing the set without end.
        if (envelope.source == source and envelope.type == event_type.ce_type()
                and len(self._validated) < _MAX_VALIDATED):
            self._validated.add((event_type, source))
        return envelope.to_headers()

    # ------------------------------------------------------------ decode

    def decode(self, value: bytes | None, headers: Sequence[Header]) -> Decoded:
        """Decode a record into the newest model of its event type. Raises ``DecodeError``."""
        headers = tuple(headers)
        envelope = self._envelope(headers)
        base, version = _split_type(envelope.type)
        model = self._latest.get(base)
        if model is None:
            raise UnknownEventType(f"unknown event type {base}")
        if version > model.VERSION:
            raise UnsupportedVersion(
                f"{base} v{version} is newer than this consumer's v{model.VERSION}"
            )
        if not value:
            raise MalformedPayload(f"{envelope.type} record has an empty value")
        try:
            # The tolerant reader: fields this consumer does not know yet, at any depth (a producer
            # already upgraded with an additive field), are ignored. Models stay strict everywhere
            # else: constructing one, or validating it outside the codec, refuses unknown fields.
            if version == model.VERSION:
                event = model.model_validate_json(value, extra="ignore")
            else:
                event = model.model_validate(self._upcast(base, version, model.VERSION, value),
                                             extra="ignore")
        except ValidationError as error:
            if any(e["type"] == "json_invalid" for e in error.errors(include_input=False)):
                raise MalformedPayload(f"{envelope.type} value is not valid JSON") from None
            raise SchemaViolation.from_validation_error(envelope.type, error) from None
        return Decoded(envelope=envelope, event=event)

    def decode_as(self, expected: type[E], value: bytes | None, headers: Sequence[Header]) -> E:
        decoded = self.decode(value, headers)
        if not isinstance(decoded.event, expected):
            raise UnexpectedEventType(
                f"expected {expected.ce_type()}, got {decoded.envelope.type}"
            )
        return decoded.event

    def _envelope(self, headers: tuple[Header, ...]) -> Envelope:
        raw = dict(headers)  # the last of repeated headers wins, as in header_value
        values: dict[str, str] = {}
        for name in REQUIRED_HEADERS:
            try:
                values[name] = raw[name].decode("utf-8")
            except (KeyError, UnicodeDecodeError):
                raise MissingHeader(f"missing or non-UTF-8 header {name}") from None
        if values[H_SPECVERSION] != SPEC_VERSION:
            raise MissingHeader(f"unsupported {H_SPECVERSION}")
        if values[H_CONTENT_TYPE].split(";")[0].strip() != CONTENT_TYPE:
            raise MalformedPayload(f"unsupported {H_CONTENT_TYPE}")
        try:
            return Envelope(
                id=values[H_ID],
                type=values[H_TYPE],
                source=values[H_SOURCE],
                time=parse_time(values[H_TIME]),
                dataschema=header_value(headers, H_DATASCHEMA) if H_DATASCHEMA in raw else None,
            )
        except (ValueError, ValidationError) as error:
            # ValidationError subclasses ValueError; both name the header only.
            raise MissingHeader(f"invalid CloudEvents headers ({type(error).__name__})") from None

    def _upcast(self, base: str, version: int, latest: int, value: bytes) -> JsonObject:
        try:
            data: JsonObject | object = json.loads(value)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise MalformedPayload(f"{base}.v{version} value is not valid JSON") from None
        if not isinstance(data, dict):
            raise MalformedPayload(f"{base}.v{version} value is not a JSON object")
        for step in range(version, latest):
            upcaster = self._upcasters.get((base, step))
            if upcaster is None:
                raise UnsupportedVersion(f"no upcaster from {base} v{step} to v{step + 1}")
            data = upcaster.upcast(data)
        return data


# The codec of this repository: every event model, and every upcaster ever written.
CODEC = Codec(
    events=(SignalReceived, SignalTriaged, UrgentAlert, ReportRequested, InputQuarantined, OpsEvent,
            ReviewDecision, ReportOutcome, ReplyRequested, ReplyOutcome, EntitiesSighted,
            ErasureRequested, ErasureOrdered),
    upcasters=(),
)
