"""`entra-rulegen diff` between the real export and edited copies of it."""

from __future__ import annotations

import html
import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from connect_copies import (
    AD_CONNECTOR_FILE,
    ENTRA_CONNECTOR_FILE,
    EXPORT,
    HOSTILE,
    add_rule,
    copy_export,
    edit,
    rename_connector,
    rule_file,
    user_type_rules,
)
from markdown_it import MarkdownIt
from test_bundle_config import PARTNERS, USERS, with_user_type

from generator.connect.xmlio import read_configuration
from generator.diff import compare

COMMON = "In from AD - User Common"
AD_RULES = 29  # rules on the AD connector in the real export


def _diff(a: Path, b: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    run = run_cli(
        "diff", "--connect-config", str(a), "--connect-config", str(b), "--json", *extra
    )
    assert run.code in (0, 4), run.stderr
    document = json.loads(run.stdout)
    assert document["schema_version"] == 1
    assert document["equal"] is (run.code == 0)
    return run.code, document


def _changed_fields(document: dict[str, Any]) -> dict[str, list[str]]:
    return {
        c["b"]["name"]: [x["field"] for x in c["changes"]]
        for c in document["rules"]["changed"]
    }


def test_the_export_equals_itself_and_a_copy(tmp_path: Path) -> None:
    run = run_cli(
        "diff",
        "--connect-config",
        str(EXPORT),
        "--connect-config",
        str(copy_export(tmp_path)),
    )
    assert run.code == 0, run.stderr
    assert "No differences." in run.stdout


def test_changed_expression(tmp_path: Path) -> None:
    b = copy_export(tmp_path)
    edit(
        rule_file(b, COMMON),
        "IIF(IsNullOrEmpty([displayName])",
        "IIF(IsNullOrEmpty([givenName])",
    )
    code, document = _diff(EXPORT, b)
    assert code == 4
    assert _changed_fields(document) == {COMMON: ["flow displayName expression"]}
    (change,) = document["rules"]["changed"][0]["changes"]
    assert "[displayName]" in change["before"] and "[givenName]" in change["after"]
    assert document["rules"]["added"] == document["rules"]["removed"] == []


def test_whitespace_in_an_expression_is_not_a_change(tmp_path: Path) -> None:
    b = copy_export(tmp_path)
    edit(
        rule_file(b, COMMON),
        "IIF(IsNullOrEmpty([displayName])",
        "IIF( IsNullOrEmpty( [displayName] )\n",
    )
    code, _ = _diff(EXPORT, b)
    assert code == 0


def test_disabled_rule(tmp_path: Path) -> None:
    b = copy_export(tmp_path)
    edit(rule_file(b, "In from AD - User Join"), "<disabled>False", "<disabled>True")
    code, document = _diff(EXPORT, b)
    assert code == 4
    assert _changed_fields(document) == {"In from AD - User Join": ["disabled"]}
    change = document["rules"]["changed"][0]
    assert (change["a"]["disabled"], change["b"]["disabled"]) == (False, True)


def test_renamed_connector_without_and_with_map(tmp_path: Path) -> None:
    b = copy_export(tmp_path)
    rename_connector(b, AD_CONNECTOR_FILE, "contoso.com", "fabrikam.com")
    code, document = _diff(EXPORT, b)
    assert code == 4
    assert document["connectors"] == {
        "added": ["fabrikam.com"],
        "removed": ["contoso.com"],
        "changed": [],
    }
    assert (
        len(document["rules"]["removed"]) == len(document["rules"]["added"]) == AD_RULES
    )
    assert {r["connector"] for r in document["rules"]["added"]} == {"fabrikam.com"}
    assert any("--map contoso.com=fabrikam.com" in h for h in document["hints"])
    code, document = _diff(EXPORT, b, "--map", "contoso.com=fabrikam.com")
    assert code == 0, document
    assert document["mapping"] == {"contoso.com": "fabrikam.com"}


def test_the_map_hint_can_be_pasted_for_names_with_spaces(tmp_path: Path) -> None:
    b = copy_export(tmp_path)
    old, new = "contoso.onmicrosoft.com - AAD", "fabrikam.onmicrosoft.com - AAD"
    rename_connector(b, ENTRA_CONNECTOR_FILE, old, new)
    code, document = _diff(EXPORT, b)
    assert code == 4
    (hint,) = document["hints"]
    option = shlex.split(hint.split("compare with ", 1)[1])
    assert option == ["--map", f"{old}={new}"]
    assert _diff(EXPORT, b, *option)[0] == 0


def test_a_rule_is_matched_by_direction_too(tmp_path: Path) -> None:
    b = copy_export(tmp_path)
    join = "In from AD - User Join"
    edit(rule_file(b, join), "<direction>Inbound<", "<direction>Outbound<")
    code, document = _diff(EXPORT, b)
    assert code == 4
    assert [(r["direction"], r["name"]) for r in document["rules"]["removed"]] == [
        ("Inbound", join)
    ]
    assert [(r["direction"], r["name"]) for r in document["rules"]["added"]] == [
        ("Outbound", join)
    ]
    assert document["rules"]["changed"] == []


def test_connector_names_compare_case_insensitively(tmp_path: Path) -> None:
    b = copy_export(tmp_path)
    rename_connector(b, AD_CONNECTOR_FILE, "contoso.com", "Contoso.COM")
    edit(rule_file(b, COMMON), f"<name>{COMMON}<", f"<name>{COMMON.upper()}<")
    assert _diff(EXPORT, b)[0] == 0


def test_added_custom_rule(tmp_path: Path) -> None:
    b = copy_export(tmp_path)
    inbound, _ = user_type_rules()
    add_rule(b, inbound)
    code, document = _diff(EXPORT, b)
    assert code == 4
    assert document["rules"]["added"] == [
        {
            "direction": "Inbound",
            "connector": "contoso.com",
            "name": inbound.name,
            "precedence": 90,
            "custom": True,
            "disabled": False,
        }
    ]
    assert document["rules"]["removed"] == document["rules"]["changed"] == []
    reverse = _diff(b, EXPORT)[1]
    assert [r["name"] for r in reverse["rules"]["removed"]] == [inbound.name]


def test_attribute_selections_and_metaverse(tmp_path: Path) -> None:
    b = copy_export(tmp_path)
    edit(
        b / "Connectors" / AD_CONNECTOR_FILE,
        "<attribute>info</attribute>",
        "<attribute>employeeType</attribute>",
    )
    edit(
        b / "Connectors" / ENTRA_CONNECTOR_FILE,
        "<attribute>usageLocation</attribute>",
        "<attribute>usageLocation</attribute><attribute>userType</attribute>",
    )
    edit(
        b / "GlobalSettings" / "MV.xml",
        '<dsml:attribute ref="#accountEnabled"',
        '<dsml:attribute ref="#userType" required="false" />'
        '<dsml:attribute ref="#accountEnabled"',
        1,
    )
    code, document = _diff(EXPORT, b)
    assert code == 4
    changed = {c["name"]: c for c in document["connectors"]["changed"]}
    assert changed["contoso.com"]["attributes_added"] == ["employeeType"]
    assert changed["contoso.com"]["attributes_removed"] == ["info"]
    assert changed["contoso.onmicrosoft.com - AAD"]["attributes_added"] == ["userType"]
    assert document["metaverse"] == [
        {"object_type": "person", "added": ["userType"], "removed": []}
    ]


def test_human_output_and_diff_md(tmp_path: Path) -> None:
    b = copy_export(tmp_path)
    edit(rule_file(b, "In from AD - User Join"), "<disabled>False", "<disabled>True")
    add_rule(b, user_type_rules(name=HOSTILE)[0])
    out = tmp_path / "report"
    run = run_cli(
        "diff",
        "--connect-config",
        str(EXPORT),
        "--connect-config",
        str(b),
        "--out",
        str(out),
    )
    assert run.code == 4, run.stderr
    assert "Rules added in B:" in run.stdout and "Rules changed:" in run.stdout
    assert "disabled: False" in run.stdout and "-> True" in run.stdout
    assert "Rules: 1 added, 0 removed, 1 changed." in run.stdout
    # A line break in a name cannot forge a line of the report.
    assert HOSTILE.replace("\n", "\\n") in run.stdout
    assert sorted(p.name for p in out.iterdir()) == ["DIFF.md"]
    text = (out / "DIFF.md").read_text()
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in rendered and "<em>" not in rendered
    assert "In from AD - User Join" in rendered
    assert re.search(r"\| disabled \| `False` \| `True` \|", text)
    again = run_cli(
        "diff",
        "--connect-config",
        str(EXPORT),
        "--connect-config",
        str(b),
        "--out",
        str(out),
    )
    assert again.code == 1 and "--force" in again.stderr
    forced = run_cli(
        "diff",
        "--connect-config",
        str(EXPORT),
        "--connect-config",
        str(EXPORT),
        "--out",
        str(out),
        "--force",
    )
    assert forced.code == 0
    assert "No differences" in (out / "DIFF.md").read_text()


def _markdown(path: Path) -> tuple[list[str], str]:
    """Token types of the Markdown file and the text it shows when rendered."""
    md = MarkdownIt("commonmark").enable("table")
    text = path.read_text()
    shown = html.unescape(re.sub(r"<[^>]+>", "", md.render(text)))
    return [t.type for t in md.parse(text)], shown


def test_hostile_connector_names_stay_text(tmp_path: Path) -> None:
    b = copy_export(tmp_path)
    rename_connector(b, AD_CONNECTOR_FILE, "contoso.com", HOSTILE)
    edit(rule_file(b, "In from AD - User Join"), "<disabled>False", "<disabled>True")
    out = tmp_path / "report"
    run = run_cli(
        "diff", "--connect-config", str(EXPORT), "--connect-config", str(b),
        "--map", f"contoso.com={HOSTILE}", "--out", str(out),
    )  # fmt: skip
    assert run.code == 4, run.stderr
    one_line = HOSTILE.replace("\n", "\\n")
    assert f"mapped: contoso.com = {one_line}" in run.stdout
    assert f"~ Inbound  {one_line}: In from AD - User Join" in run.stdout
    rendered = (
        MarkdownIt("commonmark").enable("table").render((out / "DIFF.md").read_text())
    )
    assert "<script" not in rendered and "<em>" not in rendered
    assert "<a " not in rendered and rendered.count("<h1>") == 1
    types, shown = _markdown(out / "DIFF.md")
    assert shown.count(HOSTILE.replace("\n", " ")) == 2  # mapping and rule heading
    # Without --map the connector's rules are added and removed, a row each,
    # and the | in its name does not add a cell.
    run = run_cli(
        "diff", "--connect-config", str(EXPORT), "--connect-config", str(b),
        "--out", str(out), "--force",
    )  # fmt: skip
    assert run.code == 4, run.stderr
    types, shown = _markdown(out / "DIFF.md")
    assert types.count("tr_open") == 2 * AD_RULES + 2  # and two header rows
    assert types.count("td_open") == 5 * 2 * AD_RULES
    # a row per rule and the connector added in B
    assert shown.count(HOSTILE.replace("\n", " ")) == AD_RULES + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--map", "contoso.com"], "expected NAME=NAME"),
        (["--map", "nope.example=contoso.com"], "A has no connector 'nope.example'"),
        (["--map", "contoso.com=nope.example"], "B has no connector 'nope.example'"),
    ],
)
def test_bad_map_is_a_usage_error(args: list[str], message: str) -> None:
    run = run_cli(
        "diff", "--connect-config", str(EXPORT), "--connect-config", str(EXPORT), *args
    )
    assert run.code == 2 and message in run.stderr


