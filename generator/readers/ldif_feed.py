"""The fast path for LDIF: one ``ldif`` parser over the whole file.

The parser reads its lines through :class:`Feed`, which checks every physical
line cheaply as it passes (attribute names, base64 values decoded strictly,
change records, one ``dn:`` per record) and notes the line of each record's
``dn:``. Anything unusual raises :class:`Unusual`: ``ldif_file`` then reads the
file the careful way, which names the exact line of a real fault and otherwise
goes on from the record where this path stopped.
"""

from __future__ import annotations

import binascii
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


class Unusual(Exception):
    """A line the fast path does not vouch for; the careful path decides."""


class Feed:
    """A file-like ``readline`` for ``ldif.LDIFParser`` that checks as it feeds."""

    def __init__(self, lines: Iterator[tuple[int, bytes]]) -> None:
        self._lines = lines
        self.dn_lines: deque[int] = deque()
        self._names: set[bytes] = set()  # attribute names already checked
        self._open = False  # a logical line is open to continuation lines
        self._base64: list[bytes] = []  # ... the pieces of its base64 value
        self._has_dn = False  # the current record has its dn
        self._stray = False  # ... or a line that needs a dn

    def readline(self) -> bytes:
        for number, line in self._lines:
            if line[-1:] != b"\n":
                raise Unusual  # the last line has no line end: truncated?
            first = line[:1]
            if first == b" ":
                if not self._open:
                    raise Unusual  # a continuation of nothing
                if self._base64:
                    self._base64.append(line[1:].rstrip(b"\r\n"))
            elif first == b"#":
                self._close_value()
                self._open = True
            else:
                text = line.rstrip(b"\r\n")
                self._close_value()
                if text == b"-":  # a separator of the change records refused
                    self._open = False
                    continue
                if text:
                    self._check_attribute(number, text)
                else:
                    self._end_record()
            return line
        self._close_value()
        self._end_record()
        return b""

    def _check_attribute(self, number: int, text: bytes) -> None:
        colon = text.find(b":")
        name = text[:colon]
        if colon < 1 or (name not in self._names and not self._learn(name)):
            raise Unusual
        self._open = True
        if text[colon + 1 : colon + 2] == b":":
            self._base64 = [text[colon + 2 :]]
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

    def _close_value(self) -> None:
        """Decode a finished base64 value strictly; the library's decoder is not."""
        if self._base64:
            try:
                binascii.a2b_base64(b"".join(self._base64).strip(), strict_mode=True)
            except binascii.Error:
                raise Unusual from None
            self._base64 = []

    def _learn(self, name: bytes) -> bool:
        """Check an attribute name once; later lines find it in the set."""
        if not _NAME_BYTES.match(name):
            return False
        self._names.add(name)
        return True

    def _end_record(self) -> None:
        if self._stray and not self._has_dn:
            raise Unusual
        self._open = self._has_dn = self._stray = False
