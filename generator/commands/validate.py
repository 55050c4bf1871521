"""`entra-rulegen validate`: check a marker against the data and the configuration.

Prints the findings (stable ID, severity, count, example users), blockers
first; exits 3 when any finding blocks the change.
"""

import json
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.table import Table
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
    out.print(Text(f"Partners: {population.description} ({population.count})"))
    if analysis.marker is not None:
        out.print(Text(f"Marker: {analysis.marker.spec}"))
        out.print(Text(f"Expression: {analysis.marker.expression}"))


def print_findings(findings: Sequence[Finding]) -> None:
    """One row per finding, blockers first."""
    if not findings:
        out.print("No findings.")
        return
    table = Table(title="Findings", title_justify="left")
    for column in ("Severity", "ID", "Forest", "Count", "Finding", "Examples"):
        table.add_column(column, justify="right" if column == "Count" else "left")
    for finding in findings:
        detail = finding.title + (f" - {finding.detail}" if finding.detail else "")
        table.add_row(
            finding.severity,
            finding.id,
            finding.forest or "",
            str(finding.count) if finding.count else "",
            Text(detail),
            Text(", ".join(finding.examples)),
        )
    out.print(table)
