"""`entra-rulegen generate`: placeholder until its issue lands."""

from __future__ import annotations

import typer

from generator.errors import RulegenError


def register(app: typer.Typer) -> None:
    @app.command("generate")
    def command() -> None:
        """Not built yet."""
        raise RulegenError("generate is not built yet")
