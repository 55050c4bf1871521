"""`entra-rulegen generate`: the change bundle for a marker the admin chose.

Steps 1-7 with ``--marker`` given: read, analyse, validate, preview, then write
the bundle into ``--out`` (all or nothing). With a blocker the findings are
printed and nothing is written (exit 3).
"""

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from generator.analysis import Analysis, analyse, outcomes
from generator.bundle import BundleResult, write_bundle
from generator.bundle.writer import check_target
from generator.commands.options import (
    Config,
    Partners,
    Sources,
    config_options,
    input_files,
    partner_options,
    source_options,
)
from generator.commands.validate import (
    MarkerOption,
    print_findings,
    print_headline,
    print_notes,
)
from generator.console import out

OutOption = Annotated[
    Path,
    typer.Option("--out", help="Folder for the bundle; must not exist unless --force."),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace an existing bundle in --out.")
]
CurrentOption = Annotated[
    Path | None,
    typer.Option(
        help="Cloud users' current userType (CSV with userPrincipalName and "
        "userType, as Get-MgUser -All -Property UserPrincipalName,UserType | "
        "Export-Csv writes it)."
    ),
]
PrecedenceOption = Annotated[
    int | None,
    typer.Option(
        min=1, max=99, help="First precedence for the new rules (default: free ones)."
    ),
]


def register(app: typer.Typer) -> None:
    @app.command("generate")
    @config_options
    @partner_options
    @source_options
    def command(
        *,
        sources: Sources,
        partners: Partners,
        config: Config,
        marker: MarkerOption,
        out_dir: OutOption,
        precedence: PrecedenceOption = None,
        current: CurrentOption = None,
        force: ForceOption = False,
    ) -> None:
        """Write the change bundle (scripts, rules, CHANGE.md) for --marker."""
        inputs = input_files(sources, partners, config, marker, current)
        check_target(out_dir, force, inputs)  # before reading anything
        analysis = analyse(
            sources,
            partners,
            config,
            marker,
            precedence=precedence,
            current=current,
            keep_outcomes=True,  # the bundle streams them: no third read
        )
        result = bundle(analysis, out_dir, force)
        print_headline(analysis)
        print_result(result)
        print_notes(analysis.findings)


def bundle(analysis: Analysis, out_dir: Path, force: bool) -> BundleResult:
    """Write the bundle, or print the findings and stop (exit 3) on blockers."""
    if analysis.blocked or analysis.marker is None:
        print_findings(analysis.findings)
    return write_bundle(analysis, out_dir, force=force, outcomes=outcomes)


def print_result(result: BundleResult) -> None:
    """The files written and where to start reading."""
    stats = result.stats
    out.print(
        Text(
            f"Preview: {stats.total} users in scope, {stats.guest} Guest, "
            f"{stats.member} Member."
        )
    )
    if stats.cloud_known:
        missing = (
            f"; {stats.cloud_missing} in-scope users are not in it, and their "
            "userType is unknown"
            if stats.cloud_missing
            else ""
        )
        directions = (
            f" ({stats.cloud_member_to_guest} Member to Guest, "
            f"{stats.cloud_guest_to_member} Guest to Member"
            + (
                f", {stats.cloud_other_changes} from an unknown userType"
                if stats.cloud_other_changes
                else ""
            )
            + ")"
            if stats.cloud_changes
            else ""
        )
        out.print(
            Text(
                f"Cloud file: {stats.cloud_changes} of the {stats.cloud_found} "
                f"in-scope users found in it would change userType{directions}"
                f"{missing}."
            )
        )
    out.print(Text(f"Bundle: {result.out} ({len(result.files)} files)"))
    for name, _ in result.files:
        out.print(Text(f"  {name}"))
    out.print(Text(f"Start with {result.out / 'CHANGE.md'}."))
