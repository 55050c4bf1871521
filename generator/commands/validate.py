"""`entra-rulegen validate`: placeholder until its issue lands."""

from __future__ import annotations

import typer

from generator.errors import RulegenError


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def command() -> None:
        """Not built yet."""
        raise RulegenError("validate is not built yet")
