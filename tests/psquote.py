"""A small reader of PowerShell string literals, following PowerShell's quoting.

tree-sitter's grammar knows only the ASCII quotes; PowerShell's tokenizer also
ends a single-quoted string at U+2018..U+201B and a double-quoted one at
U+201C..U+201E (about_Quoting_Rules). The tests read every literal of a
generated script back with this reader and compare it with what went in, so
a quote the escaping missed shows up as a literal that ends too early.

Covered: ``#`` and ``<# #>`` comments, backtick escapes, single- and
double-quoted strings, ``$( )`` subexpressions inside double-quoted strings,
and ``@' '@`` / ``@" "@`` here-strings. Not covered (the generator does not
write them): ``#`` inside a bare word, and ``#`` directly after a token
without space.
"""

from __future__ import annotations

from dataclasses import dataclass

SINGLE = "'\u2018\u2019\u201a\u201b"
DOUBLE = '"\u201c\u201d\u201e'
BACKTICK_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "e": "\x1b", "f": "\f",
    "n": "\n", "r": "\r", "t": "\t", "v": "\v",
}  # fmt: skip


@dataclass(frozen=True)
class Literal:
    """One string literal: its value after unquoting, and where it starts."""

    kind: str  # "single", "double", "here-single", "here-double"
    value: str
    line: int  # 1-based
    offset: int  # of the opening quote
    end: int = 0  # just after the closing quote


class QuoteError(ValueError):
    """The script ends inside a string or comment."""


def literals(script: str) -> list[Literal]:
    """Every string literal in ``script``, in order (nested ones included)."""
    reader = _Reader(script.removeprefix("\ufeff"))
    reader.code(0, closing=None)
    return reader.found


def single_quoted(script: str) -> list[str]:
    """The values of the single-quoted literals (the ones we generate)."""
    return [x.value for x in literals(script) if x.kind == "single"]


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.found: list[Literal] = []

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def code(self, pos: int, closing: str | None) -> int:
        """Read code from ``pos``; stop after ``closing`` at depth 0 (or at EOF)."""
        text, depth = self.text, 0
        while pos < len(text):
            c = text[pos]
            if c == "`":
                pos += 2
            elif text.startswith("<#", pos):
                end = text.find("#>", pos + 2)
                if end < 0:
                    raise QuoteError(
                        f"block comment at line {self.line_of(pos)} never ends"
                    )
                pos = end + 2
            elif c == "#" and (pos == 0 or text[pos - 1] in " \t\r\n;({"):
                end = text.find("\n", pos)
                pos = len(text) if end < 0 else end
            elif c == "@" and pos + 1 < len(text) and text[pos + 1] in SINGLE + DOUBLE:
                pos = self.here_string(pos)
            elif c in SINGLE:
                pos = self.single(pos)
            elif c in DOUBLE:
                pos = self.double(pos)
            elif c == "(" and closing:
                depth += 1
                pos += 1
            elif c == ")" and closing:
                if depth == 0:
                    return pos + 1
                depth -= 1
                pos += 1
            else:
                pos += 1
        if closing:
            raise QuoteError("a $( ) subexpression never closes")
        return pos

    def single(self, start: int) -> int:
        text, pos, value = self.text, start + 1, []
        while pos < len(text):
            c = text[pos]
            if c in SINGLE:
                if pos + 1 < len(text) and text[pos + 1] in SINGLE:
                    value.append(text[pos + 1])
                    pos += 2
                    continue
                self.found.append(
                    Literal(
                        "single", "".join(value), self.line_of(start), start, pos + 1
                    )
                )
                return pos + 1
            value.append(c)
            pos += 1
        raise QuoteError(
            f"single-quoted string at line {self.line_of(start)} never ends"
        )

    def double(self, start: int) -> int:
        text, pos, value = self.text, start + 1, []
        while pos < len(text):
            c = text[pos]
            if c == "`" and pos + 1 < len(text):
                value.append(BACKTICK_ESCAPES.get(text[pos + 1], text[pos + 1]))
                pos += 2
            elif c in DOUBLE:
                if pos + 1 < len(text) and text[pos + 1] in DOUBLE:
                    value.append(text[pos + 1])
                    pos += 2
                    continue
                self.found.append(
                    Literal(
                        "double", "".join(value), self.line_of(start), start, pos + 1
                    )
                )
                return pos + 1
            elif text.startswith("$(", pos):
                end = self.code(pos + 2, closing=")")
                value.append(text[pos:end])
                pos = end
            else:
                value.append(c)
                pos += 1
        raise QuoteError(
            f"double-quoted string at line {self.line_of(start)} never ends"
        )

    def here_string(self, start: int) -> int:
        quote = self.text[start + 1]
        kind = "here-single" if quote in SINGLE else "here-double"
        body = self.text.find("\n", start)
        closers = SINGLE if kind == "here-single" else DOUBLE
        pos = body + 1
        while pos < len(self.text):
            eol = self.text.find("\n", pos)
            eol = len(self.text) if eol < 0 else eol
            line = self.text[pos:eol].rstrip("\r")
            if len(line) >= 2 and line[0] in closers and line[1] == "@":
                value = self.text[body + 1 : max(body + 1, pos - 1)].removesuffix("\r")
                found = Literal(kind, value, self.line_of(start), start, pos + 2)
                self.found.append(found)
                return pos + 2
            pos = eol + 1
        raise QuoteError(f"here-string at line {self.line_of(start)} never ends")
