"""The shape of a lint finding, shared by the expression checks."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from generator.expressions import nodes as n


class Severity(StrEnum):
    BLOCKER = "blocker"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class LintFinding:
    """One problem at one place of the expression."""

    id: str
    severity: Severity
    message: str
    line: int
    column: int
    hint: str | None = None


def finding(
    rule: str,
    severity: Severity,
    message: str,
    node: n.Expr | n.Pos,
    hint: str | None = None,
) -> LintFinding:
    pos = node if isinstance(node, n.Pos) else node.pos
    return LintFinding(rule, severity, message, pos.line, pos.column, hint)
