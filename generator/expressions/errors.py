"""The error a sync expression raises when it cannot be read or resolved.

It is an :class:`~generator.errors.InputError`, so the CLI prints it as one line
(``FILE:LINE:COL: message (hint: ...)``) and exits 1.
"""

from __future__ import annotations

from generator.errors import InputError

DEFAULT_SOURCE = "<expression>"


class ExpressionError(InputError):
    """A syntax or name error at a line and column of an expression."""

    def __init__(
        self,
        message: str,
        *,
        line: int,
        column: int,
        hint: str | None = None,
        source: str | None = None,
        offset: int = 0,
    ) -> None:
        self.column = column
        self.hint = hint
        self.offset = offset
        super().__init__(message, path=source or DEFAULT_SOURCE, line=line)

    def _render(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}:{self.column}: {self.message}{hint}"

    def with_source(self, source: str | None) -> ExpressionError:
        """The same error, attributed to ``source`` (a file name)."""
        return ExpressionError(
            self.message,
            line=self.line or 1,
            column=self.column,
            hint=self.hint,
            source=source,
            offset=self.offset,
        )
