"""`entra-rulegen preview`: the marker's exact expression, evaluated for every user.

A table of counts per forest (Guest, Member, invalid, and with ``--current``
the cloud users whose userType would change); ``--csv FILE`` writes one row per
in-scope user, streamed.
"""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from generator.analysis import Analysis, analyse, outcomes, to_json
from generator.commands.options import (
    Config,
    Partners,
    Sources,
    config_options,
    input_files,
    partner_options,
    source_options,
)
from generator.commands.validate import MarkerOption, print_notes
from generator.console import err, out
from generator.errors import UsageError
from generator.outfolder import check_file
from generator.preview import write_csv


def register(app: typer.Typer) -> None:
    @app.command("preview")
    @config_options
    @partner_options
    @source_options
    def command(
        *,
        sources: Sources,
        partners: Partners,
        config: Config,
        marker: MarkerOption,
        current: Annotated[
            Path | None,
            typer.Option(
                help="Cloud users' current userType (CSV with userPrincipalName "
                "and userType, as Get-MgUser -All -Property "
                "UserPrincipalName,UserType | Export-Csv writes it)."
            ),
        ] = None,
        csv: Annotated[
            Path | None, typer.Option("--csv", help="Write one row per user here.")
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Replace an existing --csv file.")
        ] = False,
        as_json: Annotated[
            bool, typer.Option("--json", help="A JSON document on stdout.")
        ] = False,
    ) -> None:
        """Evaluate the marker's expression for every in-scope user."""
        inputs = input_files(sources, partners, config, marker, current)
        if csv is not None:
            check_file(csv, force, "--csv", inputs)  # before reading anything
        elif force:
            raise UsageError("--force replaces a --csv file; give --csv")
        analysis = analyse(
            sources, partners, config, marker, current=current, keep_outcomes=bool(csv)
        )
        if csv is not None:
            rows = write_csv(outcomes(analysis), csv, force=force, inputs=inputs)
            err.print(f"{rows} row(s) written to {csv}", markup=False)
        if as_json:
            out.print_json(json.dumps(to_json(analysis, "preview")))
        else:
            render(analysis)


def render(analysis: Analysis) -> None:
    marker = analysis.marker
    if marker is not None:
        out.print(Text(f"Marker: {marker.spec}"))
        out.print(Text(f"Expression: {marker.expression}"))
    out.print(_table("Preview", _counts(analysis)))
    if any(p.changes is not None for p in analysis.preview):
        out.print(
            _table("Compared with the cloud file (--current)", _changes(analysis))
        )
    print_notes(analysis.findings)  # as plan shows them, information included


def _table(title: str, rows: list[dict[str, str]]) -> Table:
    """One column per key; the forest name left, the counts right."""
    table = Table(title=title, title_justify="left")
    for column in rows[0] if rows else ("Forest",):
        table.add_column(column, justify="left" if column == "Forest" else "right")
    for row in rows:
        table.add_row(*row.values())
    return table


def _counts(analysis: Analysis) -> list[dict[str, str]]:
    scope = {f.name: f.in_scope for f in analysis.forests}
    return [
        {
            "Forest": counts.forest,
            "In scope": str(scope.get(counts.forest, 0)),
            "Guest": str(counts.guest),
            "Member": str(counts.member),
            "Default applied": str(counts.defaulted),
            "Invalid": str(counts.invalid),
        }
        for counts in analysis.preview
    ]


def _changes(analysis: Analysis) -> list[dict[str, str]]:
    """The changes by direction (other: the file gives neither type)."""
    return [
        {
            "Forest": counts.forest,
            "Member -> Guest": str(counts.member_to_guest),
            "Guest -> Member": str(counts.guest_to_member),
            "Other change": str(counts.other_changes),
            "Not in cloud file": str(counts.not_in_cloud),
        }
        for counts in analysis.preview
    ]
