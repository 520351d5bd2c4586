"""The base every event model shares: frozen, strict about unknown fields, timezone-aware, and
free of control characters (``contracts.text``)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

from contracts.text import clean_strings


class ContractModel(BaseModel):
    """A value inside an event. Frozen so an event cannot change after it was read."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        use_enum_values=False,
        validate_default=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _without_control_characters(cls, data: Any) -> Any:
        # Before any other check, so a length or pattern is judged on the text that is kept; on
        # decoding too, so a record an older intake published is read clean.
        return clean_strings(data)


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
