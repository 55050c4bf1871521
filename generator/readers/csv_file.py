"""CSV exports: csvde and ``Get-ADUser | Export-Csv``.

csvde puts ``DN`` first, joins the values of a multi-valued attribute with
``;`` and writes binary values as ``X'hex'``. Export-Csv names columns after
Get-ADUser properties (``DistinguishedName``, ``SID``, ...), may start with a
``#TYPE`` line (Windows PowerShell 5.1), writes null as an empty unquoted field
and binary values as GUID or SID strings. The stdlib csv module does the
parsing; this module maps the columns and reports broken rows by line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from generator.console import log
from generator.errors import InputError
from generator.model import SourceSpec, User, Value
from generator.readers.base import FileSource
from generator.readers.entries import is_user_record, make_user
from generator.readers.textlines import text_lines

# Get-ADUser property names that differ from the LDAP display names.
EXPORT_CSV_ALIASES = {
    "distinguishedname": "distinguishedName",
    "sid": "objectSid",
    "surname": "sn",
    "emailaddress": "mail",
    "officephone": "telephoneNumber",
    "city": "l",
    "state": "st",
    "country": "c",
    "postalcode": "postalCode",
    "streetaddress": "streetAddress",
    "mobilephone": "mobile",
    "office": "physicalDeliveryOfficeName",
}
# Attributes csvde writes as ``a;b;c``; other values keep their semicolons.
MULTI_VALUED = frozenset(
    {
        "objectclass",
        "proxyaddresses",
        "memberof",
        "member",
        "serviceprincipalname",
        "othermailbox",
        "othertelephone",
        "url",
        "dscorepropagationdata",
        "sidhistory",
        "usercertificate",
    }
)


# What Export-Csv writes for a property it cannot flatten (a collection, bytes).
_TYPE_NAME = re.compile(
    r"^(Microsoft\.ActiveDirectory\.Management\.\w+|System\.\w+(\[\])?)$"
)


_TYPE_PREFIXES = ("Microsoft.", "System.")
# csv's default field limit is 128 KiB, but csvde writes binary values as hex:
# a 100 KB thumbnailPhoto (AD's limit) takes 200 KB. A row is read whole
# either way; this only bounds what one field may cost.
FIELD_LIMIT = 1024 * 1024


class CsvSource(FileSource):
    """Users from a csvde or Export-Csv file."""

    def __init__(self, spec: SourceSpec) -> None:
        super().__init__(spec)
        self._held: frozenset[str] | None = None
        # column -> the type name PowerShell wrote instead of its values; kept
        # across reads, so that each is reported once however often we read
        self.unexpanded_columns: dict[str, str] = {}

    @property
    def held_attributes(self) -> frozenset[str]:
        """The LDAP names of the header's columns, lower-cased.

        A column found holding a type name instead of values is not held.
        """
        if self._held is None:
            rows = _Rows(self.path)
            header = rows.header()
            columns = _column_names(header, header[0].lower() == "dn")
            self._held = frozenset(c.lower() for c in columns if c)
        return self._held - {c.lower() for c in self.unexpanded_columns}

    def _read(self) -> Iterator[User]:
        rows = _Rows(self.path)
        header = rows.header()
        csvde = header[0].lower() == "dn"
        _check_header(self.path, header, rows.header_line)
        columns = _column_names(header, csvde)
        dn_index = _dn_index(self.path, columns, rows.header_line)
        for number, row in rows:
            attributes = _attributes(columns, row, csvde)
            if not csvde:
                self._drop_type_names(attributes)
            user = make_user(row[dn_index], attributes, forest="", line=number)
            if is_user_record(user.attributes):
                yield user

    def _drop_type_names(self, attributes: dict[str, list[Value]]) -> None:
        """Export-Csv writes a type name for a property it could not flatten."""
        reported = self.unexpanded_columns
        for name, values in list(attributes.items()):
            first = str(values[0]) if values else ""
            if first.startswith(_TYPE_PREFIXES) and _TYPE_NAME.match(first):
                del attributes[name]
                if name not in reported:
                    reported[name] = first
                    log.warning(
                        "%s: column %r holds %r, not values (PowerShell did not "
                        "expand it); ignored; flatten it with -join in Select-Object",
                        self.path,
                        name,
                        values[0],
                    )


class _Rows:
    """The csv reader over decoded lines, with the line each row starts on.

    The physical lines of the row being read are kept (only until the next
    row starts), so that a broken row names the line where its bad field
    begins, not the line where the csv module gave up.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lines = self._content_lines(text_lines(path))
        self._row_lines: list[tuple[int, str]] = []
        if csv.field_size_limit() < FIELD_LIMIT:
            csv.field_size_limit(FIELD_LIMIT)
        self._reader = csv.reader(self._lines_only(), strict=True)
        self._header: list[str] = []
        self.header_line = 1

    def _content_lines(
        self, lines: Iterator[tuple[int, str]]
    ) -> Iterator[tuple[int, str]]:
        first = next(lines, None)
        if first is not None and not first[1].startswith("#TYPE"):
            yield first  # else Windows PowerShell 5.1's type line, skipped
        yield from lines

    def _lines_only(self) -> Iterator[str]:
        for number, line in self._lines:
            self._row_lines.append((number, line))
            yield line

    def _next(self) -> tuple[int, list[str]] | None:
        self._row_lines.clear()
        try:
            row = next(self._reader, None)
        except csv.Error as error:
            raise self._broken(error) from None
        return None if row is None else (self._row_lines[0][0], row)

    def _broken(self, error: csv.Error) -> InputError:
        text = "".join(line for _, line in self._row_lines)
        if "NUL" in str(error):
            return InputError(
                f"broken CSV: {error}", path=self.path, line=self._row_lines[-1][0]
            )
        line = _line_at(self._row_lines, _failed_field_start(text))
        if str(error) == "unexpected end of data":
            message = (
                "a quoted field starts here and never ends: a stray quote, "
                "or the file is truncated?"
            )
        elif "field larger than field limit" in str(error):
            message = (
                f"a field is longer than {FIELD_LIMIT // (1024 * 1024)} MiB; "
                "export without that attribute (csvde -l to choose attributes)"
            )
        else:
            message = f"broken CSV: {error}"
        return InputError(message, path=self.path, line=line)

    def header(self) -> list[str]:
        found = self._next()
        if found is None or not any(found[1]):
            raise InputError(
                "holds no user records (empty CSV file: no header row)",
                path=self.path,
            )
        self.header_line, self._header = found
        return found[1]

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        width = len(self._header)
        while (found := self._next()) is not None:
            number, row = found
            if not row:
                continue
            if len(row) != width:
                raise InputError(self._ragged(row, width), path=self.path, line=number)
            yield number, row

    def _ragged(self, row: list[str], width: int) -> str:
        cut = not self._row_lines[-1][1].endswith(("\n", "\r"))
        if cut and len(row) < width:
            return (
                f"the file ends in the middle of a row ({len(row)} of {width} "
                "fields): truncated?"
            )
        return f"row has {len(row)} fields, the header has {width}"


