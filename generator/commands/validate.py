"""`entra-rulegen validate`: check a marker against the data and the configuration.

Prints the findings (stable ID, severity, count, example users), blockers
first; exits 3 when any finding blocks the change.
"""

import json
import textwrap
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.text import Text

from generator.analysis import Analysis, analyse, to_json
from generator.commands.options import (
    Config,
    Partners,
    Sources,
    config_options,
    partner_options,
    source_options,
)
from generator.console import out
from generator.errors import EXIT_BLOCKED
from generator.marker import Finding

MarkerOption = Annotated[
    str,
    typer.Option(
        "--marker",
        help="upn-suffix:D1[,D2...], ou:DN, attribute:NAME=VALUE, designate:NAME "
        "or expression:@FILE.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="A JSON document on stdout.")]


def register(app: typer.Typer) -> None:
    @app.command("validate")
    @config_options
    @partner_options
    @source_options
    def command(
        *,
        sources: Sources,
        partners: Partners,
        config: Config,
        marker: MarkerOption,
        precedence: Annotated[
            int | None,
            typer.Option(help="Precedence you want for the new rules (1-99)."),
        ] = None,
        as_json: JsonOption = False,
    ) -> None:
        """Check a marker against the data and configuration; exit 3 on blockers."""
        analysis = analyse(sources, partners, config, marker, precedence=precedence)
        if as_json:
            out.print_json(json.dumps(to_json(analysis, "validate")))
        else:
            print_headline(analysis)
            print_findings(analysis.findings)
        if analysis.blocked:
            raise typer.Exit(EXIT_BLOCKED)


def print_headline(analysis: Analysis) -> None:
    """Forests read, users in scope, the partner population, the marker."""
    for forest in analysis.forests:
        out.print(
            Text(
                f"{forest.name}: {forest.users_read} read, {forest.in_scope} in "
                f"scope, {forest.partners} partners (schema: {forest.schema_source}, "
                f"{forest.schema_origin})"
            )
        )
    population = analysis.partners
    if population.given:
        who = f"{population.count} in-scope user(s) match {population.description}"
    else:
        who = "not given"
    out.print(Text(f"Partners: {who}"))
    if analysis.marker is not None:
        out.print(Text(f"Marker: {analysis.marker.spec}"))
        out.print(Text(f"Expression: {analysis.marker.expression}"))


def print_findings(findings: Sequence[Finding]) -> None:
    """One block per finding, blockers first; IDs are never cut short."""
    if not findings:
        out.print("No findings.")
        return
    out.print(Text("Findings", style="bold"))
    for finding in findings:
        _print_finding(finding)


def print_notes(findings: Sequence[Finding]) -> None:
    """After a bundle or preview: blockers and warnings in full, information one
    line each (``plan`` and ``preview`` alike).

    The same words as ``validate``, so an admin who reads only the console sees
    what CHANGE.md and report.json say.
    """
    full = [f for f in findings if f.severity != "info"]
    infos = [f for f in findings if f.severity == "info"]
    if not full and not infos:
        return
    out.print(Text("Findings", style="bold"))
    for finding in full:
        _print_finding(finding)
    for finding in infos:
        out.print(_head(finding), overflow="fold")


def _head(finding: Finding) -> Text:
    where = f" [{finding.forest}]" if finding.forest else ""
    count = f" ({finding.count})" if finding.count else ""
    head = Text(f"{finding.severity.upper():8} ", style=_STYLE[finding.severity])
    head.append(f"{finding.id}{where}: ", style="bold")
    head.append(finding.title + count)
    return head


def _print_finding(finding: Finding) -> None:
    out.print(_head(finding))
    if finding.detail:
        _print_indented(finding.detail)
    if finding.examples:
        _print_indented("e.g. " + ", ".join(finding.examples))


def _print_indented(text: str) -> None:
    """``text`` wrapped between words under the head; a long name stays whole."""
    lines = textwrap.wrap(
        text,
        width=max(out.width - _INDENT, 40),
        break_long_words=False,
        break_on_hyphens=False,
    )
    for line in lines:
        out.print(Text(" " * _INDENT + line))


_INDENT = 9
_STYLE = {"blocker": "bold red", "warning": "yellow", "info": "cyan"}
