"""Property tests: literals round-trip; no input crashes the parser or evaluator."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.escaping import UnrepresentableValue, expression_literal
from generator.expressions import (
    ExpressionError,
    Outcome,
    Value,
    compile_expression,
    parse,
)
from generator.expressions import nodes as n

FAST = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Fragments that reach deep into the grammar when glued together at random.
FRAGMENTS = [
    "IIF(", "Switch(", "InStr(", "Left(", "Mid(", "Word(", "Item(", "Contains(",
    "Select($item,", "Where($item,", "With($v,", "$item", "$v", "LCase(", "Trim(",
    "CNum(", "CBool(", "CDate(", "DNComponent(CRef(", "FormatDateTime(", "Split(",
    "Join(", "Replace(", "PadLeft(", "DateAdd(", "IsPresent(", "Error(", "Count(",
    "ConvertFromBase64(", "ConvertToBase64(", "StringFromGuid(", "BitAnd(",
    "[upn]", "[proxyAddresses]", "[n]", "[dn]", "[bin]", "%Domain.FQDN%", '"x"',
    '"@a.b"', '"\\\\"', '"yyyy"', '"m"', '","', "1", "0", "-1", "3", "&HFF",
    "NULL", "True", "False", "AuthoritativeNull", "IgnoreThisFlow", "CRLF", "UTF8",
    "vbTextCompare", ",", ")", "(", " = ", " <> ", " < ", " >= ", " & ", " + ",
    " - ", " * ", " / ", " && ", " || ", "\n", " ", "“", "!", "'", "[", "%", '"',
    "\\", "Iif(", "Not(", " AND ",
]  # fmt: skip

ATTRIBUTES = {
    "upn": ["Bob@Partners.Contoso.com"],
    "proxyaddresses": ["SMTP:a@x", "smtp:b@y", "SIP:c@z"],
    "n": ["42"],
    "dn": ["CN=Bob\\, Smith,OU=P,DC=contoso,DC=com"],
    "bin": [bytes(range(16))],
}


def _representable(text: str) -> bool:
    try:
        expression_literal(text)
    except UnrepresentableValue:
        return False
    return True


@FAST
@given(st.text().filter(_representable))
def test_string_literal_round_trips(text: str) -> None:
    literal = expression_literal(text)
    tree = parse(literal)
    assert tree == n.Str(text, n.Pos(0, 1, 1))
    assert compile_expression(tree).evaluate({}) == Value((text,))


@FAST
@given(st.text().filter(_representable), st.text().filter(_representable))
def test_concatenated_literals_evaluate_to_the_joined_text(
    first: str, second: str
) -> None:
    text = f"{expression_literal(first)} & {expression_literal(second)}"
    assert compile_expression(text).evaluate({}) == Value((first + second,))


@FAST
@given(st.text(max_size=60))
def test_arbitrary_text_parses_or_raises_our_error(text: str) -> None:
    _parse_or_our_error(text)


@FAST
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join))
def test_token_soup_parses_or_raises_our_error(text: str) -> None:
    _parse_or_our_error(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join))
def test_whatever_parses_evaluates_to_an_outcome(text: str) -> None:
    try:
        compiled = compile_expression(text)
    except ExpressionError:
        return
    assert isinstance(compiled.evaluate(ATTRIBUTES, {"Domain.FQDN": "c.com"}), Outcome)
    assert isinstance(compiled.evaluate({}), Outcome)


def _parse_or_our_error(text: str) -> None:
    try:
        parse(text)
    except ExpressionError as error:
        lines = text.split("\n")
        assert 1 <= error.line <= len(lines)
        assert 1 <= error.column <= len(lines[error.line - 1]) + 1
        assert "\n" not in str(error)


@pytest.mark.parametrize(
    "text", ["", " ", "\n", "(", ")", '"', "[", "%", "$", "&", "&H"]
)
def test_degenerate_inputs_raise_our_error(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse(text)
