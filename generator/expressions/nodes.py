"""The syntax tree of a sync expression; every node keeps where it was written.

Positions matter because the linter and the CLI point admins at the exact
column of a problem, as the Synchronization Rules Editor does not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Pos:
    """Where a token starts: character offset, 1-based line and column."""

    offset: int
    line: int
    column: int
    end: int = 0


@dataclass(frozen=True, slots=True)
class Str:
    value: str
    pos: Pos = field(compare=False)


@dataclass(frozen=True, slots=True)
class Num:
    value: int
    pos: Pos = field(compare=False)
    hexadecimal: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Bool:
    value: bool
    pos: Pos = field(compare=False)
    written: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Const:
    """``NULL``, ``AuthoritativeNull``, ``IgnoreThisFlow`` or ``CRLF``."""

    name: str
    pos: Pos = field(compare=False)
    written: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Enum:
    """A bare option name such as ``vbTextCompare`` or ``UTF8``."""

    name: str
    pos: Pos = field(compare=False)
    written: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Attr:
    name: str
    pos: Pos = field(compare=False)


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    pos: Pos = field(compare=False)


@dataclass(frozen=True, slots=True)
class Var:
    name: str
    pos: Pos = field(compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Expr, ...]
    pos: Pos = field(compare=False)


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: Expr
    right: Expr
    pos: Pos = field(compare=False)
    grouped: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Expr
    pos: Pos = field(compare=False)
    grouped: bool = field(default=False, compare=False)


Expr = Str | Num | Bool | Const | Enum | Attr | Param | Var | Call | Binary | Neg

COMPARISONS = frozenset({"=", "<>", "<", "<=", ">", ">="})
LOGICAL = frozenset({"&&", "||"})
ARITHMETIC = frozenset({"+", "-", "*", "/"})


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of ``node``, left to right."""
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Neg):
        return (node.operand,)
    return ()


def walk(node: Expr) -> Iterator[Expr]:
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def attributes_read(node: Expr) -> set[str]:
    """The attribute names the expression reads, as written.

    ``ImportedValue("x")`` and ``ValueCount("x")`` name an attribute in a string,
    so they count too.
    """
    found: set[str] = set()
    for item in walk(node):
        if isinstance(item, Attr):
            found.add(item.name)
        elif (
            isinstance(item, Call)
            and item.name in QUOTED_ATTRIBUTE_FUNCTIONS
            and item.args
            and isinstance(item.args[0], Str)
        ):
            found.add(item.args[0].value)
    return found


QUOTED_ATTRIBUTE_FUNCTIONS = frozenset({"ImportedValue", "ValueCount"})