def test_needs_exactly_two_configurations() -> None:
    run = run_cli("diff", "--connect-config", str(EXPORT))
    assert run.code == 2 and "exactly twice" in run.stderr


def test_broken_b_is_an_input_error(tmp_path: Path) -> None:
    b = copy_export(tmp_path)
    edit(b / "GlobalSettings" / "MV.xml", "</mv-data>", "</mv-dat>")
    run = run_cli("diff", "--connect-config", str(EXPORT), "--connect-config", str(b))
    assert run.code == 1 and "MV.xml:" in run.stderr and run.stdout == ""


def test_bundle_check_shows_exactly_the_added_rules(tmp_path: Path) -> None:
    """A: a configuration; B: the same plus the rules/*.xml of a bundle for it."""
    a = with_user_type(tmp_path)  # the real export, given userType as newer builds
    out = tmp_path / "bundle"
    run = run_cli(
        "generate", "--source", str(USERS), *PARTNERS, "--connect-config", str(a),
        "--marker", "upn-suffix:partners.contoso.com", "--out", str(out),
    )  # fmt: skip
    assert run.code == 0, run.stderr
    rules = sorted((out / "rules").glob("SynchronizationRule_*.xml"))
    b = tmp_path / "with-bundle"
    shutil.copytree(a, b)
    for path in rules:
        shutil.copy(path, b / "SynchronizationRules" / path.name)
    code, document = _diff(a, b)
    assert code == 4
    report = json.loads((out / "report.json").read_text())
    assert document["rules"]["added"] == [
        {
            "direction": r["direction"],
            "connector": r["connector"],
            "name": r["name"],
            "precedence": r["proposed_precedence"],
            "custom": True,
            "disabled": False,
        }
        for r in sorted(report["rules"], key=lambda r: (r["connector"], r["direction"]))
    ]
    assert len(rules) == len(report["rules"]) == 2
    assert document["rules"]["removed"] == document["rules"]["changed"] == []
    assert document["connectors"] == {"added": [], "removed": [], "changed": []}
    assert document["metaverse"] == []
    # and the other way round: taking the bundle's rules away removes just them
    back = _diff(b, a)[1]
    assert back["rules"]["removed"] == document["rules"]["added"]
    assert back["rules"]["added"] == back["rules"]["changed"] == []


