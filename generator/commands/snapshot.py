"""`entra-rulegen snapshot`: placeholder until its issue lands."""

from __future__ import annotations

import typer

from generator.errors import RulegenError


def register(app: typer.Typer) -> None:
    @app.command("snapshot")
    def command() -> None:
        """Not built yet."""
        raise RulegenError("snapshot is not built yet")
