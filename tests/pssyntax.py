"""Parse PowerShell with tree-sitter-powershell and list ERROR and MISSING nodes."""

from __future__ import annotations

import tree_sitter_powershell as tsps
from tree_sitter import Language, Parser

_PARSER = Parser(Language(tsps.language()))


def syntax_errors(script: str) -> list[str]:
    """``line:column KIND snippet`` for every ERROR or MISSING node (1-based)."""
    data = script.removeprefix("\ufeff").encode("utf-8")
    tree = _PARSER.parse(data)
    errors: list[str] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        where = f"{node.start_point[0] + 1}:{node.start_point[1] + 1}"
        if node.is_missing:
            errors.append(f"{where} MISSING {node.type}")
        elif node.is_error:
            snippet = data[node.start_byte : node.end_byte][:60].decode(
                "utf-8", "replace"
            )
            errors.append(f"{where} ERROR {snippet!r}")
        if node.has_error:
            stack.extend(node.children)
    return sorted(errors)
