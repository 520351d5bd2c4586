"""The base every event model shares: frozen, strict about unknown fields, timezone-aware, and
free of control characters (``contracts.text``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Self, cast

from pydantic import BaseModel, ConfigDict, model_validator

from contracts.text import clean_strings, without_control_characters


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

    @classmethod
    def trusted(cls, **values: Any) -> Self:
        """A model built by code from parts already valid, without validating it again.

        For the hot paths that assemble outputs from a validated input and their own constants
        (triage builds a dozen models per signal; validation, with the cleaning before it, was a
        fifth of its time). Strings still get the cleaning and stripping validation would give
        them, so the result is the model validation would make; nested values must be models
        already. An unknown or missing field is still refused. Anything built from outside input
        goes through validation instead.
        """
        fields: dict[str, Any] = {}
        given = 0
        for name, required, default, factory in _field_defaults(cls):
            if name in values:
                given += 1
                value = values[name]
                # ``type(...) is str``: members of a string enum are strings too, and must stay members.
                fields[name] = without_control_characters(value).strip() if type(value) is str else value
            elif factory is not None:
                fields[name] = factory()
            elif required:
                raise TypeError(f"{cls.__name__}.trusted needs {name}")
            else:
                fields[name] = default
        if given != len(values):
            raise TypeError(f"{cls.__name__}.trusted got unknown fields {sorted(set(values) - set(fields))}")
        # What ``model_construct`` does, without its per-call look at each default factory's
        # signature (inspect, a tenth of a millisecond a model).
        model = cls.__new__(cls)
        object.__setattr__(model, "__dict__", fields)
        object.__setattr__(model, "__pydantic_fields_set__", set(values))
        object.__setattr__(model, "__pydantic_extra__", None)
        object.__setattr__(model, "__pydantic_private__", None)
        return model


_DEFAULTS: dict[type[BaseModel], tuple[tuple[str, bool, Any, Callable[[], Any] | None], ...]] = {}


def _field_defaults(cls: type[BaseModel]) -> tuple[tuple[str, bool, Any, Callable[[], Any] | None], ...]:
    """(name, required, default, default factory) of each field of ``cls``, in order; made once per model."""
    found = _DEFAULTS.get(cls)
    if found is None:
        if cls.__pydantic_post_init__ is not None or cls.__private_attributes__:
            raise TypeError(f"{cls.__name__} has a post-init or private attributes: build it validated")
        found = _DEFAULTS[cls] = tuple(
            (name, field.is_required(), field.default,
             cast("Callable[[], Any]", field.default_factory) if field.default_factory is not None else None)
            for name, field in cls.model_fields.items())
    return found


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
