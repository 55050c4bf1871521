"""Expressions as text: whitespace normalised for diffs, indented for documents."""

from __future__ import annotations

import pytest
from connect_copies import EXPORT

from generator.connect.exprtext import WIDTH, normalise, pretty
from generator.connect.xmlio import read_configuration

REAL = sorted(
    {
        f.expression
        for r in read_configuration(EXPORT).rules
        for f in r.flows
        if f.expression
    }
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ('IIF( [a] = "x" , 1,2)', 'IIF([a]="x",1,2)'),
        ("Not  IsPresent([a])", "Not IsPresent([a])"),
        ("[a]\n&\t[b]", "[a]&[b]"),
    ],
)
def test_whitespace_variants_normalise_alike(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ('"a b"', '"ab"'),  # inside a literal, space is data
        ("Not IsPresent([a])", "NotIsPresent([a])"),  # words stay apart
        ('"a \\" b"', '"a \\"b"'),  # an escaped quote does not end the literal
        ("[first name]", "[firstname]"),
    ],
)
def test_meaningful_differences_survive(a: str, b: str) -> None:
    assert normalise(a) != normalise(b)


def test_pretty_keeps_every_real_expression_and_fits_it() -> None:
    assert len(REAL) == 86  # distinct expressions in the export
    for text in REAL:
        shown = pretty(text)
        assert normalise(shown) == normalise(text)
        if len(text) <= WIDTH:
            assert shown == text
    longest = max(REAL, key=len)
    assert len(longest) > 3 * WIDTH
    assert max(len(line) for line in pretty(longest).splitlines()) <= WIDTH + 20


def test_unbalanced_or_multi_line_text_is_shown_as_written() -> None:
    broken = "IIF([a]," + "x" * 80 + ',"y"'
    assert pretty(broken) == broken
    laid_out = "IIF([a],\n  1,\n  2)" + " " * 80
    assert pretty(laid_out) == laid_out


def test_long_conditions_break_before_their_operators() -> None:
    text = (
        "IIF(" + " || ".join(f"IsPresent([attribute{i}])" for i in range(6)) + ",1,2)"
    )
    lines = pretty(text).splitlines()
    assert lines[0] == "IIF("
    assert sum(line.lstrip().startswith("|| ") for line in lines) == 5
