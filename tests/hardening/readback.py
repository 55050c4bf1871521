"""Independent readers that take generated text back apart, the way its consumer does.

Each reader follows the consumer's rules, not our escaping code: PowerShell's
tokenizer (which also ends a single-quoted string at U+2018..U+201B, unlike
tree-sitter), the sync-expression lexer, and RFC 2849 LDIF.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from functools import cache

import tree_sitter
import tree_sitter_powershell
from hostile import PS_SINGLE_QUOTES


class ReadError(AssertionError):
    """Generated text that its consumer would not read back."""


def read_ps_single_quoted(source: str, start: int) -> tuple[str, int]:
    """The value of the single-quoted literal at ``source[start]``, and its end.

    Two quote characters in a row (any of the five) stand for the second one.
    """
    if source[start] not in PS_SINGLE_QUOTES:
        raise ReadError(f"no single quote at {start}")
    chars: list[str] = []
    index = start + 1
    while index < len(source):
        char = source[index]
        if char in PS_SINGLE_QUOTES:
            following = source[index + 1 : index + 2]
            if following and following in PS_SINGLE_QUOTES:
                chars.append(following)
                index += 2
                continue
            return "".join(chars), index + 1
        chars.append(char)
        index += 1
    raise ReadError("unterminated single-quoted string")


@cache
def ps_parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def ps_tree(source: str) -> tree_sitter.Tree:
    """Parse PowerShell; fails on any ERROR or MISSING node."""
    tree = ps_parser().parse(source.encode("utf-8"))
    bad = [n for n in walk(tree.root_node) if n.is_error or n.is_missing]
    if bad or tree.root_node.has_error:
        where = bad[0].start_point if bad else "?"
        raise ReadError(f"tree-sitter finds a syntax error at {where}")
    return tree


def walk(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    yield node
    for child in node.children:
        yield from walk(child)


_EXPR_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t"}


def read_expression_string(source: str, start: int) -> tuple[str, int]:
    """The value of the sync-expression string literal at ``source[start]``.

    Only ``\\\\ \\" \\n \\r \\t`` are escapes; anything else is a lexer error.
    """
    if source[start] != '"':
        raise ReadError(f'no " at {start}')
    chars: list[str] = []
    index = start + 1
    while index < len(source):
        char = source[index]
        if char == '"':
            return "".join(chars), index + 1
        if char == "\\":
            escaped = source[index + 1 : index + 2]
            if escaped not in _EXPR_ESCAPES:
                raise ReadError(f"invalid escape \\{escaped}")
            chars.append(_EXPR_ESCAPES[escaped])
            index += 2
            continue
        chars.append(char)
        index += 1
    raise ReadError("unterminated expression string")


# RFC 2849: attrval-spec = AttributeDescription value-spec SEP
_ATTR_DESC = r"[A-Za-z][A-Za-z0-9-]*(?:;[A-Za-z0-9-]+)*|[0-9]+(?:\.[0-9]+)*"
_SAFE_INIT = r"[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f]"
_SAFE_STRING = rf"(?:{_SAFE_INIT}[\x01-\x09\x0b\x0c\x0e-\x7f]*)?"
_LDIF_LINE = re.compile(
    rf"(?P<name>{_ATTR_DESC})"
    rf"(?:: *(?P<plain>{_SAFE_STRING})|:: *(?P<b64>[A-Za-z0-9+/=]*))"
)


def read_ldif_line(line: str) -> tuple[str, bytes]:
    """The attribute name and value of one unfolded RFC 2849 line."""
    found = _LDIF_LINE.fullmatch(line)
    if found is None:
        raise ReadError(f"not an RFC 2849 attribute line: {line[:80]!r}")
    if found["b64"] is not None:
        try:
            value = base64.b64decode(found["b64"], validate=True)
        except binascii.Error as error:
            raise ReadError(f"bad base64: {error}") from error
        return found["name"], value
    return found["name"], found["plain"].encode("ascii")
