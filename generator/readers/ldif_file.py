"""LDIF exports: ldifde (ANSI or UTF-16LE with ``-u``) and OpenLDAP ldapsearch.

The ``ldif`` package parses each record. It reads UTF-8 bytes only and no longer
knows change records, so this wrapper transcodes, splits the file into records
with their line numbers, accepts ldifde's ``changetype: add``, refuses
modify/delete/modrdn records, and checks base64 values strictly so that a
broken file names its line instead of yielding garbage.
"""

from __future__ import annotations

import binascii
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import ldif

from generator.errors import InputError
from generator.model import BINARY_ATTRIBUTES, User, Value
from generator.readers.base import FileSource
from generator.readers.entries import is_user_record, make_user
from generator.readers.textlines import text_lines

# The parser runs lenient (strict=False) because this module checks the structure
# itself; its complaints about unusual DNs would otherwise reach stderr raw.
logging.getLogger("ldif").addHandler(logging.NullHandler())
logging.getLogger("ldif").propagate = False

# Lines of ldapsearch's result summary, which it prints as records without dn.
_RESULT_KEYS = frozenset({"search", "result", "ref", "control", "pagedresults", "text"})


@dataclass(frozen=True)
class Record:
    """One LDIF entry: raw attribute names as written, values still bytes."""

    dn: str
    attributes: dict[str, list[bytes]]
    line: int


class _Line(NamedTuple):
    number: int
    text: str  # unfolded, without the line break
    complete: bool  # False when the file ended without a final line break


class LdifSource(FileSource):
    """Users from an LDIF file."""

    def _read(self) -> Iterator[User]:
        for record in read_records(self.path):
            attributes = {k: _decoded(k, v) for k, v in record.attributes.items()}
            user = make_user(record.dn, attributes, forest="", line=record.line)
            if is_user_record(user.attributes):
                yield user


def read_records(path: Path) -> Iterator[Record]:
    """Every entry of an LDIF file, one at a time."""
    for block in _blocks(_logical_lines(path)):
        record = _parse_block(path, block)
        if record is not None:
            yield record


def _decoded(name: str, values: list[bytes]) -> list[Value]:
    if name.lower() in BINARY_ATTRIBUTES:
        return list(values)
    return [_text_or_bytes(v) for v in values]


def _text_or_bytes(value: bytes) -> Value:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value  # an odd value: the analysis reports it


def _logical_lines(path: Path) -> Iterator[_Line | None]:
    """Unfolded lines without comments; None marks a record break."""
    pending: _Line | None = None
    in_comment = False
    for number, raw in text_lines(path):
        complete = raw[-1:] == "\n"
        text = raw.rstrip("\r\n") if complete else raw
        if text[:1] == " " and (pending is not None or in_comment):
            if pending is not None:  # RFC 2849: a leading space continues a line
                pending = _Line(pending.number, pending.text + text[1:], complete)
            continue
        if pending is not None:
            yield pending
            pending = None
        in_comment = text[:1] == "#"
        if not text:
            yield None
        elif not in_comment:
            pending = _Line(number, text, complete)
    if pending is not None:
        yield pending


def _blocks(lines: Iterator[_Line | None]) -> Iterator[list[_Line]]:
    block: list[_Line] = []
    for line in lines:
        if line is not None:
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _parse_block(path: Path, block: list[_Line]) -> Record | None:
    """Check one record line by line, then let the ``ldif`` package parse it."""
    kept = [line for line in block if line.text != "-"]
    for line in kept:
        _check_line(path, line)
    dn_line = _dn_line(path, kept)
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
    return Record(dn or "", dict(entry), dn_line.number)


def _dn_line(path: Path, lines: list[_Line]) -> _Line | None:
    """The record's one ``dn:`` line; None for ldapsearch's result summary."""
    names = [line.text.split(":", 1)[0].lower() for line in lines]
    found = [line for line, name in zip(lines, names, strict=True) if name == "dn"]
    if not found and set(names) <= _RESULT_KEYS | {"version"}:
        return None
    if not found:
        raise InputError(
            "record does not start with 'dn:'", path=path, line=lines[0].number
        )
    if len(found) > 1:
        raise InputError(
            "a second 'dn:' in one record (a blank line is missing?)",
            path=path,
            line=found[1].number,
        )
    return found[0]


def _check_line(path: Path, line: _Line) -> None:
    name, colon, value = line.text.partition(":")
    if not colon:
        what = (
            "truncated record"
            if not line.complete
            else f"line {line.text[:40]!r} has no ':'"
        )
        raise InputError(what, path=path, line=line.number)
    if value.startswith(":"):
        try:
            binascii.a2b_base64(value[1:].strip(), strict_mode=True)
        except binascii.Error:
            raise InputError(
                f"bad base64 in the value of {name!r}", path=path, line=line.number
            ) from None
    elif name.lower() == "changetype" and value.strip().lower() != "add":
        raise InputError(
            f"'changetype: {value.strip()}' is a change, not an export; "
            "give an export of the users (ldifde -f, ldapsearch)",
            path=path,
            line=line.number,
        )
