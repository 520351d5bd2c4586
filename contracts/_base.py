"""The base every event model shares: frozen, strict about unknown fields, timezone-aware, and
free of control characters (``contracts.text``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
        plan = _plan(cls)
        if not plan.required <= values.keys():
            missing = next(name for name in plan.defaults if name in plan.required and name not in values)
            raise TypeError(f"{cls.__name__}.trusted needs {missing}")
        # Every field in its place, then what was given over it: a dict keeps each key where it
        # was first put, so the fields stay in the model's order (the order they are written in).
        fields = plan.defaults.copy()
        for name, value in values.items():
            if name not in fields:
                unknown = sorted(set(values) - set(fields))
                raise TypeError(f"{cls.__name__}.trusted got unknown fields {unknown}")
            # ``type(...) is str``: members of a string enum are strings too, and must stay members.
            fields[name] = without_control_characters(value).strip() if type(value) is str else value
        for name, make in plan.factories:
            if name not in values:
                fields[name] = make()
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


@dataclass(frozen=True)
class _Plan:
    """What ``trusted`` needs of a model, made once per model."""

    # Every field in order: its default, or a placeholder for a required field or a factory's.
    defaults: dict[str, Any]
    required: frozenset[str]
    # (field, what makes its default): a nested contract model's own ``trusted``.
    factories: tuple[tuple[str, Callable[[], Any]], ...]


_PLANS: dict[type[BaseModel], _Plan] = {}


def _plan(cls: type[ContractModel]) -> _Plan:
    found = _PLANS.get(cls)
    if found is None:
        if cls.__pydantic_post_init__ is not None or cls.__private_attributes__:
            raise TypeError(f"{cls.__name__} has a post-init or private attributes: build it validated")
        fields = cls.model_fields
        factories = []
        for name, field in fields.items():
            factory = cast("Callable[[], Any] | None", field.default_factory)
            if factory is not None:
                # A nested model made by default (a signal's empty reporter and facts) is made the
                # same way, its own defaults and nothing else: validating it would give the same.
                factories.append((name, factory.trusted if _is_contract_model(factory) else factory))
        plain = {name: field.default for name, field in fields.items()
                 if not field.is_required() and field.default_factory is None}
        found = _PLANS[cls] = _Plan(
            defaults={name: plain.get(name) for name in fields},
            required=frozenset(name for name, field in fields.items() if field.is_required()),
            factories=tuple(factories))
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
