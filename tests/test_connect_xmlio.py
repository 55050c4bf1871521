"""Reading the real Entra Connect export, and writing rules back in its format."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REAL_INPUTS
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.connect.model import (
    AttributeFlow,
    Configuration,
    Direction,
    FlowType,
    JoinCondition,
    JoinGroup,
    ScopeCondition,
    ScopeGroup,
    SyncRule,
)
from generator.connect.xmlio import (
    canonical,
    read_configuration,
    read_rule,
    write_rule,
)
from generator.errors import InputError, OutputError
from generator.expressions import parse

EXPORT = REAL_INPUTS / "aadconnect-config" / "contoso-pilot"
RULE_FILES = sorted((EXPORT / "SynchronizationRules").glob("*.xml"))


@pytest.fixture(scope="module")
def config() -> Configuration:
    return read_configuration(EXPORT)


def test_the_export_holds_what_its_sources_note_says(config: Configuration) -> None:
    assert len(RULE_FILES) == 62
    assert len(config.rules) == 62
    directions = [r.direction for r in config.rules]
    assert directions.count(Direction.INBOUND) == 28
    assert directions.count(Direction.OUTBOUND) == 34
    assert sorted(r.precedence for r in config.rules) == list(range(100, 162))
    assert all(r.is_out_of_box and not r.disabled for r in config.rules)
    links = [r.link_type for r in config.rules]
    assert (links.count("Provision"), links.count("Join")) == (9, 53)


def test_connectors_and_their_selections(config: Configuration) -> None:
    ad = config.connector("CONTOSO.COM")
    entra = config.entra_connector
    assert ad is not None and ad.is_ad and not ad.is_entra
    assert entra is not None and entra.name == "contoso.onmicrosoft.com - AAD"
    assert config.connector("{B891884F-051E-4A83-95AF-2544101C9083}") is entra
    assert ad.includes("extensionattribute1") and not ad.includes("employeeType")
    assert not entra.includes("userType") and entra.includes("usageLocation")
    (partition,) = ad.partitions
    assert partition.name == "DC=contoso,DC=com"
    assert partition.inclusions == ("OU=CORP,DC=contoso,DC=com",)
    assert partition.exclusions == ("DC=contoso,DC=com",)
    assert "user" in ad.object_types and "inetOrgPerson" in ad.object_types
    # The AD schema resolves attribute ids and inherits from superior classes.
    assert "userPrincipalName" in ad.schema["user"]
    assert "cn" in ad.schema["user"]


def test_metaverse_schema_predates_user_type(config: Configuration) -> None:
    mv = config.metaverse
    assert set(mv.object_types) == {"person", "group", "device"}
    assert mv.has("person", "accountenabled")
    assert not mv.has("person", "userType")
    assert mv.attributes["proxyAddresses"].multivalued
    assert not mv.attributes["accountEnabled"].multivalued
    assert mv.server == "CONTOSO-SYNC01"
    assert mv.server_version == "1.1.130.0"


def test_flow_types_and_quirks(config: Configuration) -> None:
    flows = [f for r in config.rules for f in r.flows]
    assert len(flows) == 1200
    kinds = {t: sum(f.flow_type is t for f in flows) for t in FlowType}
    assert kinds[FlowType.EXPRESSION] == 391
    assert kinds[FlowType.CONSTANT] == 7
    constants = sorted(f.constant for f in flows if f.constant is not None)
    assert constants == ["Computer", "Contact", "False", "ServerAd", *["True"] * 3]
    assert sum(f.execute_once for f in flows) == 2
    # Expressions that only read parameters (%Connector.ID%) list no <src>.
    no_source = [
        f for f in flows if f.flow_type is FlowType.EXPRESSION and not f.sources
    ]
    assert len(no_source) == 20
    assert all(re.fullmatch(r"%[A-Za-z.]+%", f.expression or "") for f in no_source)
    case_sensitive = [
        c for r in config.rules for c in r.join_conditions() if c.case_sensitive
    ]
    assert len(case_sensitive) == 3


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem[20:28])
def test_every_real_rule_round_trips(path: Path) -> None:
    original = path.read_bytes()
    written = write_rule(read_rule(path))
    assert canonical(written) == canonical(original)
    assert written == original  # byte for byte, as it happens


def test_written_rules_carry_no_declaration_bom_or_crlf(config: Configuration) -> None:
    data = write_rule(config.rules[0])
    assert data.startswith(b"<synchronizationRule>")
    assert b"\r" not in data and not data.endswith(b"\n")


def _custom_rule(name: str, expression: str) -> SyncRule:
    return SyncRule(
        id="{0c8f6a7e-1d2b-4c3d-9e8f-001122334455}",
        name=name,
        description=f"about {name}",
        direction=Direction.INBOUND,
        connector="{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}",
        source_object_type="user",
        target_object_type="person",
        precedence=50,
        scope_groups=(
            ScopeGroup((ScopeCondition("adminDescription", "NOTSTARTSWITH", "User_"),)),
        ),
        join_groups=(JoinGroup((JoinCondition("objectGUID", "sourceAnchor", False),)),),
        flows=(
            AttributeFlow.from_expression(
                "userType", expression, ("userPrincipalName",)
            ),
            AttributeFlow.direct("department", "department"),
            AttributeFlow.constant_value("cloudFiltered", ""),
        ),
    )


@pytest.mark.parametrize(
    "name",
    ['It\'s "odd"', "a <script>alert(1)</script> & b", "two\nlines", "$(rm -rf /)|`x`"],
)
def test_a_built_rule_survives_writing_and_reading(tmp_path: Path, name: str) -> None:
    rule = _custom_rule(
        name, 'IIF(Right(LCase([userPrincipalName]),4)=".org","Guest","Member")'
    )
    path = tmp_path / rule.file_name
    path.write_bytes(write_rule(rule))
    assert read_rule(path) == replace(rule, internal_id=rule.id)


def _copy_export(tmp_path: Path) -> Path:
    target = tmp_path / "export"
    shutil.copytree(EXPORT, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def test_broken_xml_names_file_and_line(tmp_path: Path) -> None:
    export = _copy_export(tmp_path)
    victim = export / "SynchronizationRules" / RULE_FILES[3].name
    lines = victim.read_text().splitlines()
    lines[6] = lines[6].replace("</immutable-tag>", "</immutable>")
    victim.write_text("\n".join(lines))
    with pytest.raises(InputError) as caught:
        read_configuration(export)
    assert caught.value.path == str(victim)
    assert caught.value.line == 7
    message = str(caught.value)
    assert message.count("line") == 1  # the line leads, once: "FILE:7:"
    assert re.search(
        r":7: broken XML at column \d+: </immutable> does not close <immutable-tag> "
        r"\(opened on line 7\)$",
        message,
    ), message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"", ":1: broken XML at column 1: Document is empty"),
        (b"<a>&bogus;</a>", ":1: broken XML at column 11: Entity 'bogus' not defined"),
    ],
)
def test_broken_xml_says_where_once(tmp_path: Path, text: bytes, expected: str) -> None:
    (tmp_path / "SynchronizationRules").mkdir()
    victim = tmp_path / "SynchronizationRules" / "SynchronizationRule_x.xml"
    victim.write_bytes(text)
    with pytest.raises(InputError) as caught:
        read_configuration(tmp_path)
    assert str(caught.value) == f"{victim}{expected}"


def test_missing_element_names_file_and_line(tmp_path: Path) -> None:
    export = _copy_export(tmp_path)
    victim = export / "SynchronizationRules" / RULE_FILES[0].name
    text = victim.read_text()
    victim.write_text(text.replace("<precedence>139</precedence>", ""))
    with pytest.raises(InputError, match="has no <precedence>") as caught:
        read_configuration(export)
    assert caught.value.line == 1


def test_not_an_export(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="SynchronizationRules"):
        read_configuration(tmp_path)
    with pytest.raises(InputError, match=r"nope: not found \(expected a config"):
        read_configuration(tmp_path / "nope")
    (tmp_path / "file.xml").write_text("<a/>")
    with pytest.raises(InputError, match=r"file\.xml: not a folder"):
        read_configuration(tmp_path / "file.xml")


_XML_TEXT = st.text(
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
        "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\ufffe\uffff",
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(
    name=_XML_TEXT.filter(bool),
    description=_XML_TEXT,
    expression=_XML_TEXT,
    value=_XML_TEXT,
    once=st.booleans(),
)
def test_any_xml_text_round_trips(
    name: str, description: str, expression: str, value: str, once: bool
) -> None:
    rule = replace(
        _custom_rule(name, expression),
        internal_id="{0c8f6a7e-1d2b-4c3d-9e8f-001122334455}",
        description=description,
        scope_groups=(ScopeGroup((ScopeCondition("a", "EQUAL", value),)),),
    )
    rule = replace(rule, flows=(replace(rule.flows[0], execute_once=once),))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / rule.file_name
        path.write_bytes(write_rule(rule))
        assert read_rule(path) == rule


def test_control_characters_are_refused_with_a_clear_error() -> None:
    rule = _custom_rule("bell\x07", "1")
    with pytest.raises(OutputError, match="cannot hold control characters"):
        write_rule(rule)


def test_every_real_expression_parses(config: Configuration) -> None:
    expressions = [f.expression for r in config.rules for f in r.flows if f.expression]
    assert len(expressions) == 391
    for text in expressions:
        parse(text, source="contoso-pilot")  # raises ExpressionError with a position


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_rules_saved_with_a_bom_read_the_same(tmp_path: Path, encoding: str) -> None:
    original = RULE_FILES[5]
    text = original.read_text(encoding="utf-8")
    if encoding == "utf-16":
        text = '<?xml version="1.0" encoding="utf-16"?>\n' + text
    copy = tmp_path / original.name
    copy.write_bytes(text.encode(encoding))
    assert read_rule(copy) == read_rule(original)
