"""The project's compatibility rules for event schemas (``contracts.compatibility``), on small models."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

import pytest
from pydantic import Field

from contracts import ContractModel
from contracts.compatibility import breaking_changes

pytestmark = pytest.mark.unit


def schema(model: type[ContractModel]) -> dict[str, Any]:
    return model.model_json_schema(mode="validation")


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class MoreColours(StrEnum):
    RED = "red"
    BLUE = "blue"
    GREEN = "green"


class Place(ContractModel):
    state: str | None = None


class Person(ContractModel):
    age: int | None = None
    place: Place = Place()


class Base(ContractModel):
    """The published shape every case below changes."""

    note_id: str
    count: Annotated[int, Field(ge=0)] = 0
    colour: Colour = Colour.RED
    people: tuple[Person, ...] = ()


# ------------------------------------------------------------------ compatible: the version stays


class AddedOptional(Base):
    priority: str | None = None


class PlaceWithZip(ContractModel):
    state: str | None = None
    zip_code: str | None = None


class PersonWithZip(ContractModel):
    age: int | None = None
    place: PlaceWithZip = PlaceWithZip()


class AddedOptionalDeepDown(ContractModel):
    """A new optional field two models down; the nested models are renamed on the way."""

    note_id: str
    count: Annotated[int, Field(ge=0)] = 0
    colour: Colour = Colour.RED
    people: tuple[PersonWithZip, ...] = ()


class Documented(ContractModel):
    """Only the words changed."""

    note_id: Annotated[str, Field(description="The note's id.", title="Note id")]
    count: Annotated[int, Field(ge=0)] = 5  # a default is documentation: producers write every field
    colour: Colour = Colour.RED
    people: tuple[Person, ...] = ()


@pytest.mark.parametrize("model", [Base, AddedOptional, AddedOptionalDeepDown, Documented])
def test_compatible_changes_keep_the_version(model: type[ContractModel]) -> None:
    assert breaking_changes(schema(Base), schema(model)) == []


# ------------------------------------------------------------------ breaking: a version bump and an upcaster


class AddedRequired(Base):
    priority: str


class Removed(ContractModel):
    note_id: str
    colour: Colour = Colour.RED
    people: tuple[Person, ...] = ()


class Renamed(ContractModel):
    note_id: str
    total: Annotated[int, Field(ge=0)] = 0
    colour: Colour = Colour.RED
    people: tuple[Person, ...] = ()


class Retyped(ContractModel):
    note_id: str
    count: str = "0"
    colour: Colour = Colour.RED
    people: tuple[Person, ...] = ()


class Loosened(ContractModel):
    note_id: str
    count: int = 0
    colour: Colour = Colour.RED
    people: tuple[Person, ...] = ()


class NowNullable(ContractModel):
    note_id: str | None
    count: Annotated[int, Field(ge=0)] = 0
    colour: Colour = Colour.RED
    people: tuple[Person, ...] = ()


class NewEnumValue(ContractModel):
    note_id: str
    count: Annotated[int, Field(ge=0)] = 0
    colour: MoreColours = MoreColours.RED
    people: tuple[Person, ...] = ()


class NotRequired(ContractModel):
    note_id: str = ""
    count: Annotated[int, Field(ge=0)] = 0
    colour: Colour = Colour.RED
    people: tuple[Person, ...] = ()


class PlaceRetyped(ContractModel):
    state: int | None = None


class PersonRetyped(ContractModel):
    age: int | None = None
    place: PlaceRetyped = PlaceRetyped()


class RetypedDeepDown(ContractModel):
    note_id: str
    count: Annotated[int, Field(ge=0)] = 0
    colour: Colour = Colour.RED
    people: tuple[PersonRetyped, ...] = ()


class OnePerson(ContractModel):
    note_id: str
    count: Annotated[int, Field(ge=0)] = 0
    colour: Colour = Colour.RED
    people: Person = Person()


@pytest.mark.parametrize(("model", "expected"), [
    (AddedRequired, "priority: added as a required field"),
    (Removed, "count: removed (or renamed)"),
    (Renamed, "count: removed (or renamed)"),
    (Retyped, "count: changes type ('integer' -> 'string')"),
    (Loosened, "count: changes minimum (0 -> absent)"),
    (NowNullable, "note_id: changes its type"),
    (NewEnumValue, "colour: accepts new values green"),
    (NotRequired, "note_id: no longer required"),
    (RetypedDeepDown, "people[].place.state: changes type ('string' -> 'integer')"),
    (OnePerson, "people: changes between"),
])
def test_breaking_changes_are_named(model: type[ContractModel], expected: str) -> None:
    problems = breaking_changes(schema(Base), schema(model))
    assert any(problem.startswith(expected) for problem in problems), problems


class Web(ContractModel):
    kind: Literal["web"] = "web"
    url: str | None = None


class Mail(ContractModel):
    kind: Literal["mail"] = "mail"
    uid: int = 0


class Phone(ContractModel):
    kind: Literal["phone"] = "phone"
    call_id: str = ""


class Sourced(ContractModel):
    source: Annotated[Web | Mail, Field(discriminator="kind")]


class MoreSources(ContractModel):
    source: Annotated[Web | Mail | Phone, Field(discriminator="kind")]


def test_a_new_kind_in_a_discriminated_union_is_breaking() -> None:
    problems = breaking_changes(schema(Sourced), schema(MoreSources))
    assert problems and all(p.startswith("source:") for p in problems), problems
    assert breaking_changes(schema(Sourced), schema(Sourced)) == []
