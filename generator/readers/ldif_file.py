"""LDIF exports: ldifde (ANSI or UTF-16LE with ``-u``) and OpenLDAP ldapsearch.

The ``ldif`` package parses each record. It reads UTF-8 bytes only and no longer
knows change records, so this wrapper transcodes, keeps the line numbers,
accepts ldifde's ``changetype: add``, refuses modify/delete/modrdn records, and
checks base64 values strictly so that a broken file names its line instead of
yielding garbage. A sound file is read in one pass (``ldif_feed``); the first
line that pass does not vouch for sends the reading to a careful path here.
"""

from __future__ import annotations

import binascii
import io
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple, NoReturn

import ldif

from generator.console import log
from generator.errors import InputError
from generator.model import BINARY_ATTRIBUTES, User, Value
from generator.readers.base import FileSource
from generator.readers.entries import identity_clash, is_user_record
from generator.readers.ldif_feed import (
    ATTRIBUTE_NAME,
    RESULT_KEYS,
    Attributes,
    CheckingParser,
    Unusual,
    failed_result,
    merged,
    paged_cookie,
)
from generator.readers.textlines import (
    open_binary,
    sniff_encoding,
    text_lines,
    utf8_byte_lines,
)

# The parser runs lenient (strict=False) because this module checks the structure
# itself; its complaints about unusual DNs would otherwise reach stderr raw.
logging.getLogger("ldif").addHandler(logging.NullHandler())
logging.getLogger("ldif").propagate = False


@dataclass(frozen=True)
class Record:
    """One LDIF entry: lower-case attribute names, values as a User holds them
    (binary attributes and undecodable base64 values as bytes, others text)."""

    dn: str
    attributes: Attributes
    line: int


class _Line(NamedTuple):
    number: int
    text: str  # unfolded, without the line break
    complete: bool  # False when the file ended without a final line break


class LdifSource(FileSource):
    """Users from an LDIF file."""

    def _read(self) -> Iterator[User]:
        for record in read_records(self.path):
            user = User(record.dn, record.attributes, "", record.line)
            clash = identity_clash(user)
            if clash is not None:
                raise InputError(clash, path=self.path, line=record.line)
            if is_user_record(user.attributes):
                yield user


def read_records(path: Path) -> Iterator[Record]:
    """Every entry of an LDIF file, one at a time.

    The fast path (one checking parser over the file, each line read once)
    does the work; at the first line it does not vouch for, the careful path
    reads the file again, raises the error with its line, or goes on from the
    record the fast path reached.
    """
    done = 0
    try:
        for record in _fast_records(path):
            yield record
            done += 1
        return
    except (Unusual, ValueError, IndexError):
        log.debug("%s: careful read from record %d", path, done + 1)
    for index, record in enumerate(_careful_records(path)):
        if index >= done:
            yield record


def _fast_records(path: Path) -> Iterator[Record]:
    with _fast_input(path) as feed:
        parser = CheckingParser(feed)
        for dn, attributes in parser.parse():
            if dn is not None:  # None: ldapsearch's result summary
                yield Record(dn, attributes, parser.dn_line)
        if parser.more_pages:
            raise Unusual  # the careful path names the line of the cookie


def _fast_input(path: Path) -> BinaryIO | _Transcoded:
    """The file as UTF-8 lines for the parser; a UTF-16 file is transcoded."""
    handle = open_binary(path)
    try:
        codec, bom = sniff_encoding(handle.read(4))
        if codec != "utf-8":
            handle.close()
            return _Transcoded(utf8_byte_lines(path))
        # ldifde and ldapsearch end every line: a file that does not was cut
        # off, and the careful path says where.
        if handle.seek(0, os.SEEK_END) > bom:
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":
                raise Unusual
        handle.seek(bom)
    except OSError:  # not a plain file: the careful path reads it as a stream
        handle.close()
        raise Unusual from None
    except BaseException:
        handle.close()
        raise
    return handle


class _Transcoded(io.RawIOBase):
    """``readline`` over transcoded lines; a fault is the careful path's."""

    def __init__(self, lines: Iterator[tuple[int, bytes]]) -> None:
        self._lines = lines

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        close = getattr(self._lines, "close", None)
        if close is not None:
            close()
        super().close()

    def readline(self, size: int | None = -1) -> bytes:
        try:
            _, line = next(self._lines, (0, b""))
        except InputError:
            raise Unusual from None
        if line and line[-1:] != b"\n":
            raise Unusual  # no line end: truncated, or a lone CR as line break
        return line


def _careful_records(path: Path) -> Iterator[Record]:
    """Check every logical line, then let the parser read one record at a time."""
    trailer = _Trailer(path)
    for block in _blocks(path, trailer):
        record = _parse_block(path, block)
        if not block[-1].complete:
            _truncated(path, block, record)
        if record is not None:
            yield record
        else:
            trailer.summary(block)
    trailer.check()


