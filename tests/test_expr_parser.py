"""The parser: tree shape, precedence, and positioned errors with hints."""

from __future__ import annotations

import pytest

from generator.errors import InputError
from generator.expressions import ExpressionError, attributes_read, parse
from generator.expressions import nodes as n


def fails(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    return caught.value


def test_precedence_multiplication_before_addition() -> None:
    at = n.Pos(0, 1, 1)
    product = n.Binary("*", n.Num(2, at), n.Num(3, at), at)
    assert parse("1+2*3") == n.Binary("+", n.Num(1, at), product, at)


def test_precedence_concatenation_before_comparison_before_logic() -> None:
    tree = parse('[a] & "x" = "bx" || [c] = 1 && [d] = 2')
    assert isinstance(tree, n.Binary) and tree.op == "||"
    assert isinstance(tree.left, n.Binary) and tree.left.op == "="
    assert isinstance(tree.left.left, n.Binary) and tree.left.left.op == "&"
    assert isinstance(tree.right, n.Binary) and tree.right.op == "&&"


def test_operators_are_left_associative() -> None:
    tree = parse("10-4-3")
    assert isinstance(tree, n.Binary) and isinstance(tree.left, n.Binary)
    assert tree.left.op == "-"


def test_negative_literal_folds_and_int64_minimum_fits() -> None:
    assert parse("-9223372036854775808") == n.Num(-(1 << 63), n.Pos(0, 1, 1))
    assert isinstance(parse("- [a]"), n.Neg)


def test_hex_literal() -> None:
    assert parse("&H21C07000") == n.Num(0x21C07000, n.Pos(0, 1, 1))


def test_parentheses_mark_the_group() -> None:
    tree = parse("([a] = 1) || [b] = 2")
    assert isinstance(tree, n.Binary) and isinstance(tree.left, n.Binary)
    assert tree.left.grouped and not tree.grouped


def test_string_escapes() -> None:
    assert parse('"a\\\\b\\"c\\n\\r\\t"') == n.Str('a\\b"c\n\r\t', n.Pos(0, 1, 1))


def test_multi_line_expression_positions() -> None:
    tree = parse('\n      IIF(IsPresent([a]),\n          "x", "y")\n      ')
    assert isinstance(tree, n.Call)
    assert (tree.pos.line, tree.pos.column) == (2, 7)
    assert (tree.args[1].pos.line, tree.args[1].pos.column) == (3, 11)


def test_constants_and_options() -> None:
    tree = parse(
        "IIF(True, NULL, IIF(False, AuthoritativeNull, IgnoreThisFlow)) & CRLF"
    )
    kinds = [type(x).__name__ for x in n.walk(tree)]
    assert kinds.count("Const") == 4 and kinds.count("Bool") == 2
    call = parse('InStr("a","b",1,vbTextCompare)')
    assert isinstance(call, n.Call) and call.args[3] == n.Enum(
        "vbTextCompare", n.Pos(0, 1, 1)
    )


def test_attributes_read_includes_quoted_names() -> None:
    tree = parse('IIF(IsPresent([mS-DS-ConsistencyGuid]),[x_1],ImportedValue("y"))')
    assert attributes_read(tree) == {"mS-DS-ConsistencyGuid", "x_1", "y"}


def test_variables_are_scoped_to_select_where_with() -> None:
    parse('Select($item,[a],Replace($item,"-",""))')
    assert "not declared" in fails('Replace($item,"-","")').message
    assert "already declared" in fails("With($v,[a],With($v,[b],$v))").message


def test_error_is_one_line_with_file_line_column_and_hint() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse('IIF([a] = 1,\n  "x" ! "y")', source="rule.txt")
    error = caught.value
    assert isinstance(error, InputError)
    assert str(error) == (
        "rule.txt:2:7: there is no '!' operator "
        "(hint: negate with '= False', e.g. IsPresent([x]) = False)"
    )
    assert "\n" not in str(error)


HINTS = [
    # (expression, column, text in the message, text in the hint)
    ('IIF(IsPresent([a]),“x”,"y")', 20, "typographic quote", "straight double quotes"),
    ('IIF(IsPresent([a]),「x」,"y")', 20, "typographic quote", "straight double"),
    ('IIF(IsPresent([a]),＂x＂,"y")', 20, "typographic quote", "straight double"),
    ("IIF(!IsPresent([a]),1,2)", 5, "no '!' operator", "= False"),
    ("IIF(IsPresent([a]) && !IsPresent([b]),1,2)", 23, "no '!'", "= False"),
    ("[a] != 1", 5, "'!='", "<>"),
    ("[a] == 1", 5, "'=='", "single ="),
    ("Not(IsPresent([a]))", 1, "unknown function Not", "= False"),
    ("IsPresent([a]) AND IsPresent([b])", 16, "'AND' is not an operator", "&&"),
    ("IsPresent([a]) Or IsPresent([b])", 16, "'Or' is not an operator", "||"),
    ("IsPresnt([a])", 1, "unknown function IsPresnt", "did you mean IsPresent?"),
    ("Iif(True,1,2)", 1, "case-sensitive", "did you mean IIF?"),
    ("isPresent([a])", 1, "case-sensitive", "did you mean IsPresent?"),
    ('Concatenate([a]," ")', 1, "unknown function Concatenate", "&"),
    ("IIF(IsPresent([a]),1,2", 4, "never closed", "add the missing ')'"),
    ("(1+2", 1, "never closed", "')'"),
    ("IIF(IsPresent([a]),1,2))", 24, "unbalanced ')'", "remove it"),
    ('"abc\\q"', 5, "invalid escape '\\\\q'", "\\\\"),
    ('"say ""hi"""', 7, "two strings", 'write \\" for a quote'),
    ('"never closed', 1, "string is never closed", "straight double quote"),
    ('IIF([a]="x\ny",1,2)', 11, "line break inside a string", "write \\n"),
    ('"a\r\nb"', 3, "line break inside a string", "write \\n"),
    ("[]", 1, "empty attribute", None),
    ("[userPrincipalName", 1, "attribute name is never closed", "']'"),
    ("[user name]", 6, "contains ' '", "letters, digits"),
    ("%%", 1, "empty parameter", None),
    ("&HZZ", 1, "'&H' must be followed", "concatenation"),
    ("99999999999999999999", 1, "does not fit in 64 bits", None),
    ("1.5", 1, "decimal fractions", "64-bit"),
    ("'abc'", 1, "single quotes", "double quotes"),
    ("IIF(IsPresent([a]) ; 1 ; 2)", 20, "';'", "','"),
    ("", 1, "empty", None),
    ("IIF(IsPresent([a]),)", 20, "missing before ')'", None),
    (
        'IIF(IsPresent([a]),"a" "b")',
        24,
        "after argument 2 of IIF",
        "join strings with &",
    ),
    ("Left([a])", 1, "Left takes 2 arguments, got 1", None),
    ("Switch(True)", 1, "pairs of condition and value", "True, value"),
    ('InStr([a],"b",1,CaseInsensitive)', 17, "option of Contains", None),
    ("UTF8", 1, "option of ConvertFromBase64", None),
    ("vbtextcompare", 1, "option of InStr", None),
    ("Truee", 1, "unknown name 'Truee'", "did you mean True?"),
    ("IsPresent", 1, "must be followed by '('", "IsPresent(...)"),
    ("ImportedValue([sourceAnchor])", 15, "attribute name in double quotes", None),
    ("IIF(IsPresent([a]),１,2)", 20, "full-width", "'1'"),
    ("BitAnd([groupType],\u22122147483648)", 20, "typographic dash", "minus"),
]


@pytest.mark.parametrize(
    ("text", "column", "message", "hint"), HINTS, ids=[h[0] for h in HINTS]
)
def test_error_position_message_and_hint(
    text: str, column: int, message: str, hint: str | None
) -> None:
    error = fails(text)
    assert error.column == column
    assert message in error.message
    if hint is not None:
        assert error.hint is not None and hint in error.hint


def test_syntax_error_names_the_opening_parenthesis() -> None:
    error = fails("IIF(IsPresent([a]),\n  IIF([b] = 1, 2, 3),\n  4")
    assert (error.line, error.column) == (1, 4)
    assert "'(' of IIF at line 1, column 4" in error.message


def test_with_source_keeps_the_position() -> None:
    error = fails("[a] ! 1").with_source("x.expr")
    assert str(error).startswith("x.expr:1:5: ")


def test_the_first_mistake_in_reading_order_is_reported() -> None:
    error = fails("IIF(IsPresent([a]) AND “x”,1,2)")
    assert (error.column, error.hint) == (20, "use && for a logical and")
