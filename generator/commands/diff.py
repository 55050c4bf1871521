"""`entra-rulegen diff`: placeholder until its issue lands."""

from __future__ import annotations

import typer

from generator.errors import RulegenError


def register(app: typer.Typer) -> None:
    @app.command("diff")
    def command() -> None:
        """Not built yet."""
        raise RulegenError("diff is not built yet")
