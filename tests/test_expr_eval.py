"""Evaluator semantics: Null, laziness, outcomes, multi-valued rules, lookups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from generator.expressions import (
    AUTHORITATIVE_NULL,
    IGNORE_THIS_FLOW,
    NULL,
    AuthoritativeNull,
    Error,
    ExpressionError,
    IgnoreThisFlow,
    Null,
    Outcome,
    OutcomeKind,
    Value,
    compile_expression,
)
from generator.expressions.parser import parse_syntax
from generator.model import User

Attrs = Mapping[str, Sequence[str | bytes]]


def run(
    text: str, attrs: Attrs | None = None, params: dict[str, str] | None = None
) -> Outcome:
    return compile_expression(text).evaluate(attrs or {}, params)


def test_missing_attribute_is_null() -> None:
    assert run("[department]") == NULL
    assert run("Trim([department])") == NULL
    assert run("[department]", {"department": []}) == NULL


def test_special_outcomes_are_distinct_objects() -> None:
    outcomes = [
        run("NULL"),
        run("AuthoritativeNull"),
        run("IgnoreThisFlow"),
        run('Error("x")'),
    ]
    assert [type(o) for o in outcomes] == [
        Null,
        AuthoritativeNull,
        IgnoreThisFlow,
        Error,
    ]
    assert [o.kind for o in outcomes] == [
        OutcomeKind.NULL,
        OutcomeKind.AUTHORITATIVE_NULL,
        OutcomeKind.IGNORE_THIS_FLOW,
        OutcomeKind.ERROR,
    ]
    assert outcomes[1] == AUTHORITATIVE_NULL and outcomes[2] == IGNORE_THIS_FLOW


def test_error_function_is_an_outcome_not_an_exception() -> None:
    outcome = run('Error("UserPrincipalName is not present")')
    assert outcome == Error("UserPrincipalName is not present", raised=True)


def test_runtime_failures_are_error_outcomes_not_raised_by_error() -> None:
    outcome = run("Item([a],5)", {"a": ["x", "y"]})
    assert isinstance(outcome, Error) and not outcome.raised


def test_iif_is_lazy() -> None:
    expr = 'IIF(IsPresent([upn]),[upn],Error("missing"))'
    assert run(expr, {"upn": ["a@b"]}) == Value(("a@b",))
    assert run(expr) == Error("missing", raised=True)


def test_iif_branches_carry_special_outcomes() -> None:
    expr = (
        "IIF([msExchRecipientTypeDetails]=2,NULL,"
        "IIF([x]=1,AuthoritativeNull,IgnoreThisFlow))"
    )
    assert run(expr, {"msexchrecipienttypedetails": ["2"]}) == NULL
    assert run(expr, {"x": ["1"]}) == AUTHORITATIVE_NULL
    assert run(expr) == IGNORE_THIS_FLOW


def test_attribute_names_are_looked_up_case_insensitively() -> None:
    user = {"userprincipalname": ["bob@contoso.com"]}
    assert run("[userPrincipalName]", user) == run("[USERPRINCIPALNAME]", user)
    assert run("[userPrincipalName]", user) == Value(("bob@contoso.com",))


def test_text_attributes_serve_as_numbers_and_booleans() -> None:
    user = {"useraccountcontrol": ["514"], "iscriticalsystemobject": ["TRUE"]}
    assert run("IIF(BitAnd([userAccountControl],2)=0,True,False)", user) == Value(
        (False,)
    )
    assert run("[isCriticalSystemObject] = True", user) == Value((True,))
    assert run("[userAccountControl] > 500", user) == Value((True,))


def test_comparisons_with_null() -> None:
    assert run("[absent] = NULL") == Value((True,))
    assert run('[absent] = "x"') == Value((False,))
    assert run('[absent] <> "x"') == Value((True,))
    assert run("[absent] > 0") == Value((False,))


def test_logic_reads_null_as_false_and_short_circuits() -> None:
    assert run("CBool(IIF(IsPresent([a]),True,NULL)) || False") == Value((False,))
    assert run('True || CNum("x") = 1') == Value((True,))
    assert run('False && CNum("x") = 1') == Value((False,))


def test_concatenation_reads_null_as_empty() -> None:
    expr = '[sAMAccountName] & "@" & %Domain.FQDN%'
    outcome = run(expr, {"samaccountname": ["bob"]}, {"Domain.FQDN": "contoso.com"})
    assert outcome == Value(("bob@contoso.com",))
    assert run('"x" & [absent]') == Value(("x",))


def test_missing_parameter_is_an_error() -> None:
    outcome = run("%Domain.FQDN%")
    assert isinstance(outcome, Error) and "Domain.FQDN" in outcome.message


def test_plus_on_text_is_an_error_with_a_hint() -> None:
    outcome = run('"a" + "b"')
    assert isinstance(outcome, Error) and "&" in outcome.message
    assert run('"2" + 3') == Value((5,))


def test_arithmetic_overflow_and_division_by_zero_are_errors() -> None:
    assert isinstance(run("9223372036854775807 + 1"), Error)
    assert isinstance(run("1/0"), Error)


def test_functions_map_over_multi_valued_input() -> None:
    user = {"proxyaddresses": [" SMTP:a@x ", "smtp:b@x"]}
    assert run("Trim([proxyAddresses])", user) == Value(("SMTP:a@x", "smtp:b@x"))
    expr = 'Word([proxyAddresses],1,"@") & "@contoso.com"'
    assert run(expr, {"proxyaddresses": ["SMTP:a@x", "smtp:b@y"]}) == Value(
        ("SMTP:a@contoso.com", "smtp:b@contoso.com")
    )


def test_per_value_iif_with_null_drops_values() -> None:
    expr = 'IIF(InStr([proxyAddresses],"SIP:")=1,NULL,[proxyAddresses])'
    user = {"proxyaddresses": ["SMTP:a@x", "SIP:a@x", "smtp:b@x"]}
    assert run(expr, user) == Value(("SMTP:a@x", "smtp:b@x"))
    assert run(expr, {"proxyaddresses": ["SIP:a@x", "SIP:b@x"]}) == NULL


def test_multi_valued_operands_of_different_length_are_an_error() -> None:
    user = {"a": ["1", "2"], "b": ["1", "2", "3"]}
    outcome = run("[a] & [b]", user)
    assert isinstance(outcome, Error) and "lengths" in outcome.message
    assert run("[a] & [a]", user) == Value(("11", "22"))


def test_is_present_on_multi_valued_is_one_answer() -> None:
    assert run("IsPresent([p])", {"p": ["", "x"]}) == Value((True,))
    assert run("IsPresent([p])", {"p": ["", ""]}) == Value((False,))


def test_binary_values_pass_through() -> None:
    guid = bytes(range(16))
    assert run("[objectGUID]", {"objectguid": [guid]}) == Value((guid,))
    assert run("ConvertToBase64([objectGUID])", {"objectguid": [guid]}) == Value(
        ("AAECAwQFBgcICQoLDA0ODw==",)
    )


def test_text_outcome_reports_texts() -> None:
    outcome = run("[objectGUID]", {"objectguid": [bytes(range(16))]})
    assert isinstance(outcome, Value)
    assert outcome.texts() == ("03020100-0504-0706-0809-0a0b0c0d0e0f",)


def test_constant_condition_is_folded_but_still_correct() -> None:
    expr = 'IIF("mS-DS-ConsistencyGuid"="mS-DS-ConsistencyGuid",[a],[b])'
    assert run(expr, {"a": ["1"], "b": ["2"]}) == Value(("1",))


def test_folding_does_not_hide_runtime_errors() -> None:
    assert isinstance(run('CNum("x")'), Error)
    assert isinstance(run('IIF(True, "a", CNum("x"))'), Value)


def test_one_compiled_expression_serves_many_users() -> None:
    compiled = compile_expression(
        'IIF(Right(LCase([userPrincipalName]),Len("@partners.contoso.com"))'
        '="@partners.contoso.com","Guest","Member")'
    )
    upns = [
        "a@partners.contoso.com",
        "b@PARTNERS.Contoso.com",
        "c@contoso.com",
        "d@partners.contoso.com.evil.example",
        "e@xpartners.contoso.com",
    ]
    results = [compiled.evaluate({"userprincipalname": [u]}) for u in upns]
    assert [r.value for r in results if isinstance(r, Value)] == [
        "Guest", "Guest", "Member", "Member", "Member",
    ]  # fmt: skip
    assert compiled.evaluate({}) == Value(("Member",))


def test_a_bare_string_value_is_one_value_not_characters() -> None:
    assert run("[upn]", {"upn": "bob@x"}) == Value(("bob@x",))  # type: ignore[dict-item]


def test_evaluate_user_reads_the_dn() -> None:
    user = User(
        dn="CN=Ann,OU=Partners,DC=contoso,DC=com",
        attributes={"userprincipalname": ("ann@contoso.com",)},
    )
    compiled = compile_expression(
        'DNComponent(CRef([dn]),2) & "/" & [userPrincipalName]'
    )
    assert compiled.evaluate_user(user) == Value(("Partners/ann@contoso.com",))
    assert compiled.attributes_read == {"dn", "userPrincipalName"}


def test_attributes_keyed_as_written_are_found_too() -> None:
    assert run("[employeeType]", {"employeeType": ["Partner"]}) == Value(("Partner",))


def test_word_treats_runs_of_delimiters_as_one() -> None:
    # Unverified on a server (reference §15.5); this is the chosen reading.
    assert run('Word("a,,b",2,",")') == Value(("b",))


def test_compiling_an_unresolved_tree_raises_our_error() -> None:
    tree = parse_syntax('Concatenate([a], "b")')
    with pytest.raises(ExpressionError) as caught:
        compile_expression(tree)
    assert (caught.value.column, caught.value.hint) == (1, "join strings with &")
