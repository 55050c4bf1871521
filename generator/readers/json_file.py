"""JSON exports: our snapshot format and ldapdomaindump's ``domain_users.json``.

ldapdomaindump writes one array of ``{"attributes": {...}, "dn": ...}`` objects
with every attribute as a list, binary values as
``{"encoded": ..., "encoding": "base64"}``, GUIDs in braces and SIDs as text.
Both are streamed with ijson, so memory does not grow with the users.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator.errors import InputError
from generator.model import User, Value
from generator.readers.base import FileSource
from generator.readers.entries import identity_clash, is_user_record, make_user
from generator.readers.jsonstream import first_byte, locate, stream_items


class DomainDumpSource(FileSource):
    """Users from ldapdomaindump's ``domain_users.json``."""

    def _read(self) -> Iterator[User]:
        for index, item in enumerate(stream_items(self.path, "item"), 1):
            try:
                dn, attributes = _dump_entry(self.path, index, item)
                user = make_user(dn, attributes, forest="")
                clash = identity_clash(user)
                if clash is not None:
                    raise _BadEntry(clash, ())
            except _BadEntry as error:
                line = locate(self.path, (index - 1, *error.steps))
                raise InputError(str(error), path=self.path, line=line) from None
            if is_user_record(user.attributes):
                yield user


class _BadEntry(ValueError):
    """An ldapdomaindump entry that is broken; ``steps`` lead to the value."""

    def __init__(self, message: str, steps: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.steps = steps


def _dump_entry(
    path: Path, index: int, item: Any
) -> tuple[str, dict[str, list[Value]]]:
    if not isinstance(item, dict) or not isinstance(item.get("attributes"), dict):
        raise InputError(
            f"entry {index} is not an ldapdomaindump object with 'attributes'",
            path=path,
            line=locate(path, (index - 1,)),
        )
    attributes = {
        name: [
            _dump_value(name, position, v)
            for position, v in enumerate(
                values if isinstance(values, list) else [values]
            )
        ]
        for name, values in item["attributes"].items()
    }
    dn = item.get("dn") or _first_text(attributes.get("distinguishedName", []))
    return dn, attributes


def _dump_value(name: str, position: int, value: Any) -> Value:
    if isinstance(value, dict) and "encoded" in value:
        return _dump_binary(name, position, value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def _dump_binary(name: str, position: int, value: dict[str, Any]) -> bytes:
    """ldapdomaindump's binary value, decoded strictly: bad base64 means a
    broken file, and guessing at the bytes would invent an identity."""
    encoded = value.get("encoded")
    steps = ("attributes", name, position)
    if value.get("encoding") != "base64" or not isinstance(encoded, str):
        raise _BadEntry(
            f"{name!r} holds {json.dumps(value)[:60]}; binary values are "
            '{"encoded": "...", "encoding": "base64"}',
            steps,
        )
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise _BadEntry(f"{name!r} holds bad base64: {encoded[:40]!r}", steps) from None


def _first_text(values: list[Value]) -> str:
    return next((v for v in values if isinstance(v, str)), "")


def json_source_class(path: Path) -> type[FileSource]:
    """Snapshot for a JSON object, ldapdomaindump for a JSON array."""
    from generator.readers.snapshot import SnapshotSource  # noqa: PLC0415

    start = first_byte(path)
    if start == b"[":
        return DomainDumpSource
    if start == b"{":
        return SnapshotSource
    if start == b"":
        raise InputError("holds no user records: the file is empty", path=path)
    raise InputError(
        "not a snapshot or ldapdomaindump file (expected JSON)", path=path, line=1
    )
