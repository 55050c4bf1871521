"""The console entry point, kept light so that Ctrl-C is answered from the start.

Loading the command line (:mod:`generator.app`: typer, rich, every command)
takes a noticeable part of a second; a Ctrl-C in that time, or at any later
moment, ends with exit 130 and one line, never a traceback.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import TYPE_CHECKING

from generator.errors import EXIT_INTERRUPTED

if TYPE_CHECKING:
    from generator.app import app

INTERRUPTED = "entra-rulegen: interrupted; nothing was written"


def main() -> None:
    """Console entry point."""
    try:
        from generator.app import run  # noqa: PLC0415 - the slow part

        code = run()
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # one answer is enough
        sys.stderr.write(f"\n{INTERRUPTED}\n")
        sys.stderr.flush()
        code = EXIT_INTERRUPTED
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the work is done: exit quietly
    if code == EXIT_INTERRUPTED:
        # Everything was unwound; leave now, before the interpreter's shutdown
        # can turn the interrupt it saw into a death by SIGINT (status -2).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def __getattr__(name: str) -> object:
    """``generator.cli.app``, loaded on first use (tests, ``python -m``)."""
    if name == "app":
        from generator.app import app  # noqa: PLC0415

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["INTERRUPTED", "app", "main"]
