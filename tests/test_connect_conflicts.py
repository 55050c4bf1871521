"""Conflict analysis over the real export and over edited copies of it."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from conftest import REAL_INPUTS

from generator.connect import conflicts
from generator.connect.conflicts import Place
from generator.connect.model import (
    AttributeFlow,
    Configuration,
    Direction,
    MetaverseSchema,
    ScopeCondition,
    ScopeGroup,
    SyncRule,
)
from generator.connect.xmlio import read_configuration

EXPORT = REAL_INPUTS / "aadconnect-config" / "contoso-pilot"
AD_ID = "{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}"
ENTRA_ID = "{b891884f-051e-4a83-95af-2544101c9083}"


@pytest.fixture(scope="module")
def real() -> Configuration:
    return read_configuration(EXPORT)


def _rule(
    name: str, precedence: int, *flows: AttributeFlow, **fields: object
) -> SyncRule:
    inbound = fields.pop("direction", Direction.INBOUND) is Direction.INBOUND
    base = SyncRule(
        id=f"{{{precedence:08x}-0000-4000-8000-000000000000}}",
        name=name,
        direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
        connector=AD_ID if inbound else ENTRA_ID,
        source_object_type="user" if inbound else "person",
        target_object_type="person" if inbound else "user",
        precedence=precedence,
        flows=flows,
    )
    return replace(base, **fields)


def _with(config: Configuration, *rules: SyncRule) -> Configuration:
    return replace(config, rules=config.rules + rules)


def test_readers_match_an_independent_text_search(real: Configuration) -> None:
    uses = conflicts.rules_reading(real, "extensionAttribute1", Direction.INBOUND)
    found = {u.rule.name for u in uses}
    expected = set()
    for rule in real.rules:
        text = rule.source.read_text() if rule.source else ""
        if rule.direction is Direction.INBOUND and re.search(
            r"<attr>extensionAttribute1</attr>|\[extensionAttribute1\]", text
        ):
            expected.add(rule.name)
    assert found == expected
    assert "In from AD - User Common" in found
    precedences = [u.rule.precedence for u in uses]
    assert precedences == sorted(precedences)


def test_readers_in_scope_and_join_and_case_insensitively(real: Configuration) -> None:
    scope = conflicts.rules_reading(real, "ADMINDESCRIPTION")
    assert {u.place for u in scope} == {Place.SCOPE}
    assert "adminDescription NOTSTARTSWITH User_" in {u.detail for u in scope}
    join = [
        u
        for u in conflicts.rules_reading(real, "sourceAnchor")
        if u.place is Place.JOIN
    ]
    assert "In from AAD - User Join" in {u.rule.name for u in join}
    assert conflicts.rules_reading(real, "employeeType") == []


def test_expression_reads_what_src_does_not_list(real: Configuration) -> None:
    # Newer exports do not always list an expression's attributes under <src>.
    rule = _rule(
        "In from AD - User Custom",
        20,
        AttributeFlow.from_expression(
            "info", 'IIF(IsPresent([employeeType]),[employeeType],"[company]")'
        ),
    )
    uses = conflicts.rules_reading(_with(real, rule), "employeeType")
    assert [(u.rule.name, u.place) for u in uses] == [(rule.name, Place.EXPRESSION)]
    # A name inside a string literal is text, not a read.
    assert conflicts.rules_reading(_with(real, rule), "company", Direction.INBOUND) == [
        u for u in conflicts.rules_reading(real, "company", Direction.INBOUND)
    ]


def test_user_type_contributors_both_directions(real: Configuration) -> None:
    assert conflicts.user_type_contributors(real) == []
    inbound = _rule(
        "In from AD - User UserType",
        40,
        AttributeFlow.from_expression("userType", '"Guest"'),
    )
    outbound = _rule(
        "Out to AAD - User UserType",
        30,
        AttributeFlow.direct("UserType", "userType"),
        direction=Direction.OUTBOUND,
    )
    found = conflicts.user_type_contributors(_with(real, inbound, outbound))
    assert [c.rule.name for c in found] == [outbound.name, inbound.name]
    assert [c.rule.direction for c in found] == [Direction.OUTBOUND, Direction.INBOUND]


def test_precedences_in_use_and_free(real: Configuration) -> None:
    assert conflicts.precedences_in_use(real) == list(range(100, 162))
    assert conflicts.free_precedences(real) == list(range(1, 100))
    edited = _with(
        real, _rule("a", 5), _rule("b", 50), replace(_rule("c", 50), id="{c}")
    )
    free = conflicts.free_precedences(edited)
    assert 5 not in free and 50 not in free and len(free) == 97
    assert list(conflicts.duplicate_precedences(edited)) == [50]
    assert conflicts.duplicate_precedences(real) == {}


def test_disabled_out_of_box_rules_and_their_clones(real: Configuration) -> None:
    assert conflicts.disabled_with_clones(real) == []
    by_name = {r.name: r for r in real.rules}
    join = replace(by_name["In from AD - User Join"], disabled=True)
    common = replace(by_name["In from AD - User Common"], disabled=True)
    clone = replace(
        join,
        id="{11111111-1111-4111-8111-111111111111}",
        name="Custom - In from AD - user join",
        immutable_tag="",
        disabled=False,
        precedence=10,
    )
    elsewhere = replace(clone, id="{2}", connector=ENTRA_ID)
    disabled_clone = replace(clone, id="{3}", disabled=True)
    others = tuple(r for r in real.rules if r.name not in {join.name, common.name})
    edited = replace(
        real, rules=(*others, join, common, clone, elsewhere, disabled_clone)
    )
    found = conflicts.disabled_with_clones(edited)
    assert [(c.original.name, [r.name for r in c.clones]) for c in found] == [
        ("In from AD - User Join", [clone.name]),
        ("In from AD - User Common", []),
    ]


def test_connector_selections(real: Configuration) -> None:
    assert conflicts.ad_connectors_including(real, "extensionAttribute1") == {
        "contoso.com": True
    }
    assert conflicts.ad_connectors_including(real, "msDS-cloudExtensionAttribute1") == {
        "contoso.com": False
    }
    assert conflicts.entra_includes_user_type(real) is False
    entra = real.entra_connector
    assert entra is not None
    selected = replace(
        entra, attribute_inclusions=(*entra.attribute_inclusions, "userType")
    )
    others = tuple(c for c in real.connectors if c is not entra)
    assert conflicts.entra_includes_user_type(
        replace(real, connectors=(*others, selected))
    )
    assert conflicts.entra_includes_user_type(replace(real, connectors=others)) is None


def test_metaverse_user_type_by_build(real: Configuration) -> None:
    assert conflicts.metaverse_has_user_type(real) is False
    mv = real.metaverse
    person = (*mv.object_types["person"], "userType")
    newer = MetaverseSchema({**mv.object_types, "person": person}, mv.attributes)
    assert conflicts.metaverse_has_user_type(replace(real, metaverse=newer))


def test_analyse_answers_every_question(real: Configuration) -> None:
    report = conflicts.analyse(real, "extensionAttribute1")
    assert report.readers and all(
        u.rule.direction is Direction.INBOUND for u in report.readers
    )
    assert report.free_precedences[0] == 1
    assert report.ad_connectors_including == {"contoso.com": True}
    assert (report.entra_includes_user_type, report.metaverse_has_user_type) == (
        False,
        False,
    )


def test_unparsable_expression_still_searched() -> None:
    assert conflicts.expression_reads('IIF([a] = "x",[b]') >= {"a", "b"}


def test_scope_condition_details(real: Configuration) -> None:
    rule = _rule("scoped", 12)
    rule = replace(
        rule,
        scope_groups=(ScopeGroup((ScopeCondition("employeeType", "ISNOTNULL"),)),),
    )
    (use,) = conflicts.rules_reading(_with(real, rule), "employeetype")
    assert (use.place, use.detail) == (Place.SCOPE, "employeeType ISNOTNULL")
