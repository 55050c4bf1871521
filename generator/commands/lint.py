"""`entra-rulegen lint-expression`: check a sync expression before it is deployed.

Parse errors end the run with one positioned line (exit 1); otherwise every
finding is listed, and a blocker makes the exit code 3.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from generator.console import out
from generator.errors import BlockedError, InputError, UsageError
from generator.expressions import LintFinding, Severity, attributes_read, lint, parse
from generator.expressions.errors import ExpressionError
from generator.expressions.lint import schema_types
from generator.expressions.parser import parse_syntax
from generator.readers.textlines import read_text

LINT_SCHEMA_VERSION = 1
_STYLE = {
    Severity.BLOCKER: "bold red",
    Severity.WARNING: "yellow",
    Severity.INFO: "cyan",
}


def register(app: typer.Typer) -> None:
    @app.command("lint-expression")
    def command(
        expression: Annotated[
            str | None, typer.Argument(metavar="EXPR", help="The expression text.")
        ] = None,
        file: Annotated[
            Path | None,
            typer.Option(
                "--file",
                help="Read the expression from FILE (UTF-8 or UTF-16); - is stdin.",
            ),
        ] = None,
        target: Annotated[
            str | None,
            typer.Option(
                "--target",
                help="The attribute the expression feeds; userType adds its checks.",
            ),
        ] = None,
        schema: Annotated[
            Path | None,
            typer.Option(
                "--schema",
                help="A schema-partition export (LDIF): check attribute names "
                "and their letter case against it.",
            ),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="A JSON document on stdout.")
        ] = False,
    ) -> None:
        """Check a sync-rule expression: syntax, names, and userType pitfalls."""
        text, source = _read(expression, file)
        known, types = _schema_facts(schema)
        try:
            findings = lint(
                text,
                target=target,
                source=source,
                known_attributes=known,
                attribute_types=types,
            )
        except ExpressionError as error:
            if as_json:  # the document says why; stderr has the same line
                document = error_document(text, source, target, error)
                out.print_json(json.dumps(document))
            raise
        if as_json:
            out.print_json(json.dumps(lint_document(text, source, target, findings)))
        else:
            _print(findings)
        blockers = sum(f.severity is Severity.BLOCKER for f in findings)
        if blockers:
            raise BlockedError(
                f"{blockers} blocking finding{'s' if blockers != 1 else ''} "
                "in the expression"
            )


def _read(expression: str | None, file: Path | None) -> tuple[str, str | None]:
    if (expression is None) == (file is None):
        raise UsageError("give either EXPR or --file FILE, not both or neither")
    if file is None:
        assert expression is not None
        return expression, None
    if str(file) == "-":
        return sys.stdin.read().removeprefix("\ufeff"), "<stdin>"
    return read_text(file), str(file)


def _schema_facts(path: Path | None) -> tuple[set[str] | None, dict[str, str] | None]:
    """The attribute names (as the schema spells them) and their types."""
    if path is None:
        return None, None
    from generator.readers.schema_file import read_schema  # noqa: PLC0415 - optional

    schema = read_schema(path)
    return {a.name for a in schema.attributes.values()}, schema_types(schema)


def lint_document(
    text: str, source: str | None, target: str | None, findings: list[LintFinding]
) -> dict[str, Any]:
    """The ``--json`` document."""
    tree = parse_syntax(text, source)
    return {
        "schema_version": LINT_SCHEMA_VERSION,
        "source": source,
        "target": target,
        "expression": text,
        "parses": _resolves(text, source),
        "error": None,
        "attributes_read": sorted(attributes_read(tree)),
        "blockers": sum(f.severity is Severity.BLOCKER for f in findings),
        "findings": [
            {
                "id": f.id,
                "severity": str(f.severity),
                "message": f.message,
                "line": f.line,
                "column": f.column,
                "hint": f.hint,
            }
            for f in findings
        ],
    }


def error_document(
    text: str, source: str | None, target: str | None, error: ExpressionError
) -> dict[str, Any]:
    """The ``--json`` document of an expression that does not parse."""
    return {
        "schema_version": LINT_SCHEMA_VERSION,
        "source": source,
        "target": target,
        "expression": text,
        "parses": False,
        "error": {
            "message": error.message,
            "line": error.line,
            "column": error.column,
            "hint": error.hint,
        },
        "attributes_read": [],
        "blockers": 0,
        "findings": [],
    }


def _resolves(text: str, source: str | None) -> bool:
    """Whether the engine would accept the names too (not just the syntax)."""
    try:
        parse(text, source=source)
    except InputError:
        return False
    return True


def _print(findings: list[LintFinding]) -> None:
    if not findings:
        out.print("no findings")
        return
    for f in findings:
        line = Text(f"{f.line}:{f.column}  ")
        line.append(str(f.severity), style=_STYLE[f.severity])
        line.append(f"  {f.id}  {f.message}")
        out.print(line, soft_wrap=True)
        if f.hint:
            out.print(Text(f"    hint: {f.hint}"), soft_wrap=True)
    counts = {s: sum(f.severity is s for f in findings) for s in Severity}
    out.print(
        Text(
            ", ".join(
                f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in Severity
            )
        )
    )
