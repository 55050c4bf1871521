"""The fast path for LDIF: one ``ldif`` parser over the whole file.

The parser reads its lines through :class:`Feed`, which checks every physical
line cheaply as it passes (attribute names, the base64 alphabet and padding,
change records, one ``dn:`` per record) and notes the line of each record's
``dn:``. Anything unusual raises :class:`Unusual`: ``ldif_file`` then reads the
file the careful way, which names the exact line of a real fault and otherwise
goes on from the record where this path stopped.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator

# RFC 2849 AttributeDescription: a name or an OID, then ;options (AD adds
# ;range=0-1499 to long multi-valued attributes).
ATTRIBUTE_NAME = re.compile(
    r"^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)(?:;[A-Za-z0-9=*.-]+)*$"
)
_NAME_BYTES = re.compile(ATTRIBUTE_NAME.pattern.encode("ascii"))
# Keys of ldapsearch's result summary, which it prints as records without dn.
RESULT_KEYS = frozenset({"search", "result", "ref", "control", "pagedresults", "text"})
_NO_DN_KEYS = frozenset(k.encode("ascii") for k in (*RESULT_KEYS, "version"))
_BASE64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


class Unusual(Exception):
    """A line the fast path does not vouch for; the careful path decides."""


class Feed:
    """A file-like ``readline`` for ``ldif.LDIFParser`` that checks as it feeds."""

    def __init__(self, lines: Iterator[tuple[int, bytes]]) -> None:
        self._lines = lines
        self.dn_lines: deque[int] = deque()
        self._names: set[bytes] = set()  # attribute names already checked
        self._open = False  # a logical line is open to continuation lines
        self._base64 = False  # ... and it holds a base64 value
        self._padded = False  # ... whose '=' padding has begun
        self._has_dn = False  # the current record has its dn
        self._stray = False  # ... or a line that needs a dn

    def readline(self) -> bytes:
        for number, line in self._lines:
            first = line[:1]
            if first == b" ":
                if not self._open:
                    raise Unusual  # a continuation of nothing
                if self._base64:
                    self._check_base64(line[1:].rstrip(b"\r\n"))
            elif first == b"#":
                self._open, self._base64 = True, False
            else:
                text = line.rstrip(b"\r\n")
                if not text:
                    self._end_record()
                elif text == b"-":
                    continue  # a separator of the change records refused below
                else:
                    self._check_attribute(number, text)
            return line
        self._end_record()
        return b""

    def _check_attribute(self, number: int, text: bytes) -> None:
        colon = text.find(b":")
        name = text[:colon]
        if colon < 1 or (name not in self._names and not self._learn(name)):
            raise Unusual
        self._open = True
        self._base64 = text[colon + 1 : colon + 2] == b":"
        self._padded = False
        if self._base64:
            self._check_base64(text[colon + 2 :].strip())
        if len(name) == 2 and name.lower() == b"dn":
            if self._has_dn:
                raise Unusual
            self._has_dn = True
            self.dn_lines.append(number)
        elif len(name) == 10 and name.lower() == b"changetype":
            if text[colon + 1 :].strip().lower() != b"add":
                raise Unusual
        elif not self._has_dn and name.lower() not in _NO_DN_KEYS:
            self._stray = True

    def _learn(self, name: bytes) -> bool:
        """Check an attribute name once; later lines find it in the set."""
        if not _NAME_BYTES.match(name):
            return False
        self._names.add(name)
        return True

    def _check_base64(self, chunk: bytes) -> None:
        """The strict rules the library's lenient decoder does not apply."""
        if chunk.translate(None, _BASE64):
            raise Unusual  # a character outside the alphabet, or a space
        pad = chunk.find(b"=")
        if (self._padded and chunk) or (pad >= 0 and chunk[pad:].strip(b"=")):
            raise Unusual  # data after the padding
        self._padded = self._padded or pad >= 0

    def _end_record(self) -> None:
        if self._stray and not self._has_dn:
            raise Unusual
        self._open = self._base64 = self._has_dn = self._stray = False
