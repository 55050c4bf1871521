"""`entra-rulegen recommend`: rank the marker strategies with their evidence.

Without a partner population it lists likely ones (with the option that
confirms each) and exits 3.
"""

import json
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
from generator.commands.validate import print_findings, print_headline
from generator.console import out
from generator.errors import EXIT_BLOCKED


def register(app: typer.Typer) -> None:
    @app.command("recommend")
    @config_options
    @partner_options
    @source_options
    def command(
        *,
        sources: Sources,
        partners: Partners,
        config: Config,
        as_json: Annotated[
            bool, typer.Option("--json", help="A JSON document on stdout.")
        ] = False,
    ) -> None:
        """Rank the marker strategies against the partner population."""
        analysis = analyse(sources, partners, config, None)
        if as_json:
            out.print_json(json.dumps(to_json(analysis, "recommend")))
        else:
            render(analysis)
        if not analysis.partners.given or not analysis.ranking.candidates:
            raise typer.Exit(EXIT_BLOCKED)


def render(analysis: Analysis) -> None:
    print_headline(analysis)
    if not analysis.partners.given:
        _suggestions(analysis)
        print_findings([f for f in analysis.findings if f.severity == "blocker"])
        return
    if not analysis.ranking.candidates:
        out.print(Text("Why: " + analysis.ranking.why))
        print_findings([f for f in analysis.findings if f.severity != "info"])
        return
    table = Table(title="Marker strategies, best first", title_justify="left")
    for column in (
        "#",
        "Marker",
        "Partners Guest",
        "Employees Guest",
        "Partners missed",
        "Lacking value",
        "Schema",
        "Stability",
        "Blockers / conflicts",
    ):
        table.add_column(column)
    for index, candidate in enumerate(analysis.ranking.candidates, start=1):
        c = candidate.confusion
        partners = c.partners_guest + c.partners_missed
        table.add_row(
            str(index),
            Text(candidate.marker.spec),
            f"{c.partners_guest}/{partners}",
            str(c.employees_guest),
            str(c.partners_missed),
            f"{candidate.lacking_value} ({candidate.partners_lacking_value} partners)",
            Text("; ".join(f"{k}: {v}" for k, v in candidate.schema_fitness.items())),
            Text(candidate.stability),
            Text("; ".join((*candidate.blockers, *candidate.conflicts))),
        )
    out.print(table)
    out.print(Text("Why: " + analysis.ranking.why))
    best = analysis.ranking.best
    if best is not None:
        out.print(Text(f"Expression: {best.marker.expression}"))
        problems = [f for f in analysis.findings if f.severity != "info"]
        if problems:
            print_findings(problems)
        out.print(Text(f"Next: entra-rulegen validate --marker {best.marker.spec} ..."))


def _suggestions(analysis: Analysis) -> None:
    table = Table(title="Likely partner populations", title_justify="left")
    for column in ("Kind", "Value", "Users", "Why", "Confirm with"):
        table.add_column(column)
    for s in analysis.partners.suggestions:
        table.add_row(s.kind, Text(s.value), str(s.count), Text(s.why), Text(s.option))
    out.print(table)