def _failed_field_start(text: str) -> int:
    """Where the field the csv module stopped in begins, in ``text`` (the
    row's lines up to the fault), following the excel dialect's quoting."""
    start, state = 0, "start"  # start, plain, quoted, closed (quote seen)
    for index, char in enumerate(text):
        if state == "quoted":
            state = "closed" if char == '"' else state
        elif state == "closed" and char == '"':
            state = "quoted"  # a doubled quote inside a quoted field
        elif char == ",":
            start, state = index + 1, "start"
        elif state == "closed" and char not in "\r\n":
            break  # text after a closing quote: the fault
        elif state == "start":
            state = "quoted" if char == '"' else "plain"
    return start


def _line_at(lines: list[tuple[int, str]], offset: int) -> int:
    """The number of the physical line holding character ``offset``."""
    for number, line in lines:
        if offset < len(line):
            return number
        offset -= len(line)
    return lines[-1][0] if lines else 1


def _check_header(path: Path, header: list[str], line: int) -> None:
    """A column named twice would lose one of them silently."""
    seen: set[str] = set()
    for name in header:
        key = name.strip().lower()
        if key in seen:
            raise InputError(f"column {name!r} appears twice", path=path, line=line)
        seen.add(key)


def _column_names(header: list[str], csvde: bool) -> list[str]:
    """LDAP names for the columns; "" for a Get-ADUser alias of a column present.

    ``Get-ADUser -Properties *`` exports both ``SID`` and ``objectSid``,
    ``Surname`` and ``sn``: the LDAP-named column wins.
    """
    names = [h.strip() for h in header]
    if csvde:
        return names
    present = {n.lower() for n in names}
    mapped = []
    for name in names:
        alias = EXPORT_CSV_ALIASES.get(name.lower())
        if alias is None or alias.lower() == name.lower():
            mapped.append(name)
        else:
            mapped.append("" if alias.lower() in present else alias)
    return mapped


def _dn_index(path: Path, columns: list[str], line: int) -> int:
    lowered = [c.lower() for c in columns]
    for wanted in ("dn", "distinguishedname"):
        if wanted in lowered:
            return lowered.index(wanted)
    raise InputError(
        "no DN or DistinguishedName column: not a csvde or Get-ADUser export",
        path=path,
        line=line,
    )


def _attributes(
    columns: list[str], row: list[str], csvde: bool
) -> dict[str, list[Value]]:
    attributes: dict[str, list[Value]] = {}
    for name, cell in zip(columns, row, strict=True):
        if cell == "" or name == "" or name.lower() == "dn":
            continue
        if csvde and name.lower() in MULTI_VALUED:
            values: list[Value] = [v for v in cell.split(";") if v]
        else:
            values = [cell]
        attributes[name] = values
    return attributes