class _Trailer:
    """ldapsearch's result summaries: the search must have succeeded, and a
    paged search must have read its last page (an empty cookie)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.cookie: _Line | None = None  # the last pagedresults line, if any

    def summary(self, block: list[_Line]) -> None:
        for line in block:
            name, _, value = line.text.partition(":")
            name = name.lower()
            if name == "result" and failed_result(value.strip()):
                self._incomplete(
                    line,
                    f"ldapsearch recorded 'result: {value.strip()}', so it stopped "
                    "before every user was read; raise the limit or page the "
                    "search (-E pr=500/noprompt) and export again",
                )
            if name == "pagedresults":
                self.cookie = line

    def paged_comment(self, number: int, text: str) -> None:
        """``# pagedresults: ...``: the summary as ``ldapsearch -L`` writes it."""
        self.cookie = _Line(number, text[2:], True)

    def check(self) -> None:
        if self.cookie is None:
            return
        value = self.cookie.text.partition(":")[2]
        if paged_cookie(value):
            self._incomplete(
                self.cookie,
                "the last page of ldapsearch's paged search announces more pages "
                f"({value.strip()}), so the users after it are missing; export "
                "again with -E pr=500/noprompt and let it run to the end",
            )

    def _incomplete(self, line: _Line, why: str) -> NoReturn:
        raise InputError(
            f"the export is incomplete: {why}", path=self.path, line=line.number
        )


def _truncated(path: Path, block: list[_Line], record: Record | None) -> NoReturn:
    """ldifde and ldapsearch end every line, the last one too: a file that
    stops mid-line was cut off, and its last record may have lost values."""
    raise InputError(
        "the file ends in the middle of a line: truncated? (this record is incomplete)",
        path=path,
        line=record.line if record is not None else block[0].number,
    )


def _decoded(name: str, values: list[bytes]) -> list[Value]:
    if name.lower() in BINARY_ATTRIBUTES:
        return list(values)
    return [_text_or_bytes(v) for v in values]


def _text_or_bytes(value: bytes) -> Value:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value  # an odd value: the analysis reports it


def _blocks(path: Path, trailer: _Trailer) -> Iterator[list[_Line]]:
    """The records' lines, unfolded, without comments, split at blank lines;
    ldapsearch's paged-results comments go to ``trailer``."""
    block: list[_Line] = []
    pieces: list[str] = []  # the line being unfolded; joined once, not per fold
    number, complete, in_comment = 0, True, False
    for line_number, raw in text_lines(path):
        ended = raw[-1:] == "\n"
        text = raw.rstrip("\r\n") if ended else raw
        if text[:1] == " " and (pieces or in_comment):
            if not in_comment:  # RFC 2849: a leading space continues a line
                pieces.append(text[1:])
                complete = ended
            continue
        if pieces:
            block.append(_Line(number, "".join(pieces), complete))
            pieces = []
        in_comment = text[:1] == "#"
        if in_comment and text.startswith("# pagedresults:"):
            trailer.paged_comment(line_number, text)
        if not text and block:
            yield block
            block = []
        elif text and not in_comment:
            pieces, number, complete = [text], line_number, ended
    if pieces:
        block.append(_Line(number, "".join(pieces), complete))
    if block:
        yield block


def _parse_block(path: Path, block: list[_Line]) -> Record | None:
    """Check one record line by line, then let the ``ldif`` package parse it."""
    kept: list[_Line] = []
    dns: list[_Line] = []
    for line in block:
        if line.text != "-":  # a modify separator; modify records are refused
            if _checked_name(path, line) == "dn":
                dns.append(line)
            kept.append(line)
    dn_line = _dn_line(path, kept, dns)
    if dn_line is None:
        return None
    payload = "\n".join(line.text for line in kept).encode("utf-8")
    parser = ldif.LDIFParser(io.BytesIO(payload), encoding=None, strict=False)
    try:
        dn, entry = next(iter(parser.parse()))
    except (ValueError, binascii.Error) as error:
        raise InputError(
            f"unreadable record: {error}", path=path, line=dn_line.number
        ) from None
    entry.pop("changetype", None)
    decoded = {name: _decoded(name, values) for name, values in entry.items()}
    return Record(dn or "", merged(decoded), dn_line.number)


def _dn_line(path: Path, lines: list[_Line], dns: list[_Line]) -> _Line | None:
    """The record's one ``dn:`` line; None for ldapsearch's result summary."""
    if not dns:
        names = {line.text.split(":", 1)[0].lower() for line in lines}
        if names <= RESULT_KEYS | {"version"}:
            return None
        raise InputError(
            "record does not start with 'dn:'", path=path, line=lines[0].number
        )
    if len(dns) > 1:
        raise InputError(
            "a second 'dn:' in one record (a blank line is missing?)",
            path=path,
            line=dns[1].number,
        )
    return dns[0]


def _checked_name(path: Path, line: _Line) -> str:
    """The attribute name of a sound line, lower-cased for ``dn``; else an error."""
    name, colon, value = line.text.partition(":")
    if not colon:
        what = "truncated record" if not line.complete else "line has no ':'"
        raise InputError(f"{what}: {line.text[:40]!r}", path=path, line=line.number)
    if not ATTRIBUTE_NAME.match(name):
        raise InputError(
            f"{name[:40]!r} is not an attribute name (RFC 2849)",
            path=path,
            line=line.number,
        )
    if value[:1] == ":":
        try:
            binascii.a2b_base64(value[1:].strip(), strict_mode=True)
        except binascii.Error:
            cut = "" if line.complete else " (the file ends mid-value: truncated?)"
            raise InputError(
                f"bad base64 in the value of {name!r}{cut}",
                path=path,
                line=line.number,
            ) from None
    elif _is_change(name, value):
        raise InputError(
            f"'changetype: {value.strip()}' is a change, not an export; "
            "give an export of the users (ldifde -f, ldapsearch)",
            path=path,
            line=line.number,
        )
    return "dn" if len(name) == 2 and name.lower() == "dn" else name


def _is_change(name: str, value: str) -> bool:
    """A changetype other than ldifde's ``add``."""
    changetype = len(name) == 10 and name.lower() == "changetype"
    return changetype and value.strip().lower() != "add"
