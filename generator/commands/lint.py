"""`entra-rulegen lint-expression`: placeholder until its issue lands."""

from __future__ import annotations

import typer

from generator.errors import RulegenError


def register(app: typer.Typer) -> None:
    @app.command("lint-expression")
    def command() -> None:
        """Not built yet."""
        raise RulegenError("lint-expression is not built yet")
