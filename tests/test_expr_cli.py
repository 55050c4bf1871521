"""`entra-rulegen lint-expression`: output, JSON document and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli
from typer.testing import CliRunner

from generator.cli import app

GOOD_USERTYPE = (
    'IIF(Right(LCase([userPrincipalName]),Len("@partners.contoso.com"))'
    '="@partners.contoso.com","Guest","Member")'
)
DOC_USERTYPE = (
    "IIF(IsPresent([userPrincipalName]),IIF(CBool(InStr(LCase([userPrincipalName]),"
    '"@partners.fabrikam123.org")=0),"Member","Guest"),'
    'Error("UserPrincipalName is not present to determine UserType"))'
)


def test_clean_expression_exits_0() -> None:
    result = run_cli("lint-expression", GOOD_USERTYPE, "--target", "userType")
    assert result.code == 0, result.stderr
    assert "no findings" in result.stdout


def test_parse_error_is_one_positioned_line_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "rule.txt"
    path.write_text('IIF(IsPresent([upn]),\n  "a" "b")\n', encoding="utf-8")
    result = run_cli("lint-expression", "--file", str(path))
    assert result.code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"{path}:2:7: " in lines[0]
    assert "hint:" in lines[0]


def test_doc_usertype_sample_blocks_with_exit_3() -> None:
    result = run_cli("lint-expression", DOC_USERTYPE, "--target", "userType")
    assert result.code == 3
    for rule in ("UT-CONTAINS", "UT-ERROR", "UT-MISSING-SOURCE"):
        assert rule in result.stdout
    assert "blocking" in result.stderr


def test_json_document_has_schema_version_and_findings() -> None:
    result = run_cli("lint-expression", DOC_USERTYPE, "--target", "userType", "--json")
    assert result.code == 3
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    assert document["attributes_read"] == ["userPrincipalName"]
    assert document["parses"] is True
    ids = {f["id"] for f in document["findings"]}
    assert {"UT-CONTAINS", "UT-ERROR"} <= ids
    first = document["findings"][0]
    assert set(first) == {"id", "severity", "message", "line", "column", "hint"}
    assert document["blockers"] == sum(
        f["severity"] == "blocker" for f in document["findings"]
    )


def test_unknown_function_parses_but_blocks() -> None:
    result = run_cli("lint-expression", 'Concatenate([givenName], " ", [sn])', "--json")
    assert result.code == 3
    document = json.loads(result.stdout)
    assert document["parses"] is False
    assert document["findings"][0]["id"] == "EXPR-NAME"


def test_warnings_alone_exit_0() -> None:
    result = run_cli("lint-expression", "IsPresent([a]) && IsPresent([b]) || True")
    assert result.code == 0
    assert "EXPR-MIXED-LOGIC" in result.stdout


def test_a_line_break_inside_a_string_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "rule.txt"
    path.write_text('IIF([a]="x\ny","Guest","Member")', encoding="utf-8")
    result = run_cli("lint-expression", "--file", str(path))
    assert result.code == 1
    assert f"{path}:1:11: a line break inside a string" in result.stderr


def test_a_utf16_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "rule.txt"
    path.write_bytes("\ufeffTrim([a])\r\n".encode("utf-16-le"))
    result = run_cli("lint-expression", "--file", str(path))
    assert result.code == 0, result.stderr
    assert "no findings" in result.stdout


def test_json_of_an_expression_that_does_not_parse() -> None:
    result = run_cli("lint-expression", "--json", "IIF(")
    assert result.code == 1
    document = json.loads(result.stdout)
    assert document["parses"] is False and document["findings"] == []
    assert document["error"] == {
        "message": "the expression ends where a value is expected",
        "line": 1,
        "column": 5,
        "hint": "complete the last operator or argument",
    }
    assert "<expression>:1:5:" in result.stderr


def test_json_of_an_expression_that_parses_has_no_error() -> None:
    result = run_cli("lint-expression", "--json", "Trim([a])")
    assert result.code == 0
    assert json.loads(result.stdout)["error"] is None


def test_a_constant_usertype_is_a_warning() -> None:
    # every user the same: no attribute tells partners apart
    result = run_cli("lint-expression", "--target", "userType", '"Guest"')
    assert result.code == 0
    assert "warning  UT-CONSTANT" in result.stdout
    plain = run_cli("lint-expression", '"Guest"')
    assert "no findings" in plain.stdout


def test_expression_and_file_together_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("[a]", encoding="utf-8")
    assert run_cli("lint-expression", "[a]", "--file", str(path)).code == 2
    assert run_cli("lint-expression").code == 2


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    result = run_cli("lint-expression", "--file", str(tmp_path / "none.txt"))
    assert result.code == 1
    assert "none.txt" in result.stderr


def test_schema_enables_attribute_casing(real_inputs: Path) -> None:
    schema = real_inputs / "ad-exports" / "ldapsearch-samba-schema.ldif"
    result = run_cli(
        "lint-expression",
        "Trim([UserPrincipalName])",
        "--schema",
        str(schema),
        "--json",
    )
    assert result.code == 3
    (found,) = json.loads(result.stdout)["findings"]
    assert found["id"] == "EXPR-ATTRIBUTE-CASE"
    assert found["hint"] == "did you mean [userPrincipalName]?"
    clean = run_cli(
        "lint-expression", "Trim([userPrincipalName])", "--schema", str(schema)
    )
    assert clean.code == 0


def test_parse_error_with_json_prints_the_error_in_the_document() -> None:
    result = run_cli("lint-expression", "Replace($item,“-”,“”)", "--json")
    assert result.code == 1
    error = json.loads(result.stdout)["error"]
    assert (error["line"], error["column"]) == (1, 15)
    assert "typographic quote" in error["message"]
    assert "1:15: typographic quote" in result.stderr


def test_file_dash_reads_stdin() -> None:
    result = CliRunner().invoke(
        app, ["lint-expression", "--file", "-", "--json"], input='Trim([a]) & "\\t"'
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["source"] == "<stdin>"
    assert document["attributes_read"] == ["a"]


def test_schema_types_catch_a_string_function_on_a_reference(real_inputs: Path) -> None:
    schema = real_inputs / "ad-exports" / "ldapsearch-samba-schema.ldif"
    result = run_cli(
        "lint-expression", 'Replace([member],"CN=","")', "--schema", str(schema)
    )
    assert result.code == 3
    assert "EXPR-TYPE" in result.stdout and "reference (DN)" in result.stdout
