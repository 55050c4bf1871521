"""The fast path for LDIF: one ``ldif`` parser over the whole file, one pass.

:class:`CheckingParser` is the ``ldif`` package's parser with its per-line
methods replaced, so that each line is read once and checked as it is parsed:

* ``_iter_unfolded_lines`` counts physical lines (each record carries the line
  of its ``dn:``), refuses a continuation of nothing and checks that comments
  and folded lines are UTF-8 line by line, as the careful path does;
* ``_parse_attr`` checks the attribute name (each distinct name once), decodes
  base64 strictly (the package's decoder skips bad characters), keeps binary
  attributes as bytes, decodes other values as strict UTF-8 and refuses change
  records other than ldifde's ``changetype: add``;
* ``_parse_entry_record`` allows one ``dn:`` per record, skips ldapsearch's
  result summary and gives the attributes with lower-case names, merged as
  :func:`~generator.readers.entries.make_user` merges them. A summary that
  records a failed search, or a paged search whose last page announced more
  (``pagedresults: cookie=...``, also written as a comment with ``-L``), marks
  the export incomplete. Those lines are few (one summary per page), so the
  check costs nothing per user.

Anything unusual raises :class:`Unusual`: ``ldif_file`` then reads the file the
careful way, which names the exact line of a real fault and otherwise goes on
from the record where this path stopped.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator
from typing import Protocol

import ldif

from generator.model import BINARY_ATTRIBUTES, Value

# RFC 2849 AttributeDescription: a name or an OID, then ;options (AD adds
# ;range=0-1499 to long multi-valued attributes).
ATTRIBUTE_NAME = re.compile(
    r"^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)(?:;[A-Za-z0-9=*.-]+)*$"
)
_NAME_BYTES = re.compile(ATTRIBUTE_NAME.pattern.encode("ascii"))
# Keys of ldapsearch's result summary, which it prints as records without dn.
RESULT_KEYS = frozenset({"search", "result", "ref", "control", "pagedresults", "text"})
_NO_DN_KEYS = RESULT_KEYS | {"version", ""}

# What a known attribute name is: kinds of line _parse_attr treats apart.
_TEXT, _BINARY, _DN, _CHANGETYPE, _SEPARATOR = range(5)
# A "-" line: it separates the parts of a modify record, and some tools write it
# inside add records too. It is no attribute; "" keeps it out of the checks.
_DASH = ("-", "", _SEPARATOR)


class LineSource(Protocol):
    """What the parser reads: a binary ``readline``."""

    def readline(self, limit: int = -1, /) -> bytes: ...


class Unusual(Exception):
    """A line the fast path does not vouch for; the careful path decides."""


def failed_result(value: str) -> bool:
    """Whether an ldapsearch ``result:`` value records a search that did not
    succeed (``4 Size limit exceeded``, ``3 Time limit exceeded``, ...)."""
    code = value.split(None, 1)[0] if value.strip() else ""
    return code.isdigit() and int(code) != 0


def paged_cookie(value: str) -> str:
    """The cookie of an ldapsearch ``pagedresults:`` value; empty on the last
    page, the key to the next page otherwise."""
    for word in value.split():
        if word.startswith("cookie="):
            return word[len("cookie=") :]
    return ""


_PAGED_COMMENT = b"# pagedresults:"


Attributes = dict[str, tuple[Value, ...]]


def merged(entry: dict[str, list[Value]]) -> Attributes:
    """Lower-case names; values of names written in several cases merged."""
    attributes: Attributes = {}
    for name, values in entry.items():
        key = name.lower()
        found = tuple(values)
        attributes[key] = attributes[key] + found if key in attributes else found
    return attributes


class CheckingParser(ldif.LDIFParser):  # type: ignore[misc]
    """``ldif.LDIFParser`` that checks each line while parsing it, once.

    ``dn_line`` is the physical line of the last ``dn:`` read, which is the
    line of the record just parsed when :meth:`parse` yields it.
    """

    def __init__(self, input_file: LineSource) -> None:
        super().__init__(input_file, encoding=None, strict=False)
        self.dn_line = 0
        # Each distinct name is checked once: raw bytes -> (name, lower, kind).
        self._names: dict[bytes, tuple[str, str, int]] = {}
        self._spelling: dict[str, str] = {}  # lower-case name -> as first written
        self._mixed = False  # some name is written in two ways in this file
        # The last page's cookie said more pages were to come: incomplete.
        self.more_pages = False

    def _iter_unfolded_lines(self) -> Iterator[bytes]:
        readline = self._input_file.readline
        number = 0
        line = readline()
        while line:
            number += 1
            start = number
            line = line.rstrip(b"\r\n")
            following = readline()
            if following[:1] == b" ":
                if not line:
                    raise Unusual  # a continuation of nothing
                pieces = [line]
                while following[:1] == b" ":
                    number += 1
                    pieces.append(following[1:].rstrip(b"\r\n"))
                    following = readline()
                line = b"".join(pieces)
                if not line.isascii():
                    _check_utf8(pieces)  # each physical line on its own
            first = line[:1]
            if first == b"#":
                if not line.isascii():
                    _check_utf8([line])
                elif line[:15] == _PAGED_COMMENT:  # ldapsearch -L
                    self.more_pages = bool(paged_cookie(line[15:].decode("ascii")))
            else:
                if first == b"d" and line[:3] == b"dn:":
                    self.dn_line = start
                yield line
            line = following
        self.line_counter = number

    def _parse_attr(self, line: bytes) -> tuple[tuple[str, str, int], Value | None]:
        """The name's entry and the value; None for ``changetype: add`` and
        a ``-`` line."""
        colon = line.find(b":")
        known = self._names.get(line[:colon]) if colon > 0 else None
        if known is None:
            if line == b"-":
                return _DASH, None
            known = self._learn(line[:colon] if colon > 0 else b"")
        kind = known[2]
        mark = line[colon + 1 : colon + 2]
        if mark == b":":
            try:
                raw = binascii.a2b_base64(line[colon + 2 :].strip(), strict_mode=True)
            except binascii.Error:
                raise Unusual from None
            if kind == _BINARY:
                return known, raw
            if kind == _CHANGETYPE:
                return known, None  # the careful path drops it too
            try:
                return known, raw.decode("utf-8")
            except UnicodeDecodeError:
                if kind == _DN:
                    raise Unusual from None
                return known, raw  # an odd value: the analysis reports it
        if mark == b"<":
            raise Unusual  # a URL value: rare, left to the careful path
        value = line[colon + 1 :].strip()
        if kind == _BINARY:
            return known, value
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            raise Unusual from None
        if kind == _CHANGETYPE:
            if text.lower() != "add":
                raise Unusual  # a change record: the careful path refuses it
            return known, None
        return known, text

    def _learn(self, raw: bytes) -> tuple[str, str, int]:
        if not _NAME_BYTES.match(raw):
            raise Unusual
        name = raw.decode("ascii")
        lower = name.lower()
        if lower in ("dn", "changetype") and name != lower:
            raise Unusual  # the package only knows these names in lower case
        kind = (
            _DN
            if lower == "dn"
            else _CHANGETYPE
            if lower == "changetype"
            else _BINARY
            if lower in BINARY_ATTRIBUTES
            else _TEXT
        )
        known = (name, lower, kind)
        self._mixed = self._mixed or self._spelling.setdefault(lower, name) != name
        self._names[raw] = known
        return known

    def _parse_entry_record(self, lines: list[bytes]) -> tuple[str | None, Attributes]:
        dn: str | None = None
        entry: dict[str, list[Value]] = {}
        stray = False
        for line in lines:
            (_, lower, kind), value = self._parse_attr(line)
            if kind == _DN:
                if dn is not None:
                    raise Unusual  # a second dn: the careful path names it
                dn = str(value)
            elif dn is None:
                # Before the dn: ldapsearch's summary, or a line the package
                # drops (it warns; the careful path drops it as well).
                stray = stray or lower not in _NO_DN_KEYS
                if lower == "result" and failed_result(str(value)):
                    raise Unusual  # the careful path names the line
                if lower == "pagedresults":
                    self.more_pages = bool(paged_cookie(str(value)))
            elif value is None:
                continue  # changetype: add, or a "-" line
            elif lower in entry:
                entry[lower].append(value)
            else:
                entry[lower] = [value]
        if dn is None:
            if stray:
                raise Unusual  # a record without dn: the careful path names it
            return None, {}
        if self._mixed:
            return dn, self._merged_as_written(lines)
        return dn, {name: tuple(values) for name, values in entry.items()}

    def _merged_as_written(self, lines: list[bytes]) -> Attributes:
        """A file spells a name in two ways: merge as make_user does, in the
        order the spellings first appear, not line by line."""
        entry: dict[str, list[Value]] = {}
        dn = False
        for line in lines:
            (name, _, kind), value = self._parse_attr(line)
            dn = dn or kind == _DN
            if dn and kind != _DN and value is not None:
                entry.setdefault(name, []).append(value)
        return merged(entry)


def _check_utf8(pieces: list[bytes]) -> None:
    for piece in pieces:
        try:
            piece.decode("utf-8")
        except UnicodeDecodeError:
            raise Unusual from None
