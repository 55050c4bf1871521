"""lint(): semantic checks, and the checks for an expression feeding userType."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT

import generator.expressions
from generator.expressions import (
    ExpressionError,
    LintFinding,
    Severity,
    Value,
    compile_expression,
    lint,
)
from generator.expressions.lint import schema_types
from generator.schema import AttributeDef, Schema

GOOD = (
    'IIF(Right(LCase([userPrincipalName]),Len("@partners.contoso.com"))'
    '="@partners.contoso.com","Guest","Member")'
)
DOC_SAMPLE = (
    "IIF(IsPresent([userPrincipalName]),IIF(CBool(InStr(LCase([userPrincipalName]),"
    '"@partners.fabrikam123.org")=0),"Member","Guest"),'
    'Error("UserPrincipalName is not present to determine UserType"))'
)


def ids(findings: list[LintFinding]) -> set[str]:
    return {f.id for f in findings}


def usertype(text: str) -> list[LintFinding]:
    return lint(text, target="userType")


def test_syntax_errors_raise() -> None:
    with pytest.raises(ExpressionError):
        lint('IIF(IsPresent([a]),"x"')


def test_good_usertype_expression_is_clean() -> None:
    assert usertype(GOOD) == []


def test_two_suffixes_in_one_rule_are_clean() -> None:
    text = (
        'IIF(Right(LCase([userPrincipalName]),Len("@a.example"))="@a.example" || '
        'Right(LCase([userPrincipalName]),Len("@b.example"))="@b.example",'
        '"Guest","Member")'
    )
    assert usertype(text) == []


def test_unknown_function_is_a_blocker_with_suggestion() -> None:
    (found,) = lint("IsPresnt([a])")
    assert (found.id, found.severity, found.hint) == (
        "EXPR-NAME",
        Severity.BLOCKER,
        "did you mean IsPresent?",
    )


def test_attribute_casing_against_known_attributes() -> None:
    known = ["userPrincipalName", "extensionAttribute1"]
    (found,) = lint("[UserPrincipalName]", known_attributes=known)
    assert (found.id, found.severity) == ("EXPR-ATTRIBUTE-CASE", Severity.BLOCKER)
    assert found.hint == "did you mean [userPrincipalName]?"
    (unknown,) = lint("[extensionAttribute01]", known_attributes=known)
    assert unknown.id == "EXPR-ATTRIBUTE-UNKNOWN"
    assert unknown.severity is Severity.WARNING
    assert lint("[userPrincipalName]", known_attributes=known) == []


def test_attribute_casing_is_not_checked_without_a_schema() -> None:
    assert lint("[UserPrincipalName]") == []


def test_plus_on_strings_is_a_blocker() -> None:
    found = lint("UCase(Left([sn],1))+LCase(Mid([sn],2,99))")
    assert ids(found) == {"EXPR-PLUS-STRING"}
    assert found[0].column == 20
    assert lint("CNum([a]) + 1") == []


def test_mixing_and_or_without_parentheses_warns() -> None:
    (found,) = lint("IsPresent([a]) && IsPresent([b]) || IsPresent([c])")
    assert (found.id, found.severity) == ("EXPR-MIXED-LOGIC", Severity.WARNING)
    assert lint("(IsPresent([a]) && IsPresent([b])) || IsPresent([c])") == []
    assert lint("IsPresent([a]) || IsPresent([b]) || IsPresent([c])") == []


def test_mixing_arithmetic_levels_warns() -> None:
    assert ids(lint("1 + 2 * 3")) == {"EXPR-MIXED-ARITHMETIC"}
    assert lint("1 + (2 * 3)") == []
    assert lint("1 + 2 - 3") == []


def test_chained_comparison_warns() -> None:
    assert "EXPR-CHAINED-COMPARISON" in ids(lint("[a] = [b] = True"))


def test_constant_casing_warns() -> None:
    (found,) = lint("IIF(true, Null, 1)")[:1]
    assert found.id == "EXPR-CONSTANT-CASE"
    assert len(lint("IIF(true, Null, 1)")) == 2


def test_instr_start_zero_is_a_blocker() -> None:
    (found,) = lint('InStr([upn],"x",0)')
    assert (found.id, found.severity) == ("EXPR-INDEX", Severity.BLOCKER)


def test_undocumented_functions_are_info() -> None:
    found = lint("CBin(2,1)")
    assert ids(found) == {"EXPR-UNDOCUMENTED"}
    assert found[0].severity is Severity.INFO


def test_unknown_parameter_warns() -> None:
    (found,) = lint("%Connector.Domain.Name%")
    assert found.id == "EXPR-PARAMETER"


def test_doc_usertype_sample_is_blocked_for_the_right_reasons() -> None:
    found = usertype(DOC_SAMPLE)
    assert {"UT-CONTAINS", "UT-ERROR", "UT-MISSING-SOURCE"} <= ids(found)
    contains = next(f for f in found if f.id == "UT-CONTAINS")
    assert contains.severity is Severity.BLOCKER
    assert (
        contains.hint is not None
        and 'Len("@partners.fabrikam123.org")' in contains.hint
    )


def test_contains_function_is_flagged_too() -> None:
    text = 'IIF(Contains(LCase([mail]),"@partners.example")>0,"Guest","Member")'
    assert "UT-CONTAINS" in ids(usertype(text))


def test_no_case_folding_is_a_blocker() -> None:
    text = 'IIF(Right([userPrincipalName],12)="@partners.io","Guest","Member")'
    found = usertype(text)
    assert "UT-CASE" in ids(found)
    folded = 'IIF(Right(LCase([userPrincipalName]),12)="@partners.io","Guest","Member")'
    assert "UT-CASE" not in ids(usertype(folded))


def test_instr_with_text_compare_counts_as_folded() -> None:
    text = 'IIF(InStr([department],"Partner",1,vbTextCompare)>0,"Guest","Member")'
    assert "UT-CASE" not in ids(usertype(text))
    assert "UT-CASE" in ids(
        usertype('IIF(InStr([department],"Partner")>0,"Guest","Member")')
    )


def test_results_other_than_guest_or_member() -> None:
    found = usertype('IIF(LCase([employeeType])="partner","guest","Employee")')
    values = [f for f in found if f.id == "UT-VALUE"]
    assert len(values) == 2
    assert values[0].hint == 'write "Guest" exactly'


def test_null_and_empty_results_are_blockers() -> None:
    assert "UT-NULL-RESULT" in ids(usertype('IIF(LCase([a])="x","Guest",NULL)'))
    assert "UT-NULL-RESULT" in ids(usertype('IIF(LCase([a])="x","Guest","")'))
    assert "UT-NULL-RESULT" in ids(
        usertype('IIF(LCase([a])="x","Guest",AuthoritativeNull)')
    )


def test_ignore_this_flow_is_a_warning() -> None:
    found = [
        f
        for f in usertype('IIF(LCase([a])="x","Guest",IgnoreThisFlow)')
        if f.id == "UT-IGNORE"
    ]
    assert found and found[0].severity is Severity.WARNING


def test_switch_without_default() -> None:
    text = 'Switch(LCase([a])="x","Guest",LCase([a])="y","Member")'
    assert {"UT-NO-DEFAULT", "UT-MISSING-SOURCE"} <= ids(usertype(text))
    fixed = 'Switch(LCase([a])="x","Guest",True,"Member")'
    assert usertype(fixed) == []


def test_pass_through_of_a_stored_value_is_a_blocker() -> None:
    assert "UT-PASSTHROUGH" in ids(usertype("[extensionAttribute1]"))


def test_missing_source_evaluates_to_null() -> None:
    found = usertype('IIF(IsPresent([a]),IIF(LCase([a])="x","Guest","Member"),NULL)')
    missing = [f for f in found if f.id == "UT-MISSING-SOURCE"]
    assert missing and "gets no userType" in missing[0].message


def test_usertype_checks_apply_only_to_the_usertype_target() -> None:
    assert lint(DOC_SAMPLE) == []
    assert lint(DOC_SAMPLE, target="displayName") == []
    assert lint(DOC_SAMPLE, target="usertype") != []


def test_argument_types_known_without_data() -> None:
    cases = {
        'Left([a],"x")': "must be a number",
        'InStr([a],"b",1,"vbTextCompare")': "option name",
        'StringFromGuid("abc")': "must be binary data",
        'IIF("abc",1,2)': "not a boolean",
        "Switch(LCase([a]),1,True,2)": "not a boolean",
    }
    for text, message in cases.items():
        (found,) = lint(text)
        assert (found.id, found.severity) == ("EXPR-TYPE", Severity.BLOCKER), text
        assert message in found.message, text


def test_string_where_a_reference_is_expected_warns() -> None:
    (found,) = lint('DNComponent("cn=a,dc=b",1)')
    assert (found.id, found.severity) == ("EXPR-TYPE", Severity.WARNING)
    assert lint("DNComponent(CRef([dn]),1)") == []


def test_every_finding_id_is_documented() -> None:
    package = Path(generator.expressions.__file__).parent
    code = "".join(p.read_text(encoding="utf-8") for p in package.glob("*.py"))
    used = set(re.findall(r'"((?:EXPR|UT)-[A-Z-]+)"', code))
    page = (ROOT / "docs" / "expressions.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`((?:EXPR|UT)-[A-Z-]+)`", page))
    assert len(used) > 15
    assert used == documented


def test_schema_types_see_through_attributes() -> None:
    types = {"member": "ref", "objectguid": "bin", "useraccountcontrol": "num"}
    (found,) = lint('Replace([member],"CN=","")', attribute_types=types)
    assert found.id == "EXPR-TYPE"
    assert (
        found.message == "argument 1 of Replace must be a string, not a reference (DN)"
    )
    assert ids(lint("Trim([objectGUID])", attribute_types=types)) == {"EXPR-TYPE"}
    for fine in (
        "IIF(IsString([objectGUID]),CStr([objectGUID]),ConvertToBase64([objectGUID]))",
        "CStr([member])",
        "BitAnd([userAccountControl],2)",
        "DNComponent([member],1)",
    ):
        assert lint(fine, attribute_types=types) == [], fine


def test_schema_types_from_a_schema() -> None:
    schema = Schema(origin="file", source="test")
    for name, syntax in (
        ("member", "2.5.5.1"),
        ("objectGUID", "2.5.5.10"),
        ("cn", "2.5.5.12"),
    ):
        schema.add_attribute(AttributeDef(name, syntax, single_valued=True))
    assert schema_types(schema) == {"member": "ref", "objectguid": "bin", "cn": "str"}


def test_contains_finding_names_a_lookalike_that_really_matches() -> None:
    text = (
        'IIF(InStr(LCase([userPrincipalName]),"@partners.fabrikam123.org")>0,'
        '"Guest","Member")'
    )
    (found,) = [f for f in usertype(text) if f.id == "UT-CONTAINS"]
    lookalike = "x@partners.fabrikam123.org.evil.example"
    assert lookalike in found.message
    user = {"userprincipalname": [lookalike]}
    assert compile_expression(text).evaluate(user) == Value(("Guest",))
    assert found.hint is not None
    fixed = found.hint.removeprefix("anchor the test at the end: ")
    anchored = f'IIF({fixed},"Guest","Member")'
    assert compile_expression(anchored).evaluate(user) == Value(("Member",))
    partner = {"userprincipalname": ["Ann@Partners.Fabrikam123.org"]}
    assert compile_expression(anchored).evaluate(partner) == Value(("Guest",))


def test_cut_length_must_match_the_compared_text() -> None:
    short = (
        'IIF(Right(LCase([userPrincipalName]),20)="@partners.contoso.com","Guest","M")'
    )
    (found,) = [f for f in lint(short) if f.id == "EXPR-LENGTH"]
    assert found.severity is Severity.BLOCKER
    assert "never matches" in found.message
    assert found.hint == 'use Len("@partners.contoso.com") as the length'
    long = 'Right([upn],Len("@partners.contoso.com.x"))="@partners.contoso.com"'
    assert "exactly the text" in lint(long)[0].message
    for fine in ('Left([sAMAccountName], 4) = "AAD_"', 'Mid([a],2,3) <> "abc"', GOOD):
        assert "EXPR-LENGTH" not in ids(lint(fine)), fine


def test_folded_value_compared_with_other_case_never_matches() -> None:
    text = 'IIF(LCase(Trim([employeeType]))="Partner","Guest","Member")'
    (found,) = [f for f in lint(text) if f.id == "EXPR-CASE-MISMATCH"]
    assert (found.severity, found.hint, found.column) == (
        Severity.BLOCKER,
        'write "partner"',
        33,
    )
    assert compile_expression(text).evaluate({"employeetype": ["Partner"]}) == Value(
        ("Member",)
    )
    assert ids(lint('InStr(UCase([upn]),"@x.com")')) == {"EXPR-CASE-MISMATCH"}
    assert lint('LCase([a])="x"') == []
    assert lint('InStr(LCase([a]),"X",1,vbTextCompare)') == []


def test_contains_on_an_attribute_value_advises_an_equality_test() -> None:
    text = 'IIF(InStr(LCase([employeeType]),"partner")>0,"Guest","Member")'
    (found,) = [f for f in usertype(text) if f.id == "UT-CONTAINS"]
    assert found.severity is Severity.WARNING
    assert "whether the value is that text: non-partner matches too" in found.message
    assert "@" not in found.message and found.hint is not None
    assert "Right(" not in found.hint and "userPrincipalName" not in found.hint
    lookalike = {"employeetype": ["non-partner"]}
    assert compile_expression(text).evaluate(lookalike) == Value(("Guest",))
    fixed = found.hint.removeprefix("compare the whole value, trimmed and folded: ")
    equal = f'IIF({fixed},"Guest","Member")'
    assert compile_expression(equal).evaluate(lookalike) == Value(("Member",))
    partner = {"employeetype": [" Partner "]}
    assert compile_expression(equal).evaluate(partner) == Value(("Guest",))
