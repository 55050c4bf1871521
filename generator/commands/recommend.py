"""`entra-rulegen recommend`: placeholder until its issue lands."""

from __future__ import annotations

import typer

from generator.errors import RulegenError


def register(app: typer.Typer) -> None:
    @app.command("recommend")
    def command() -> None:
        """Not built yet."""
        raise RulegenError("recommend is not built yet")
