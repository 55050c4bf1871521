"""The console entry point, kept light so that Ctrl-C is answered from the start.

Loading the command line (:mod:`generator.app`: typer, rich, every command)
takes a noticeable part of a second; a Ctrl-C in that time, or at any later
moment, ends with exit 130 and one line, never a traceback.
"""

from __future__ import annotations

import os
import sys

# Nothing else is imported up here: even signal, typing or pathlib (through
# generator.errors) takes long enough for a Ctrl-C to land in it, outside
# main's handler.

INTERRUPTED = "entra-rulegen: interrupted; nothing was written"
EXIT_INTERRUPTED = 130  # generator.errors.EXIT_INTERRUPTED (a test keeps them equal)


def main() -> None:
    """Console entry point."""
    interrupted = False
    try:
        import signal  # noqa: PLC0415

        # While the modules load, Ctrl-C is noted, not raised: a library may
        # swallow an exception raised inside its import (lxml's does).
        pending: list[int] = []
        signal.signal(signal.SIGINT, lambda number, _: pending.append(number))
        from generator.app import run  # noqa: PLC0415 - the slow part

        signal.signal(signal.SIGINT, signal.default_int_handler)
        if pending:
            raise KeyboardInterrupt
        code = run()
    except KeyboardInterrupt:
        interrupted, code = True, EXIT_INTERRUPTED
    except RuntimeError as error:  # 3.11 wraps one that cuts a class's creation
        if not isinstance(error.__cause__, KeyboardInterrupt):
            raise
        interrupted, code = True, EXIT_INTERRUPTED
    import signal  # noqa: PLC0415 - loaded by now, unless its loading was cut

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the work is done: exit quietly
    if interrupted:  # else the command line has said it
        sys.stderr.write(f"\n{INTERRUPTED}\n")
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


__all__ = ["INTERRUPTED", "main"]
