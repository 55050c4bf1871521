"""Tokens of a sync expression, with the hints admins need for common slips.

The language has straight double-quoted strings with backslash escapes,
``[attribute]``, ``%Parameter%``, ``$variable``, decimal and ``&H`` numbers,
names and a handful of operators; nothing else (no comments, no ``!``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.expressions.errors import ExpressionError
from generator.expressions.nodes import Pos

STRING = "string"
NUMBER = "number"
HEX = "hex"
ATTRIBUTE = "attribute"
PARAMETER = "parameter"
VARIABLE = "variable"
NAME = "name"
OPERATOR = "operator"
LPAREN = "("
RPAREN = ")"
COMMA = ","
END = "end"

_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t"}
_WHITESPACE = " \t\r\n"
# Where a string's plain run ends: its quote, an escape, or a raw line break.
_STRING_STOP = re.compile(r'["\\\r\n]')
_TWO_CHAR_OPERATORS = ("&&", "||", "<>", "<=", ">=")
_ONE_CHAR_OPERATORS = "=<>&+-*/"

# Quote look-alikes that word processors, chat tools and CJK keyboards produce.
_FANCY_QUOTES = frozenset(
    "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033"
    "\u00ab\u00bb\u300c\u300d\u300e\u300f\u301d\u301e\u301f\uff02\uff07"
)

_MISTAKES = {
    "!": (
        "there is no '!' operator",
        "negate with '= False', e.g. IsPresent([x]) = False",
    ),
    "'": ("single quotes do not make a string", 'use straight double quotes "..."'),
    "|": ("a single '|' is not an operator", "use || for a logical or"),
    ";": ("';' is not part of the language", "separate arguments with ','"),
    "{": ("'{' is not part of the language", 'put it inside a string: "{"'),
    "}": ("'}' is not part of the language", 'put it inside a string: "}"'),
    "]": ("']' without '['", "attribute names are written [name]"),
    "#": ("'#' is not part of the language", "there are no comments in expressions"),
}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    value: object
    pos: Pos
    space_before: bool


class Lexer:
    """Turns the text into tokens, raising :class:`ExpressionError` on a slip."""

    def __init__(self, text: str, source: str | None = None) -> None:
        self.text = text
        self.source = source
        self.index = 0
        self.line = 1
        self.line_start = 0

    def tokens(self) -> list[Token]:
        """Every token, ending with an ``END`` token."""
        found = [self.next_token()]
        while found[-1].kind != END:
            found.append(self.next_token())
        return found

    def next_token(self) -> Token:
        """The next token (``END`` at the end, again and again)."""
        spaced = self._skip_whitespace()
        return self._next(spaced)

    def error(self, message: str, at: int, hint: str | None = None) -> ExpressionError:
        """An error at character offset ``at`` of the text."""
        line = self.text.count("\n", 0, at) + 1
        column = at - (self.text.rfind("\n", 0, at) + 1) + 1
        return ExpressionError(
            message, line=line, column=column, hint=hint, source=self.source, offset=at
        )

    def _pos(self, start: int) -> Pos:
        line = self.text.count("\n", 0, start) + 1
        column = start - (self.text.rfind("\n", 0, start) + 1) + 1
        return Pos(start, line, column, self.index)

    def _skip_whitespace(self) -> bool:
        start = self.index
        text = self.text
        while self.index < len(text) and text[self.index] in _WHITESPACE:
            self.index += 1
        return self.index > start

    def _next(self, spaced: bool) -> Token:
        text, start = self.text, self.index
        if start >= len(text):
            return Token(END, "", None, self._pos(start), spaced)
        char = text[start]
        if char == '"':
            return self._string(spaced)
        if char == "[":
            return self._delimited(ATTRIBUTE, "]", "attribute", spaced)
        if char == "%":
            return self._delimited(PARAMETER, "%", "parameter", spaced)
        if char == "$":
            return self._variable(spaced)
        if char.isdigit() and char.isascii():
            return self._number(spaced)
        if char == "&" and text.startswith("&H", start):
            return self._hex(spaced)
        if char.isalpha() or char == "_":
            return self._name(spaced)
        return self._punctuation(char, spaced)

    def _token(self, kind: str, start: int, value: object, spaced: bool) -> Token:
        return Token(
            kind, self.text[start : self.index], value, self._pos(start), spaced
        )

    def _punctuation(self, char: str, spaced: bool) -> Token:
        start = self.index
        if char in "(),":
            self.index += 1
            return self._token(char, start, char, spaced)
        two = self.text[start : start + 2]
        self._refuse_operator_slips(two, start)
        if two in _TWO_CHAR_OPERATORS:
            self.index += 2
            return self._token(OPERATOR, start, two, spaced)
        if char in _ONE_CHAR_OPERATORS:
            self.index += 1
            return self._token(OPERATOR, start, char, spaced)
        raise self._unexpected_character(char, start)

    def _refuse_operator_slips(self, two: str, start: int) -> None:
        if two == "==":
            raise self.error(
                "'==' is not an operator", start, "compare with a single ="
            )
        if two == "!=":
            raise self.error("'!=' is not an operator", start, "use <> for not equal")
        if two == "//":
            raise self.error(
                "'//' comments are not part of the language",
                start,
                "remove the comment; expressions have no comments",
            )

    def _unexpected_character(self, char: str, start: int) -> ExpressionError:
        if char in _FANCY_QUOTES:
            return self.error(
                f"typographic quote {char!r} cannot start or end a string",
                start,
                'use straight double quotes (") around strings',
            )
        if char in _MISTAKES:
            message, hint = _MISTAKES[char]
            return self.error(message, start, hint)
        code = ord(char)
        if char in "\u2010\u2011\u2012\u2013\u2014\u2212":
            return self.error(
                f"typographic dash {char!r}", start, "type the ASCII minus sign -"
            )
        if 0xFF01 <= code <= 0xFF5E:
            ascii_char = chr(code - 0xFEE0)
            return self.error(
                f"full-width character {char!r}",
                start,
                f"type the ASCII {ascii_char!r}",
            )
        if char.isspace():
            return self.error(
                f"unusual space character U+{code:04X}", start, "use a plain space"
            )
        return self.error(f"unexpected character {char!r}", start)

    def _string(self, spaced: bool) -> Token:
        text, start = self.text, self.index
        parts: list[str] = []
        index = start + 1
        while True:
            found = _STRING_STOP.search(text, index)
            end = found.start() if found else -1
            if end < 0:
                raise self.error(
                    "string is never closed",
                    start,
                    'end it with a straight double quote (")',
                )
            if text[end] in "\r\n":
                # Unsure the sync engine keeps a raw line break in a literal,
                # and rules are shown on one line: the escape says it plainly.
                raise self.error(
                    "a line break inside a string",
                    end,
                    "close the string on this line; for a line break in the "
                    "text write \\n (\\r\\n for CR LF)",
                )
            parts.append(text[index:end])
            if text[end] == '"':
                break
            escaped = text[end + 1 : end + 2]
            if escaped not in _ESCAPES:
                shown = "\\" + escaped if escaped else "\\"
                raise self.error(
                    f"invalid escape {shown!r} in a string",
                    end,
                    'the escapes are \\\\ \\" \\n \\r \\t; write \\\\ for a backslash',
                )
            parts.append(_ESCAPES[escaped])
            index = end + 2
        self.index = end + 1
        if text.startswith('"', self.index):
            raise self.error(
                "two strings written next to each other",
                self.index,
                'a doubled "" is not an escape: write \\" for a quote inside a string',
            )
        return self._token(STRING, start, "".join(parts), spaced)

    def _delimited(self, kind: str, closer: str, what: str, spaced: bool) -> Token:
        text, start = self.text, self.index
        index = start + 1
        while index < len(text) and text[index] != closer and text[index] != "\n":
            index += 1
        if index >= len(text) or text[index] != closer:
            raise self.error(
                f"{what} name is never closed", start, f"end it with '{closer}'"
            )
        name = text[start + 1 : index]
        self.index = index + 1
        if not name:
            raise self.error(
                f"empty {what} name", start, f"write a name between the {what} marks"
            )
        allowed = "-_" if kind == ATTRIBUTE else "._-"
        bad = next((c for c in name if not (c.isalnum() or c in allowed)), None)
        if bad is not None:
            raise self.error(
                f"{what} name {name!r} contains {bad!r}",
                start + 1 + name.index(bad),
                f"{what} names use letters, digits and {' '.join(allowed)}",
            )
        return self._token(kind, start, name, spaced)

    def _variable(self, spaced: bool) -> Token:
        start = self.index
        index = start + 1
        while index < len(self.text) and (
            self.text[index].isalnum() or self.text[index] == "_"
        ):
            index += 1
        if index == start + 1:
            raise self.error(
                "'$' must be followed by a variable name", start, "e.g. $item"
            )
        self.index = index
        return self._token(VARIABLE, start, self.text[start + 1 : index], spaced)

    def _number(self, spaced: bool) -> Token:
        start = self.index
        index = start
        while (
            index < len(self.text)
            and self.text[index].isascii()
            and self.text[index].isdigit()
        ):
            index += 1
        self.index = index
        self._refuse_glued_letters(start, "number")
        if (
            self.text.startswith(".", index)
            and self.text[index + 1 : index + 2].isdigit()
        ):
            raise self.error(
                "decimal fractions are not supported",
                start,
                "numbers are 64-bit integers",
            )
        return self._token(NUMBER, start, int(self.text[start:index]), spaced)

    def _hex(self, spaced: bool) -> Token:
        start = self.index
        index = start + 2
        while index < len(self.text) and self.text[index] in "0123456789abcdefABCDEF":
            index += 1
        if index == start + 2:
            raise self.error(
                "'&H' must be followed by hexadecimal digits",
                start,
                "write e.g. &HFF; for a concatenation put a space after &",
            )
        self.index = index
        self._refuse_glued_letters(start, "hexadecimal number")
        digits = self.text[start + 2 : index]
        if len(digits) > 16:
            raise self.error(
                f"hexadecimal number &H{digits} does not fit in 64 bits", start
            )
        value = int(digits, 16)
        if value >= 1 << 63:
            value -= 1 << 64
        return self._token(HEX, start, value, spaced)

    def _refuse_glued_letters(self, start: int, what: str) -> None:
        if self.index < len(self.text):
            char = self.text[self.index]
            if char.isalpha() or char == "_":
                raise self.error(
                    f"{what} runs into {char!r}",
                    self.index,
                    "separate them with an operator",
                )

    def _name(self, spaced: bool) -> Token:
        start = self.index
        index = start
        while index < len(self.text) and (
            self.text[index].isalnum() or self.text[index] == "_"
        ):
            index += 1
        self.index = index
        name = self.text[start:index]
        return self._token(NAME, start, name, spaced)


def tokenize(text: str, source: str | None = None) -> list[Token]:
    """The tokens of ``text``; raises :class:`ExpressionError` on a lexical slip."""
    return Lexer(text, source).tokens()
