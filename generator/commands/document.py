"""`entra-rulegen document`: placeholder until its issue lands."""

from __future__ import annotations

import typer

from generator.errors import RulegenError


def register(app: typer.Typer) -> None:
    @app.command("document")
    def command() -> None:
        """Not built yet."""
        raise RulegenError("document is not built yet")
