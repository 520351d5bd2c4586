"""The base every event model shares: frozen, strict about unknown fields, timezone-aware."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class ContractModel(BaseModel):
    """A value inside an event. Frozen so an event cannot change after it was read."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        use_enum_values=False,
        validate_default=True,
    )


class Event(ContractModel):
    """A top-level event carried on a topic.

    ``EVENT_TYPE`` is the CloudEvents ``type`` without its version; ``VERSION`` is bumped only by a
    breaking change (additive changes keep it, see ``contracts.codec`` for upcasters).
    """

    EVENT_TYPE: ClassVar[str]
    VERSION: ClassVar[int]

    @classmethod
    def ce_type(cls) -> str:
        return f"{cls.EVENT_TYPE}.v{cls.VERSION}"

    def event_id(self) -> str:
        """The deterministic id of this event (CloudEvents ``id``): same input, same id."""
        raise NotImplementedError

    def partition_key(self) -> str:
        """The Kafka message key; the topic registry says what it is for each topic."""
        raise NotImplementedError
