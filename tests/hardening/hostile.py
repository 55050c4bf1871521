"""Hostile values for the hardening tests: what a directory or an admin may feed us.

The fragments are the ones that break out of quoting in the contexts we write:
PowerShell (quotes and their look-alikes, backticks, ``$(...)``, ``;``),
sync expressions (``"`` and ``\\``, ``]``, ``%``), LDIF (leading ``:``/``<``,
trailing spaces, line breaks) and Markdown (pipes, backticks, brackets).
"""

from __future__ import annotations

from hypothesis import strategies as st

PS_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
PS_DOUBLE_QUOTES = '"\u201c\u201d\u201e'

FRAGMENTS = (
    *PS_SINGLE_QUOTES,
    *PS_DOUBLE_QUOTES,
    "''",
    "'+'",
    "`",
    "``",
    "`n",
    "$(",
    "$(Remove-Item C:\\ -Recurse)",
    "${env:PATH}",
    "$x",
    "@(",
    ";",
    "; Write-Host pwned;",
    "|",
    "&",
    "#",
    "<#",
    "#>",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\x00",
    "\x0b",
    "\x0c",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ud800",
    "\udfff",
    "\u200b",
    "\\",
    '\\"',
    "\\n",
    '"',
    '" & "',
    '")',
    "]",
    "[",
    "[x]",
    "%",
    "%x%",
    "%%",
    ":",
    "::",
    "<",
    " ",
    "  ",
    "-",
    "*",
    "_",
    "|",
    ",",
    "\\,",
    "+",
    "=",
    "\u00e9",
    "\u00df",
    "\u0130",
    "\u2013",
    "\u2014",
    "\U0001f600",
    "\U0001d11e",
    "\u4e2d\u6587",
    "\u0645\u0631\u062d\u0628\u0627",
    "Guest",
    "Member",
    "partners.contoso.com",
)


CONTROLS = frozenset("\x00\x0b\x0c\x1b\x7f\x85\r\n\t\ud800\udfff\u2028\u2029")
_PLAIN = tuple(f for f in FRAGMENTS if not CONTROLS & set(f))
_CONTROL = tuple(f for f in FRAGMENTS if CONTROLS & set(f))
# Controls are one piece in twenty: most values stay writable, so the checks
# after the escaping get exercised, while refusals still come up often.
_PIECES = (*_PLAIN * 3, *"abcXYZ019 ._-@", "\U0001f47e", "\U00010437", *_CONTROL)


def hostile_text(max_pieces: int = 10) -> st.SearchStrategy[str]:
    """Strings built from hostile fragments and a few plain characters."""
    return st.lists(st.sampled_from(_PIECES), max_size=max_pieces).map("".join)


def long_text(limit: int = 1_000) -> st.SearchStrategy[str]:
    """Long strings (up to about ``limit`` characters) around hostile fragments.

    The property tests keep them moderate for speed; the 1 MB cases are
    separate, deterministic tests.
    """
    return st.tuples(
        hostile_text(3), st.integers(min_value=1, max_value=limit), hostile_text(3)
    ).map(lambda t: ((t[0] or "x") * t[1])[:limit] + t[2])


def any_text() -> st.SearchStrategy[str]:
    """The mix every per-context property test draws from."""
    hostile = hostile_text()
    return st.one_of(hostile, hostile, hostile, st.text(max_size=16), long_text())
