"""A tree back to expression text: one line, canonical spelling, minimal parentheses.

Generated rules should show single-line expressions, as the Synchronization
Rules Editor does; parsing the output gives the same tree back.
"""

from __future__ import annotations

from generator.escaping import UnrepresentableValue
from generator.expressions import nodes as n
from generator.expressions.parser import BINDING, UNARY


def unparse(node: n.Expr) -> str:
    """The canonical text of ``node``."""
    if isinstance(node, n.Str):
        return literal(node.value)
    if isinstance(node, n.Num):
        return _number(node)
    if isinstance(node, n.Bool):
        return "True" if node.value else "False"
    if isinstance(node, n.Const | n.Enum):
        return node.name
    if isinstance(node, n.Attr):
        return f"[{node.name}]"
    if isinstance(node, n.Param):
        return f"%{node.name}%"
    if isinstance(node, n.Var):
        return f"${node.name}"
    if isinstance(node, n.Call):
        return f"{node.name}({','.join(unparse(a) for a in node.args)})"
    if isinstance(node, n.Neg):
        # "-5" would read back as a negative literal; "- 5" stays a negation.
        gap = " " if isinstance(node.operand, n.Num) else ""
        return "-" + gap + _operand(node.operand, UNARY, right=True)
    power = BINDING[node.op]
    left = _operand(node.left, power, right=False)
    right = _operand(node.right, power, right=True)
    return f"{left} {node.op} {right}"


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def literal(text: str) -> str:
    """A string literal for ``text``; the lexer's escapes, nothing else."""
    bad = next(
        (c for c in text if (c < " " and c not in _ESCAPES) or c == "\x7f"), None
    )
    if bad is not None:
        raise UnrepresentableValue(
            "a sync expression string", text, f"it holds the control character {bad!r}"
        )
    return '"' + "".join(_ESCAPES.get(c, c) for c in text) + '"'


def _number(node: n.Num) -> str:
    if node.hexadecimal:
        digits = f"{node.value & ((1 << 64) - 1):X}"
        return f"&H{digits}"
    return str(node.value)


def _operand(node: n.Expr, power: int, *, right: bool) -> str:
    """An operand, in parentheses when the tree needs (or had) them."""
    text = unparse(node)
    if isinstance(node, n.Neg):
        return f"({text})" if node.grouped else text
    if not isinstance(node, n.Binary):
        return text
    inner = BINDING[node.op]
    if node.grouped or inner < power or (right and inner == power):
        return f"({text})"
    return text
