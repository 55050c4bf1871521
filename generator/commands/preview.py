"""`entra-rulegen preview`: placeholder until its issue lands."""

from __future__ import annotations

import typer

from generator.errors import RulegenError


def register(app: typer.Typer) -> None:
    @app.command("preview")
    def command() -> None:
        """Not built yet."""
        raise RulegenError("preview is not built yet")
