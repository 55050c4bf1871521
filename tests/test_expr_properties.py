"""Property tests: literals round-trip; no input crashes the parser or evaluator."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.escaping import UnrepresentableValue, expression_literal
from generator.expressions import (
    Error,
    ExpressionError,
    Outcome,
    Value,
    catalog,
    compile_expression,
    parse,
    unparse,
)
from generator.expressions import nodes as n
from generator.expressions.parser import parse_syntax

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


AT = n.Pos(0, 1, 1)
_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,12}", fullmatch=True)
_leaves = st.one_of(
    st.text().filter(_representable).map(lambda s: n.Str(s, AT)),
    st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1).map(
        lambda v: n.Num(v, AT)
    ),
    st.booleans().map(lambda v: n.Bool(v, AT)),
    st.sampled_from(["NULL", "AuthoritativeNull", "IgnoreThisFlow", "CRLF"]).map(
        lambda c: n.Const(c, AT)
    ),
    _names.map(lambda a: n.Attr(a, AT)),
    st.from_regex(r"[A-Za-z][A-Za-z0-9.]{0,10}", fullmatch=True).map(
        lambda p: n.Param(p, AT)
    ),
)
_OPERATORS = ["||", "&&", "=", "<>", "<", "<=", ">", ">=", "&", "+", "-", "*", "/"]


def _branches(inner: st.SearchStrategy[n.Expr]) -> st.SearchStrategy[n.Expr]:
    return st.one_of(
        st.builds(
            lambda op, a, b: n.Binary(op, a, b, AT),
            st.sampled_from(_OPERATORS),
            inner,
            inner,
        ),
        inner.map(lambda a: n.Neg(a, AT)),
        st.builds(
            lambda name, args: n.Call(name, tuple(args), AT),
            st.sampled_from(["IIF", "Trim", "Left", "Switch", "Now"]),
            st.lists(inner, max_size=4),
        ),
    )


TREES = st.recursive(_leaves, _branches, max_leaves=12)


@FAST
@given(TREES)
def test_unparse_then_parse_gives_the_same_tree(tree: n.Expr) -> None:
    text = unparse(tree)
    assert "\n" not in text.replace("\\n", "")
    assert parse_syntax(text) == tree


@FAST
@given(
    st.text().filter(
        lambda s: not any((c < " " and c not in "\r\n\t") or c == "\x7f" for c in s)
    )
)
def test_canonical_literal_round_trips_line_breaks_too(text: str) -> None:
    assert compile_expression(unparse(n.Str(text, AT))).evaluate({}) == Value((text,))


@pytest.mark.parametrize(
    "text",
    [
        "(" * 5000 + "1" + ")" * 5000,
        "Trim(" * 3000 + "[a]" + ")" * 3000,
        "-" * 5000 + "1",
    ],
    ids=["parentheses", "calls", "negations"],
)
def test_deep_nesting_is_our_error(text: str) -> None:
    with pytest.raises(ExpressionError, match="nests more than"):
        parse(text)


def test_nesting_within_the_limit_compiles_and_evaluates() -> None:
    text = "Trim(" * 90 + "[a]" + ")" * 90
    assert compile_expression(text).evaluate({"a": [" x "]}) == Value(("x",))


def test_long_operator_chains_are_bounded_too() -> None:
    with pytest.raises(ExpressionError, match="nests more than"):
        parse("[a] & " * 3000 + "1")
    chain = " || ".join(f'LCase([a]) = "x{i}"' for i in range(100))
    assert compile_expression(chain).evaluate({"a": ["X99"]}) == Value((True,))


_ENUM_NAMES = sorted(catalog.ENUMS)
_FUNCTION_NAMES = sorted(
    name
    for name, spec in catalog.FUNCTIONS.items()
    if "$" not in spec.kinds and "q" not in spec.kinds
)
_VALUE_LEAVES = st.one_of(
    st.sampled_from(
        ["", "x", "@", "yyyy-MM-dd", "m", "DC", ",", "a:b", "SGVsbG8=", "12/25/2007"]
    ).map(lambda s: n.Str(s, AT)),
    st.sampled_from([0, 1, 2, -1, 10**18, -(1 << 63), 129699324000000000]).map(
        lambda v: n.Num(v, AT)
    ),
    st.sampled_from([*ATTRIBUTES, "missing"]).map(lambda a: n.Attr(a, AT)),
    st.sampled_from(["NULL", "CRLF"]).map(lambda c: n.Const(c, AT)),
    st.booleans().map(lambda v: n.Bool(v, AT)),
)


@st.composite
def _calls(draw: st.DrawFn, inner: st.SearchStrategy[n.Expr]) -> n.Expr:
    spec = catalog.FUNCTIONS[draw(st.sampled_from(_FUNCTION_NAMES))]
    most = spec.most if spec.most is not None else 6
    count = draw(st.integers(spec.required, most))
    if spec.variadic and count % 2:
        count += 1
    args = [
        n.Enum(draw(st.sampled_from(_ENUM_NAMES)), AT)
        if spec.kind(i) == "e"
        else draw(inner)
        for i in range(count)
    ]
    return n.Call(spec.name, tuple(args), AT)


CALL_TREES = st.recursive(_VALUE_LEAVES, _calls, max_leaves=10)


@settings(max_examples=500, deadline=None)
@given(CALL_TREES)
def test_every_function_on_odd_input_gives_an_outcome(tree: n.Expr) -> None:
    try:
        compiled = compile_expression(tree)
    except ExpressionError:
        return  # an option in the wrong place, for instance
    for attributes in (ATTRIBUTES, {}):
        outcome = compiled.evaluate(attributes, {"Domain.FQDN": "c.com"})
        assert isinstance(outcome, Outcome)
        assert not (
            isinstance(outcome, Error) and outcome.message.startswith("cannot evaluate")
        )
