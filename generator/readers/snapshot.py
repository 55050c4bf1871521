"""Our snapshot format: one JSON document holding what a live read fetched.

Written one user at a time and read back with ijson, so neither side holds
all users in memory. docs/snapshot-format.md describes the format; bump
``SNAPSHOT_SCHEMA_VERSION`` on any change a reader of version 1 would misread.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import ijson

from generator.errors import InputError, OutputError
from generator.model import User, Value
from generator.readers.base import FileSource
from generator.readers.entries import make_user
from generator.readers.jsonstream import stream_events, stream_items
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
) -> int:
    """Write a snapshot, streaming ``users``; returns how many were written.

    The file is written under a temporary name and renamed at the end, so a
    failed read never leaves a half snapshot behind.
    """
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as out:
            count = _write(
                out,
                source=source,
                forest=forest,
                base_dn=base_dn,
                schema=schema,
                users=users,
            )
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise OutputError(f"cannot write {str(target)!r}: {error.strerror}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def _write(
    out: TextIO,
    *,
    source: str,
    forest: str,
    base_dn: str | None,
    schema: Schema | None,
    users: Iterable[User],
) -> int:
    header = {
        "format": SNAPSHOT_FORMAT,
        "schema_version": SNAPSHOT_SCHEMA_VERSION,
        "source": source,
        "forest": forest,
        "base_dn": base_dn,
        "schema": None if schema is None else schema_to_json(schema),
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


def _decode(value: Any) -> Value:
    if isinstance(value, dict) and "base64" in value:
        return base64.b64decode(value["base64"])
    return str(value)


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

    def schema(self) -> Schema | None:
        given = super().schema()  # --schema wins over the snapshot's own
        if given is not None:
            return given
        data = self.header.get("schema")
        if data is None:
            return None
        origin = data.get("origin", "live")
        return schema_from_json(data, origin, data.get("source") or self.name)

    def _read(self) -> Iterator[User]:
        self.header  # noqa: B018 - refuses a foreign file before streaming
        for item in stream_items(self.path, "users.item"):
            attributes = {
                k: [_decode(v) for v in vs] for k, vs in item["attributes"].items()
            }
            yield make_user(item["dn"], attributes, forest="")


def read_header(path: Path) -> dict[str, Any]:
    """The snapshot's top-level fields other than ``users``."""
    header: dict[str, Any] = {}
    builder: Any = None
    key = ""
    for prefix, event, value in stream_events(path):
        if prefix == "" and event in {"map_key", "end_map"}:
            if builder is not None:
                header[key] = builder.value
            if event == "end_map" or value == "users":
                break
            key, builder = value, ijson.ObjectBuilder()
        elif builder is not None:
            builder.event(event, value)
    _check_header(path, header)
    return header


def _check_header(path: Path, header: dict[str, Any]) -> None:
    if header.get("format") != SNAPSHOT_FORMAT:
        raise InputError(
            f'not an entra-rulegen snapshot (no "format": "{SNAPSHOT_FORMAT}")',
            path=path,
            line=1,
        )
    version = header.get("schema_version")
    if not isinstance(version, int) or version > SNAPSHOT_SCHEMA_VERSION:
        raise InputError(
            f"snapshot schema_version {version!r} is newer than this tool reads "
            f"({SNAPSHOT_SCHEMA_VERSION}); upgrade entra-rulegen",
            path=path,
            line=1,
        )
