"""Our snapshot format: one JSON document holding what a live read fetched.

Written one user at a time and read back with ijson, so neither side holds
all users in memory. docs/snapshot-format.md describes the format; bump
``SNAPSHOT_SCHEMA_VERSION`` on any change a reader of version 1 would misread.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import ijson

from generator import outfolder
from generator.errors import InputError
from generator.model import User, Value
from generator.readers.base import FileSource
from generator.readers.entries import identity_clash, make_user
from generator.readers.jsonstream import locate, stream_events, stream_items
from generator.readers.schema_file import schema_from_json, schema_to_json
from generator.schema import Schema

SNAPSHOT_FORMAT = "entra-rulegen-snapshot"
SNAPSHOT_SCHEMA_VERSION = 1


def write_snapshot(
    path: Path | str,
    *,
    source: str,
    forest: str,
    base_dn: str | None,
    schema: Schema | None,
    users: Iterable[User],
    unreadable: Collection[str] = (),
    force: bool = False,
    inputs: outfolder.Inputs = (),
) -> int:
    """Write a snapshot, streaming ``users``; returns how many were written.

    ``unreadable`` names the attributes the read could not see (through the
    Global Catalog: those outside the partial attribute set), so that a later
    run reports them as unknown rather than empty.
    The file is written beside ``path`` and moved into place at the end, so a
    failed read never leaves a half snapshot behind; an existing file is
    replaced only with ``force``, an input of the run or a non-regular file never.
    """
    with (
        outfolder.staged_file(Path(path), force, "--out", inputs) as partial,
        partial.open("w", encoding="utf-8", newline="\n") as out,
    ):
        return _write(
            out,
            source=source,
            forest=forest,
            base_dn=base_dn,
            schema=schema,
            users=users,
            unreadable=unreadable,
        )


def _write(
    out: TextIO,
    *,
    source: str,
    forest: str,
    base_dn: str | None,
    schema: Schema | None,
    users: Iterable[User],
    unreadable: Collection[str],
) -> int:
    header = {
        "format": SNAPSHOT_FORMAT,
        "schema_version": SNAPSHOT_SCHEMA_VERSION,
        "source": source,
        "forest": forest,
        "base_dn": base_dn,
        "schema": None if schema is None else schema_to_json(schema),
        "unreadable_attributes": sorted(unreadable, key=str.lower),
    }
    out.write(json.dumps(header, ensure_ascii=False)[:-1] + ',\n"users": [')
    count = 0
    for user in users:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(user_to_json(user), ensure_ascii=False, sort_keys=True))
        count += 1
    out.write("\n]}\n")
    return count


def user_to_json(user: User) -> dict[str, Any]:
    """One user in snapshot form: text values as strings, bytes as base64."""
    return {
        "dn": user.dn,
        "attributes": {
            k: [_encode(v) for v in vs] for k, vs in user.attributes.items()
        },
    }


def _encode(value: Value) -> Any:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return value


class SnapshotSource(FileSource):
    """Users, forest and schema from a snapshot file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header: dict[str, Any] | None = None

    @property
    def header(self) -> dict[str, Any]:
        """Everything before ``users``, read once and checked."""
        if self._header is None:
            self._header = read_header(self.path)
        return self._header

    @property
    def forest(self) -> str:
        if self._forest is None:
            self._forest = str(self.header.get("forest") or "") or super().forest
        return self._forest

    @property
    def base_dn(self) -> str | None:
        found = self.header.get("base_dn")
        return None if found is None else str(found)

    @property
    def unreadable_attributes(self) -> frozenset[str]:
        """What the live read could not see (checked by :func:`read_header`)."""
        return frozenset(self.header.get("unreadable_attributes") or ())

    def schema(self) -> Schema | None:
        given = super().schema()  # --schema wins over the snapshot's own
        if given is not None:
            return given
        data = self.header.get("schema")
        if data is None:
            return None
        try:
            origin = data.get("origin", "live")
            return schema_from_json(data, origin, data.get("source") or self.name)
        except (KeyError, TypeError, ValueError, AttributeError):
            line = locate(self.path, ("schema",))
            raise InputError(
                "the snapshot's schema is malformed", path=self.path, line=line
            ) from None

    def _read(self) -> Iterator[User]:
        self.header  # noqa: B018 - refuses a foreign file before streaming
        for index, item in enumerate(stream_items(self.path, "users.item")):
            try:
                dn, attributes = user_from_json(item)
                user = make_user(dn, attributes, forest="")
                clash = identity_clash(user)
                if clash is not None:
                    raise MalformedUser(clash)
            except MalformedUser as error:
                line = locate(self.path, ("users", index))
                raise InputError(str(error), path=self.path, line=line) from None
            yield user


