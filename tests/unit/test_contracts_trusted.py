"""``ContractModel.trusted``: the model validation would make, for values code built from valid parts."""

from __future__ import annotations

import pytest

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


def test_trusted_refuses_a_missing_or_unknown_field() -> None:
    with pytest.raises(TypeError, match="needs target"):
        Route.trusted(reason="minor")
    with pytest.raises(TypeError, match="unknown fields"):
        Route.trusted(target=RoutingTarget.SUPERVISOR_QUEUE, reason="minor", extra="x")


def test_a_default_factory_gives_each_model_its_own_value() -> None:
    first = Flag.trusted(name=FlagName.MINOR, raised=False)
    second = Flag.trusted(name=FlagName.MINOR, raised=False)
    assert first.evidence is not second.evidence
