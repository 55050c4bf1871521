"""Every row of the real expression corpus (../shared/real-inputs/expressions.jsonl).

Valid rows parse, compile and evaluate to an outcome; the rows whose note
starts with NEGATIVE: or SUSPECT: are refused or flagged the way the note says.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import REAL_INPUTS
from lxml import etree

from generator.expressions import (
    ExpressionError,
    Outcome,
    Severity,
    compile_expression,
    lint,
    parse,
    unparse,
)

CORPUS = REAL_INPUTS / "expressions.jsonl"


def _rows() -> list[dict[str, Any]]:
    with CORPUS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


ROWS = _rows()
FLAGGED = ("NEGATIVE:", "SUSPECT:")
VALID = [r for r in ROWS if not r.get("note", "").startswith(FLAGGED)]
MARKED = {r["id"]: r for r in ROWS if r.get("note", "").startswith(FLAGGED)}

# What each note asks for: the lint ids (or parse error text) it names.
EXPECTED = {
    "C75": ("unbalanced ')'", {"EXPR-PARAMETER"}),
    "C79": ("unknown function Concatenate", {"EXPR-NAME"}),
    "C80": (None, {"EXPR-PLUS-STRING", "EXPR-MID-ARGUMENTS"}),
}

SAMPLE_USER = {
    "userprincipalname": ("Bob.Smith@Partners.Fabrikam123.org",),
    "samaccountname": ("bsmith",),
    "mail": ("bob@fabrikam123.org",),
    "proxyaddresses": ("SMTP:bob@fabrikam123.org", "smtp:b@x.org", "SIP:bob@x.org"),
    "description": ("first", "second"),
    "useraccountcontrol": ("512",),
    "msexchrecipienttypedetails": ("1",),
    "objectguid": (bytes(range(16)),),
    "objectsid": (
        bytes.fromhex("010500000000000515000000a065cf7e784b9b5ffe77c87705060000"),
    ),
    "dn": ("CN=Bob Smith,OU=Partners,DC=fabrikam123,DC=org",),
    "givenname": ("bOB",),
    "sn": ("smith",),
    "displayname": ("Bob (MSOL)",),
    "pwdlastset": ("129699324000000000",),
    "grouptype": ("-2147483646",),
    "membercount": ("3",),
}
PARAMETERS = {
    "Domain.FQDN": "fabrikam123.org",
    "Domain.Netbios": "FABRIKAM",
    "Domain.LDAP": "DC=fabrikam123,DC=org",
    "Forest.FQDN": "fabrikam123.org",
    "Forest.Netbios": "FABRIKAM",
    "Forest.LDAP": "DC=fabrikam123,DC=org",
    "Connector.ID": "7e2e6d45-3c2f-4f6a-9d8a-1c1a5f0b9e11",
    "ForestLDAP": "DC=fabrikam123,DC=org",
}


def test_corpus_has_the_documented_shape() -> None:
    assert len(ROWS) == 78
    assert set(MARKED) == set(EXPECTED), "a flagged row has no expectation here"


@pytest.mark.parametrize("row", VALID, ids=[r["id"] for r in VALID])
def test_valid_row_parses_and_evaluates(row: dict[str, Any]) -> None:
    tree = parse(row["expr"], source=row["id"])
    outcome = compile_expression(tree).evaluate(SAMPLE_USER, PARAMETERS)
    assert isinstance(outcome, Outcome)
    blockers = [f for f in lint(row["expr"]) if f.severity is Severity.BLOCKER]
    assert blockers == []
    canonical = unparse(tree)
    assert parse(canonical) == tree
    assert compile_expression(canonical).evaluate(
        SAMPLE_USER, PARAMETERS
    ) == outcome or (row["expr"].count("Guid()") or row["expr"].count("RandomNum("))


@pytest.mark.parametrize("rid", sorted(EXPECTED))
def test_marked_row_is_refused_or_flagged(rid: str) -> None:
    expr = MARKED[rid]["expr"]
    parse_error, lint_ids = EXPECTED[rid]
    if parse_error is not None:
        with pytest.raises(ExpressionError) as caught:
            parse(expr)
        assert parse_error in str(caught.value)
    if parse_error and "unbalanced" in parse_error:
        # Past the doc's stray ')' the second mistake of the note shows.
        expr = expr[: caught.value.offset] + expr[caught.value.offset + 1 :]
    found = {f.id for f in lint(expr)}
    assert lint_ids <= found


def test_doc_bug_c75_points_at_the_stray_parenthesis() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(MARKED["C75"]["expr"], source="C75")
    assert (caught.value.line, caught.value.column) == (1, 62)
    assert str(caught.value).startswith("C75:1:62: ")


def test_c75_parameter_hint_names_the_real_parameter() -> None:
    fixed = MARKED["C75"]["expr"].replace('"," & %ForestLDAP%)', '"," & %ForestLDAP%')
    hints = [f.hint for f in lint(fixed) if f.id == "EXPR-PARAMETER"]
    assert hints == ["did you mean %Forest.LDAP%?"]


def test_c79_concatenate_is_a_blocker_with_a_hint() -> None:
    names = [f for f in lint(MARKED["C79"]["expr"]) if f.id == "EXPR-NAME"]
    assert len(names) == MARKED["C79"]["expr"].count("Concatenate(")
    name = names[0]
    assert name.severity is Severity.BLOCKER
    assert name.hint == "join strings with &"
    assert (name.line, name.column) == (1, 44)


def test_c80_plus_on_strings_is_a_blocker() -> None:
    (plus,) = [f for f in lint(MARKED["C80"]["expr"]) if f.id == "EXPR-PLUS-STRING"]
    assert plus.severity is Severity.BLOCKER
    assert plus.hint == "join strings with &"


def _export_expressions() -> list[str]:
    folder = (
        REAL_INPUTS / "aadconnect-config" / "contoso-pilot" / "SynchronizationRules"
    )
    found = []
    for path in sorted(folder.glob("*.xml")):
        for element in etree.parse(str(path)).iter("{*}expression", "expression"):
            if element.text:
                found.append(element.text)
    return found


def test_every_real_export_expression_parses_and_lints_without_warnings() -> None:
    expressions = _export_expressions()
    assert len(expressions) == 391
    for text in sorted(set(expressions)):
        parse(text)
        noisy = [f for f in lint(text) if f.severity is not Severity.INFO]
        assert noisy == [], text