class MalformedUser(ValueError):
    """A snapshot user whose shape is not what the format allows."""


def user_from_json(item: Any) -> tuple[str, dict[str, list[Value]]]:
    """A snapshot user's DN and attributes, checked against the format."""
    if not isinstance(item, dict) or not isinstance(item.get("dn"), str):
        raise MalformedUser("a user is not an object with a 'dn' string")
    dn, attributes = item["dn"], item.get("attributes")
    if not isinstance(attributes, dict):
        raise MalformedUser(f"user {dn!r}: 'attributes' is missing or not an object")
    return dn, {name: _values(dn, name, values) for name, values in attributes.items()}


def _values(dn: str, name: str, values: Any) -> list[Value]:
    if not isinstance(values, list):
        raise MalformedUser(f"user {dn!r}: {name!r} is not a list of values")
    return [_decode(dn, name, value) for value in values]


def _decode(dn: str, name: str, value: Any) -> Value:
    if isinstance(value, str):
        return value
    encoded = value.get("base64") if isinstance(value, dict) else None
    if isinstance(encoded, str) and len(value) == 1:
        try:
            return base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise MalformedUser(f"user {dn!r}: {name!r} holds bad base64") from None
    shown = json.dumps(value)[:40]
    raise MalformedUser(
        f"user {dn!r}: {name!r} holds {shown}; values are strings or "
        '{"base64": "..."}'
    )


def read_header(path: Path) -> dict[str, Any]:
    """The snapshot's top-level fields other than ``users``."""
    header: dict[str, Any] = {}
    events = stream_events(path)
    for prefix, event, value in events:
        if prefix != "" or event != "map_key":
            continue
        if value in header:
            line = locate(path, (value,), occurrence=2)
            raise InputError(f"key {value!r} given twice", path=path, line=line)
        if value == "users":
            _check_header(path, header)
            _check_users_array(path, next(events, ("", "", None))[1])
            return header
        header[value] = _value_after(events)
    _check_header(path, header)
    raise InputError('no "users" array in the snapshot', path=path)


def _value_after(events: Iterator[tuple[str, str, Any]]) -> Any:
    """Build the one value whose events come next."""
    builder = ijson.ObjectBuilder()
    depth = 0
    for _prefix, event, value in events:
        builder.event(event, value)
        depth += event in {"start_map", "start_array"}
        depth -= event in {"end_map", "end_array"}
        if depth == 0:
            break
    return builder.value


def _check_users_array(path: Path, event: str) -> None:
    if event != "start_array":
        line = locate(path, ("users",))
        raise InputError('"users" is not an array', path=path, line=line)


def _check_header(path: Path, header: dict[str, Any]) -> None:
    if header.get("format") != SNAPSHOT_FORMAT:
        raise InputError(
            f'not an entra-rulegen snapshot (no "format": "{SNAPSHOT_FORMAT}")',
            path=path,
            line=locate(path, ("format",)) or 1,
        )
    version = header.get("schema_version")
    if not isinstance(version, int) or version > SNAPSHOT_SCHEMA_VERSION:
        raise InputError(
            f"snapshot schema_version {version!r} is newer than this tool reads "
            f"({SNAPSHOT_SCHEMA_VERSION}); upgrade entra-rulegen",
            path=path,
            line=locate(path, ("schema_version",)) or 1,
        )
    for key, kind in (("schema", dict), ("forest", str), ("base_dn", str)):
        if header.get(key) is not None and not isinstance(header[key], kind):
            raise InputError(
                f'"{key}" must be {"an object" if kind is dict else "a string"}',
                path=path,
                line=locate(path, (key,)),
            )
    unreadable = header.get("unreadable_attributes", [])
    if not isinstance(unreadable, list) or not all(
        isinstance(name, str) for name in unreadable
    ):
        raise InputError(
            '"unreadable_attributes" must be an array of attribute names',
            path=path,
            line=locate(path, ("unreadable_attributes",)),
        )
