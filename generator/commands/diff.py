"""`entra-rulegen diff`: compare two configuration exports; exit 4 when they differ."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from generator import outfolder
from generator.connect.xmlio import read_configuration
from generator.console import out
from generator.diff import compare, format_text, parse_mapping, summary
from generator.errors import EXIT_DIFFERENT, UsageError
from generator.render import render


def register(app: typer.Typer) -> None:
    @app.command("diff")
    def command(
        connect_config: Annotated[
            list[Path],
            typer.Option(
                metavar="DIR", help="An export folder; give it twice: A, then B."
            ),
        ],
        map_: Annotated[
            list[str] | None,
            typer.Option(
                "--map",
                metavar="NAME=NAME",
                help="A_NAME=B_NAME: connectors named differently in A and B.",
            ),
        ] = None,
        json_output: Annotated[
            bool, typer.Option("--json", help="Print a JSON document.")
        ] = False,
        out_dir: Annotated[
            Path | None,
            typer.Option("--out", metavar="DIR", help="Also write DIFF.md into DIR."),
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Replace an existing --out folder.")
        ] = False,
    ) -> None:
        """Compare two Entra Connect configurations (exit 4 when they differ)."""
        if len(connect_config) != 2:
            raise UsageError("diff needs --connect-config exactly twice (A and B)")
        mapping = parse_mapping(map_ or [])
        if out_dir is not None:
            inputs = [("--connect-config", path) for path in connect_config]
            outfolder.check_target(out_dir, force, inputs=inputs)
        a_path, b_path = connect_config
        a, b = read_configuration(a_path), read_configuration(b_path)
        diff = compare(a, b, mapping, (str(a_path), str(b_path)))
        if out_dir is not None:
            text = render("config/DIFF.md.j2", diff=diff, summary=summary(diff))
            outfolder.write_folder(out_dir, {"DIFF.md": text}, force)
        if json_output:
            out.print(
                json.dumps(diff.as_json(), indent=2), markup=False, soft_wrap=True
            )
        else:
            out.print(format_text(diff), markup=False, soft_wrap=True, end="")
        if not diff.equal:
            raise typer.Exit(EXIT_DIFFERENT)
