"""`entra-rulegen plan`: placeholder until its issue lands."""

from __future__ import annotations

import typer

from generator.errors import RulegenError


def register(app: typer.Typer) -> None:
    @app.command("plan")
    def command() -> None:
        """Not built yet."""
        raise RulegenError("plan is not built yet")
