"""`entra-rulegen document`: CONFIG.md and CONFIG.html of a configuration export."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from generator.connect.xmlio import read_configuration
from generator.console import log, out
from generator.document import write_document


def register(app: typer.Typer) -> None:
    @app.command("document")
    def command(
        connect_config: Annotated[
            Path,
            typer.Option(
                metavar="DIR", help="A Get-ADSyncServerConfiguration export folder."
            ),
        ],
        out_dir: Annotated[
            Path,
            typer.Option(
                "--out", metavar="DIR", help="Folder to write CONFIG.md/.html into."
            ),
        ],
        custom_only: Annotated[
            bool,
            typer.Option("--custom-only", help="Fold out-of-box rules away."),
        ] = False,
        force: Annotated[
            bool, typer.Option("--force", help="Replace an existing --out folder.")
        ] = False,
    ) -> None:
        """Document an Entra Connect configuration: connectors, rules and userType."""
        started = time.perf_counter()
        config = read_configuration(connect_config)
        inputs = [("--connect-config", connect_config)]
        write_document(config, out_dir, custom_only, force, inputs)
        log.info("documented in %.2f s", time.perf_counter() - started)
        custom = sum(not r.is_out_of_box for r in config.rules)
        out.print(
            f"Wrote {out_dir / 'CONFIG.md'} and {out_dir / 'CONFIG.html'}: "
            f"{len(config.connectors)} connectors, {len(config.rules)} rules "
            f"({custom} custom).",
            markup=False,
            soft_wrap=True,
        )
