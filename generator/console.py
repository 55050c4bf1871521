"""The two consoles: stdout carries the product, stderr everything else."""

from __future__ import annotations

import logging

from rich.console import Console
from rich.logging import RichHandler

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)

log = logging.getLogger("entra_rulegen")


def configure_logging(verbosity: int, quiet: bool) -> None:
    """-q shows errors only, the default shows warnings, -v info, -vv debug."""
    if quiet:
        level = logging.ERROR
    else:
        level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    handler = RichHandler(
        console=err, show_time=False, show_path=False, rich_tracebacks=False
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
