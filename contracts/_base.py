"""The base every event model shares: frozen, strict about unknown fields, timezone-aware, and
free of control characters (``contracts.text``)."""

from __future__ import annotations

from collections.abc import Callable
from types import UnionType
from typing import Annotated, Any, ClassVar, Self, TypeGuard, Union, cast, get_args, get_origin

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
        # decoding too, so a record an older intake published is read clean. A field made of
        # contract models only is left to their own cleaning (each string is cleaned once, by
        # the nearest model around it), not walked again at every level of nesting.
        if not isinstance(data, dict):
            return clean_strings(data)
        nested = _nested_model_fields(cls)
        return {clean_strings(name): value if name in nested else clean_strings(value)
                for name, value in data.items()}

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
                # A nested model made by default (a signal's empty reporter and facts) is made the
                # same way, its own defaults and nothing else: validating it would give the same.
                fields[name] = factory.trusted() if _is_contract_model(factory) else factory()
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


def _is_contract_model(factory: Callable[[], Any]) -> TypeGuard[type[ContractModel]]:
    return isinstance(factory, type) and issubclass(factory, ContractModel)


_NESTED: dict[type[BaseModel], frozenset[str]] = {}


def _nested_model_fields(cls: type[BaseModel]) -> frozenset[str]:
    """The fields of ``cls`` whose every value is validated as a contract model (a model, or an
    optional, list or union of models): their strings are cleaned by those models."""
    found = _NESTED.get(cls)
    if found is None:
        found = _NESTED[cls] = frozenset(
            name for name, field in cls.model_fields.items() if _models_only(field.annotation))
    return found


def _models_only(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _models_only(get_args(annotation)[0])
    if origin is Union or origin is UnionType:
        members = [a for a in get_args(annotation) if a is not type(None)]
        return bool(members) and all(_models_only(a) for a in members)
    if origin in (list, tuple, set, frozenset):
        items = [a for a in get_args(annotation) if a is not Ellipsis]
        return bool(items) and all(_models_only(a) for a in items)
    return isinstance(annotation, type) and issubclass(annotation, ContractModel)


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
