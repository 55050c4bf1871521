"""The errors the tool reports to the admin, and the exit code each one maps to.

    RulegenError                 exit 1 unless stated
    ├── InputError               a file we cannot read: names the file and line
    ├── DirectoryError           a live directory we cannot read: names the host
    ├── OutputError              a bundle or file we cannot write
    ├── UsageError               exit 2: options that do not fit together
    └── BlockedError             exit 3: validation found blockers

The CLI prints ``str(error)`` as one line on stderr; messages must therefore
never carry a password or a multi-line dump.
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_BLOCKED = 3
EXIT_DIFFERENT = 4
EXIT_INTERRUPTED = 130


class RulegenError(Exception):
    """Base of every error the CLI turns into one line on stderr."""

    exit_code = EXIT_ERROR


class InputError(RulegenError):
    """A file whose structure or encoding we cannot read."""

    def __init__(
        self, message: str, *, path: str | Path | None = None, line: int | None = None
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class DirectoryError(RulegenError):
    """A live directory that cannot be reached, bound or searched."""

    def __init__(self, message: str, *, host: str) -> None:
        self.host = host
        super().__init__(f"{host}: {message}")


class OutputError(RulegenError):
    """A bundle, report or file that cannot be written."""


class UsageError(RulegenError):
    """Options that do not fit together (click handles the plain syntax errors)."""

    exit_code = EXIT_USAGE


class BlockedError(RulegenError):
    """Validation found at least one blocker: no bundle is written."""

    exit_code = EXIT_BLOCKED
