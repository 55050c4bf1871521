"""Sync expressions as text: whitespace-normalised for comparing, indented for reading.

Both work on the text alone, aware of string literals and brackets, so they
also handle an expression the engine cannot parse (a document must still show
a broken rule, and a diff must still compare it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

WIDTH = 72
_INDENT = "  "
_CHAIN = {"||", "&&", "Or", "And"}  # break a long condition before these
_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"?|\[[^\]]*\]?|[(),]|\s+|[^"\[(),\s]+')


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


def normalise(text: str) -> str:
    """``text`` with whitespace outside literals reduced to what separates words.

    ``IIF( [a] = "x" , 1,2)`` and ``IIF([a]="x",1,2)`` normalise alike; the
    space in ``"a b"`` and the one between ``Not`` and ``IsPresent`` stay.
    """
    parts: list[str] = []
    for token in _tokens(text):
        if token.isspace():
            parts.append(" ")
        else:
            parts.append(token)
    result: list[str] = []
    for index, part in enumerate(parts):
        if part != " ":
            result.append(part)
            continue
        before = result[-1][-1:] if result else ""
        after = parts[index + 1][:1] if index + 1 < len(parts) else ""
        if _is_word(before) and _is_word(after):
            result.append(" ")
    return "".join(result)


def _is_word(char: str) -> bool:
    return char.isalnum() or char in {"_", "%"} if char else False


def _compact(text: str) -> str:
    """Whitespace runs outside literals become one space, none beside ( , )."""
    parts = [" " if t.isspace() else t for t in _tokens(text)]
    kept = [
        part
        for index, part in enumerate(parts)
        if part != " "
        or (
            0 < index < len(parts) - 1
            and parts[index - 1] not in {"(", ","}
            and parts[index + 1] not in {")", ","}
        )
    ]
    return "".join(kept)


@dataclass
class _Group:
    """A parenthesised argument list: each argument is a list of items."""

    args: list[list[str | _Group]] = field(default_factory=list)


def _parse(text: str) -> list[str | _Group] | None:
    root: list[str | _Group] = []
    stack: list[tuple[_Group, list[str | _Group]]] = []
    current = root
    for token in _tokens(_compact(text)):
        if token == "(":
            group = _Group([[]])
            current.append(group)
            stack.append((group, current))
            current = group.args[-1]
        elif token == "," and stack:
            group = stack[-1][0]
            group.args.append([])
            current = group.args[-1]
        elif token == ")":
            if not stack:
                return None
            current = stack.pop()[1]
        else:
            current.append(token)
    return None if stack else root


def _flat(items: list[str | _Group]) -> str:
    return "".join(
        item if isinstance(item, str) else "(" + ",".join(map(_flat, item.args)) + ")"
        for item in items
    )


def _render(items: list[str | _Group], depth: int) -> str:
    indent = _INDENT * depth
    if len(indent) + len(_flat(items)) <= WIDTH:
        return _flat(items)
    chained = any(isinstance(item, str) and item in _CHAIN for item in items)
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            if chained and item in _CHAIN:
                if out and out[-1] == " ":
                    out.pop()
                out.append("\n" + indent + item)
            else:
                out.append(item)
        elif len(indent) + len(_flat([item])) <= WIDTH - 8 or not item.args[0]:
            out.append(_flat([item]))
        else:
            pad = "\n" + _INDENT * (depth + 1)
            body = ("," + pad).join(_render(arg, depth + 1) for arg in item.args)
            out.append("(" + pad + body + "\n" + indent + ")")
    return "".join(out)


def pretty(text: str) -> str:
    """``text`` with long calls broken one argument a line, indented by depth."""
    items = _parse(text)
    if items is None or "\n" in text or len(text) <= WIDTH:
        return text  # unbalanced, laid out by its author, or short: as written
    return _render(items, 0)
