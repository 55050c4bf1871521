"""The rules the bundle adds, checked against PRODUCT.md's list, one fact a test."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from bundle_fixtures import analysis, marker, outcomes_of, with_cloud
from conftest import DATA, SAMPLES, run_cli
from psquote import single_quoted

from generator.bundle import write_bundle
from generator.bundle.build import needs_conversion
from generator.bundle.rules import ConnectorTarget, build_rules
from generator.escaping import UnrepresentableValue

AD = ConnectorTarget("contoso.com", None, "AD", "contoso.com")
FABRIKAM = ConnectorTarget("fabrikam.com", None, "AD", "fabrikam.com")
ENTRA = ConnectorTarget(None, None, "Entra")


def test_inbound_rule_shape() -> None:
    (inbound, _) = build_rules(marker(), (AD,), ENTRA)
    assert (inbound.direction, inbound.source_object_type) == ("Inbound", "user")
    assert inbound.target_object_type == "person"
    assert inbound.link_type == "Join" and inbound.immutable_tag == ""
    assert [
        [(c.attribute, c.operator, c.value) for c in g] for g in inbound.scope_groups
    ] == [[("adminDescription", "NOTSTARTSWITH", "User_")]]
    (flow,) = inbound.flows
    assert (flow.destination, flow.flow_type, flow.merge_type) == (
        "userType", "Expression", "Update",
    )  # fmt: skip
    assert flow.execute_once is False
    assert flow.expression == marker().expression


def test_outbound_rule_shape() -> None:
    (_, outbound) = build_rules(marker(), (AD,), ENTRA)
    assert (outbound.direction, outbound.source_object_type) == ("Outbound", "person")
    assert outbound.target_object_type == "user" and outbound.link_type == "Join"
    assert [
        [(c.attribute, c.operator, c.value) for c in g] for g in outbound.scope_groups
    ] == [
        [("sourceObjectType", "EQUAL", "User"), ("cloudMastered", "NOTEQUAL", "True")]
    ]
    (flow,) = outbound.flows
    assert (flow.flow_type, flow.sources, flow.destination) == (
        "Direct", ("userType",), "userType",
    )  # fmt: skip


def test_designated_attribute_flows_as_an_expression_never_direct() -> None:
    rules = build_rules(marker("designate"), (AD,), ENTRA)
    inbound = [r for r in rules if r.direction == "Inbound"]
    assert all(f.flow_type == "Expression" for r in inbound for f in r.flows)


def test_one_inbound_rule_per_forest_plus_inetorgperson_where_partners_use_it() -> None:
    rules = build_rules(marker(), (FABRIKAM, AD), ENTRA, frozenset({"fabrikam.com"}))
    summary = [(r.direction, r.connector.name, r.source_object_type) for r in rules]
    assert summary == [
        ("Inbound", "contoso.com", "user"),
        ("Inbound", "fabrikam.com", "user"),
        ("Inbound", "fabrikam.com", "inetOrgPerson"),
        ("Outbound", None, "person"),
    ]
    assert len({r.identifier for r in rules}) == len(rules)
    assert len({r.key for r in rules}) == len(rules)


def test_proposed_precedences_follow_the_rule_order() -> None:
    rules = build_rules(marker(), (AD,), ENTRA, proposed=(7, 9))
    assert [r.proposed_precedence for r in rules] == [7, 9]
    assert [r.proposed_precedence for r in build_rules(marker(), (AD,), ENTRA)] == [
        None, None,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("version", "expected"),
    [("1.4.38.0", True), ("1.5.29.9", True), ("1.5.30.0", False), ("2.3.20.0", False),
     (None, False), ("not a version", False)],
)  # fmt: skip
def test_conversion_needed_before_1_5_30(version: str | None, expected: bool) -> None:
    assert needs_conversion(version) is expected


def test_convert_lists_only_users_whose_cloud_type_differs(tmp_path: Path) -> None:
    found, population = analysis(connect_version="1.4.38.0")
    cloud = with_cloud(population, "Member")
    write_bundle(found, tmp_path / "b", force=False, outcomes=outcomes_of(cloud))
    script = (tmp_path / "b" / "Convert-ExistingUsers.ps1").read_text("utf-8-sig")
    listed = set(single_quoted(script))
    for user in population:
        assert (user.upn in listed) is (user.result == "Guest"), user.upn


def test_no_convert_script_from_1_5_30(tmp_path: Path) -> None:
    found, population = analysis(connect_version="1.5.30.0")
    write_bundle(found, tmp_path / "b", force=False, outcomes=outcomes_of(population))
    assert not (tmp_path / "b" / "Convert-ExistingUsers.ps1").exists()
    assert "1.5.30.0" in (tmp_path / "b" / "CHANGE.md").read_text()


def test_pinned_precedence_is_the_scripts_default(tmp_path: Path) -> None:
    found, population = analysis(precedence=42)
    write_bundle(found, tmp_path / "b", force=False, outcomes=outcomes_of(population))
    script = (tmp_path / "b" / "Enable-UserTypeSync.ps1").read_text("utf-8-sig")
    assert "[int]$Precedence = 42," in script
    assert "ProposedPrecedence = 42\n" in script


def test_designated_attribute_must_be_an_ldap_name(tmp_path: Path) -> None:
    found, population = analysis("designate")
    assert found.marker is not None
    found.marker = replace(found.marker, designated_attribute="x\nreplace: member")
    with pytest.raises(UnrepresentableValue):
        write_bundle(
            found, tmp_path / "b", force=False, outcomes=outcomes_of(population)
        )
    assert not (tmp_path / "b").exists()


def test_two_connectors_of_one_forest_get_their_own_rules() -> None:
    second = ConnectorTarget("contoso.com (resource)", None, "AD", "contoso.com")
    rules = build_rules(marker(), (AD, second), ENTRA)
    inbound = [r for r in rules if r.direction == "Inbound"]
    assert len({r.identifier for r in inbound}) == 2


def test_two_forests_get_one_inbound_rule_each(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    schema = str(SAMPLES / "alderbrook-schema.ldf")
    run = run_cli(
        "generate",
        "--source", str(SAMPLES / "alderbrook-users.ldf"), "--schema", schema,
        "--source", str(DATA / "bundle" / "contoso-corp-users.ldf"), "--schema", schema,
        "--partner-suffix", "partners.alderbrook.example",
        "--partner-suffix", "partners.contoso.com",
        "--marker", "upn-suffix:partners.alderbrook.example,partners.contoso.com",
        "--out", str(out),
    )  # fmt: skip
    assert run.code == 0, run.stderr
    report = json.loads((out / "report.json").read_text())
    inbound = [r["connector"] for r in report["rules"] if r["direction"] == "Inbound"]
    assert inbound == ["alderbrook.example", "contoso.com"]
    assert set(report["preview"]["by_forest"]) == {"alderbrook.example", "contoso.com"}
    literals = single_quoted((out / "Enable-UserTypeSync.ps1").read_text("utf-8-sig"))
    assert {"ad:alderbrook.example", "ad:contoso.com"} <= set(literals)
