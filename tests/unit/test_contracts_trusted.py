"""``ContractModel.trusted``: the model validation would make, for values code built from valid parts."""

from __future__ import annotations

import pytest

from contracts._base import ContractModel
from contracts.events import Evidence, Flag, FlagName, Route, RoutingTarget

pytestmark = pytest.mark.unit


def test_trusted_gives_what_validation_gives() -> None:
    evidence = Evidence.trusted(rule_id="minor.text_age", origin="text", field="narrative", start=3, end=9,
                                matched_text=" 15 yo\x00 ")
    assert evidence == Evidence(rule_id="minor.text_age", origin="text", field="narrative", start=3, end=9,
                                matched_text=" 15 yo\x00 ")
    assert evidence.matched_text == "15 yo"  # cleaned and stripped, as validation does
    flag = Flag.trusted(name=FlagName.MINOR, raised=False)
    assert flag == Flag(name=FlagName.MINOR, raised=False)
    assert flag.name is FlagName.MINOR and flag.evidence == []
    assert flag.model_fields_set == {"name", "raised"}
    assert Flag.trusted(name=FlagName.MINOR, raised=True, evidence=[evidence]).model_dump_json() == \
        Flag(name=FlagName.MINOR, raised=True, evidence=[evidence]).model_dump_json()


def test_fields_given_in_any_order_are_written_in_the_models_order() -> None:
    given = {"matched_text": "15 yo", "end": 9, "start": 3, "field": "narrative", "origin": "text",
             "rule_id": "minor.text_age"}
    trusted = Evidence.trusted(**given)
    assert list(trusted.__dict__) == list(Evidence.model_fields)
    assert trusted.model_dump_json() == Evidence(**given).model_dump_json()


def test_trusted_refuses_a_missing_or_unknown_field() -> None:
    with pytest.raises(TypeError, match="needs target"):
        Route.trusted(reason="minor")
    with pytest.raises(TypeError, match="unknown fields"):
        Route.trusted(target=RoutingTarget.SUPERVISOR_QUEUE, reason="minor", extra="x")
    with pytest.raises(TypeError, match="needs target"):
        Route.trusted(reason="minor", extra="x")  # the missing one named, as validation would first


def test_a_default_factory_gives_each_model_its_own_value() -> None:
    first = Flag.trusted(name=FlagName.MINOR, raised=False)
    second = Flag.trusted(name=FlagName.MINOR, raised=False)
    assert first.evidence is not second.evidence


def _contract_models(base: type[ContractModel]) -> list[type[ContractModel]]:
    found = []
    for model in base.__subclasses__():
        found += [model, *_contract_models(model)]
    return found


@pytest.mark.parametrize("model", sorted({m for m in _contract_models(ContractModel)
                                          if all(not f.is_required() for f in m.model_fields.values())
                                          and not m.__pydantic_post_init__ and not m.__private_attributes__},
                                         key=lambda m: m.__name__))
def test_a_model_made_of_its_defaults_alone_is_the_validated_one(model: type[ContractModel]) -> None:
    # What ``trusted`` makes for a nested model left to its default factory (a signal's reporter).
    assert model.trusted() == model()
    assert model.trusted().model_dump_json() == model().model_dump_json()
