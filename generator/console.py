"""The two consoles: stdout carries the product, stderr everything else."""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

from rich.console import Console
from rich.logging import RichHandler
from rich.text import Text


def _width(stream: TextIO) -> int | None:
    """Terminals keep their width; files and pipes get room for wide tables.

    ``COLUMNS`` still wins when set.
    """
    if stream.isatty() or os.environ.get("COLUMNS"):
        return None
    return 120


# soft_wrap: a line of text is never cut or wrapped by rich, so paths and
# expressions stay whole when admins copy them from a log; tables still fit.
out = Console(highlight=False, soft_wrap=True, width=_width(sys.stdout))
err = Console(stderr=True, highlight=False, soft_wrap=True, width=_width(sys.stderr))

log = logging.getLogger("entra_rulegen")


class _LineHandler(logging.Handler):
    """``WARNING: message`` on one line, for stderr that is not a terminal."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = f"{record.levelname}: {self.format(record)}"
            err.print(Text(line), soft_wrap=True)
        except Exception:  # logging must never break the run
            self.handleError(record)


def configure_logging(verbosity: int, quiet: bool) -> None:
    """-q shows errors only, the default shows warnings, -v info, -vv debug."""
    if quiet:
        level = logging.ERROR
    else:
        level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    handler: logging.Handler
    if err.is_terminal:
        handler = RichHandler(
            console=err, show_time=False, show_path=False, rich_tracebacks=False
        )
    else:
        handler = _LineHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
