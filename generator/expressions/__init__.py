"""Entra Connect Sync's expression language: parse, evaluate, lint.

``parse`` reads an expression into a tree (raising :class:`ExpressionError`
with line, column and hint), ``compile_expression`` turns it into something
fast to evaluate per user, ``lint`` finds the mistakes that parse but hurt,
``attributes_read`` lists the attributes an expression depends on, and
``unparse`` writes a tree back as canonical one-line text.
What it accepts and how it evaluates: docs/expressions.md.
"""

from __future__ import annotations

from generator.expressions.compiler import Compiled, compile_tree
from generator.expressions.errors import ExpressionError
from generator.expressions.findings import LintFinding, Severity
from generator.expressions.lint import lint, schema_types
from generator.expressions.nodes import Expr, attributes_read
from generator.expressions.parser import parse
from generator.expressions.unparse import unparse
from generator.expressions.values import (
    AUTHORITATIVE_NULL,
    IGNORE_THIS_FLOW,
    NULL,
    AuthoritativeNull,
    Error,
    IgnoreThisFlow,
    Null,
    Outcome,
    OutcomeKind,
    Value,
)


def compile_expression(
    expression: Expr | str, *, source: str | None = None
) -> Compiled:
    """A compiled expression; text is parsed first (and may raise ExpressionError)."""
    if isinstance(expression, str):
        return compile_tree(parse(expression, source=source), expression)
    return compile_tree(expression)


__all__ = [
    "AUTHORITATIVE_NULL",
    "IGNORE_THIS_FLOW",
    "NULL",
    "AuthoritativeNull",
    "Compiled",
    "Error",
    "Expr",
    "ExpressionError",
    "IgnoreThisFlow",
    "LintFinding",
    "Null",
    "Outcome",
    "OutcomeKind",
    "Severity",
    "Value",
    "attributes_read",
    "compile_expression",
    "lint",
    "parse",
    "schema_types",
    "unparse",
]
