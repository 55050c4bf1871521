"""`entra-rulegen inspect`: placeholder until its issue lands."""

from __future__ import annotations

import typer

from generator.errors import RulegenError


def register(app: typer.Typer) -> None:
    @app.command("inspect")
    def command() -> None:
        """Not built yet."""
        raise RulegenError("inspect is not built yet")
