"""Our reader of PowerShell quoting, on cases whose answer PowerShell defines."""

from __future__ import annotations

import pytest
from psquote import QuoteError, literals, single_quoted


def test_doubled_quotes_and_look_alikes() -> None:
    assert single_quoted("'O''Brien'") == ["O'Brien"]
    assert single_quoted("'a\u2018\u2018b'") == ["a\u2018b"]
    # any single-quote look-alike ends the string, as in PowerShell's tokenizer
    assert single_quoted("'a\u2019 'c'") == ["a", "c"]


def test_double_quoted_with_subexpression_and_escapes() -> None:
    found = literals("\"x `\"$($a -join '; ')`t\" # 'not a literal'")
    assert [(x.kind, x.value) for x in found] == [
        ("single", "; "),
        ("double", "x \"$($a -join '; ')\t"),
    ]


def test_comments_and_here_strings() -> None:
    script = "<# it's a comment #>\n$a = @'\nit's raw\n'@\n$b = 'z' # it's\n"
    assert [(x.kind, x.value) for x in literals(script)] == [
        ("here-single", "it's raw"),
        ("single", "z"),
    ]


def test_bare_word_hash_is_not_a_comment_start_after_space_only() -> None:
    assert single_quoted("Write-Host a#b 'c'") == ["c"]


def test_unterminated_string_is_an_error() -> None:
    with pytest.raises(QuoteError):
        literals("'never ends")
