"""Readers: every source (file or live forest) streamed into one user model.

:func:`open_source` picks the reader from the ``--source`` value: ``ldap://`` or
``ldaps://`` for a live forest, else the file extension. :func:`load_schema`
resolves a forest's schema the same way for every command.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.errors import InputError
from generator.model import DirectorySource, LiveOptions, SourceSpec
from generator.schema import Schema

FILE_TYPES = {
    ".ldf": "ldif",
    ".ldif": "ldif",
    ".csv": "csv",
    ".json": "json",
}


def open_source(spec: SourceSpec, live: LiveOptions | None = None) -> DirectorySource:
    """The reader for one ``--source``; nothing is read until it is asked."""
    if spec.source.lower().startswith(("ldap://", "ldaps://")):
        from generator.readers.ldap import open_ldap  # noqa: PLC0415 - needs ldap3

        return open_ldap(spec, live or LiveOptions())
    path = Path(spec.source)
    kind = FILE_TYPES.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"unknown file type {path.suffix or '(no extension)'!r}: give an "
            ".ldf/.ldif, .csv or .json export, or ldap[s]://HOST",
            path=path,
        )
    if not path.is_file():
        raise InputError(
            "file not found" if not path.exists() else "not a file", path=path
        )
    return _file_source(kind, spec, path)


def _file_source(kind: str, spec: SourceSpec, path: Path) -> DirectorySource:
    # Imported here so that opening one kind of file loads only its reader.
    if kind == "ldif":
        from generator.readers.ldif_file import LdifSource  # noqa: PLC0415

        return LdifSource(spec)
    if kind == "csv":
        from generator.readers.csv_file import CsvSource  # noqa: PLC0415

        return CsvSource(spec)
    from generator.readers.json_file import json_source_class  # noqa: PLC0415

    return json_source_class(path)(spec)


def load_schema(
    spec: SourceSpec, source: DirectorySource | None = None, *, warn: bool = True
) -> Schema:
    """The forest's schema: ``--schema``, else the source's own (a snapshot or a
    live read), else the bundled default with a warning.

    ``warn=False`` leaves the warning to the caller (see
    :func:`generator.default_schema.warn_default_schema`), so that a command can
    give it only once the users were read without error.
    """
    if spec.schema:
        from generator.readers.schema_file import read_schema  # noqa: PLC0415

        return read_schema(Path(spec.schema))
    own = source.schema() if source is not None else _file_schema(spec)
    if own is not None:
        return own
    from generator.default_schema import load_default_schema  # noqa: PLC0415

    return load_default_schema(warn=warn)


def _file_schema(spec: SourceSpec) -> Schema | None:
    if spec.source.lower().endswith(".json"):
        return open_source(spec).schema()
    return None


__all__ = ["FILE_TYPES", "load_schema", "open_source"]


NOT_A_COLUMN = "not a column of the CSV export"
NOT_READ = "not readable through the Global Catalog"
UNEXPANDED = "a column PowerShell did not expand (it holds a type name)"


def unseen_attributes(source: DirectorySource, names: Iterable[str]) -> dict[str, str]:
    """The ``names`` whose values the source cannot show, each with why.

    A CSV export holds only its header's columns; a Global Catalog read (live,
    or a snapshot taken through one) leaves out what the GC does not carry.
    An attribute an LDIF entry lacks is just empty: not listed here.
    """
    held = getattr(source, "held_attributes", None)
    hidden = {a.lower() for a in getattr(source, "unreadable_attributes", ())}
    unexpanded = {a.lower() for a in getattr(source, "unexpanded_columns", ())}
    found: dict[str, str] = {}
    for name in names:
        key = name.lower()
        if key in hidden:
            found[name] = NOT_READ
        elif key in unexpanded:
            found[name] = UNEXPANDED
        elif held is not None and key not in held:
            found[name] = NOT_A_COLUMN
    return found