def test_compare_matches_rules_not_ids(tmp_path: Path) -> None:
    # Another server: every rule file and id differs, the rules do not.
    b = copy_export(tmp_path)
    for path in (b / "SynchronizationRules").glob("*.xml"):
        new_id = "{" + path.stem[21:-1][::-1] + "}"
        text = path.read_text().replace(path.stem[20:], new_id)
        path.unlink()
        (path.parent / f"SynchronizationRule_{new_id}.xml").write_text(text)
    a, other = read_configuration(EXPORT), read_configuration(b)
    assert {r.id for r in a.rules}.isdisjoint({r.id for r in other.rules})
    assert compare(a, other).equal


def test_partition_filter_and_flow_removal(tmp_path: Path) -> None:
    b = copy_export(tmp_path)
    edit(
        b / "Connectors" / AD_CONNECTOR_FILE,
        "<inclusion>OU=CORP,DC=contoso,DC=com</inclusion>",
        "<inclusion>OU=CORP,DC=contoso,DC=com</inclusion>"
        "<inclusion>OU=Partners,DC=contoso,DC=com</inclusion>",
    )
    common = rule_file(b, COMMON)
    text = common.read_text()
    start = text.index("<mapping>\n      <dest>displayName</dest>")
    end = text.index("</mapping>", start) + len("</mapping>")
    common.write_text(text[:start] + text[end:])
    code, document = _diff(EXPORT, b)
    assert code == 4
    (connector,) = document["connectors"]["changed"]
    (change,) = connector["changes"]
    assert change["field"] == "partition DC=contoso,DC=com included containers"
    assert change["after"].endswith("OU=Partners,DC=contoso,DC=com")
    (flow,) = document["rules"]["changed"][0]["changes"]
    assert flow["field"] == "flow displayName" and flow["after"] == "(none)"
    assert flow["before"].startswith("Expression IIF(IsNullOrEmpty([displayName])")
