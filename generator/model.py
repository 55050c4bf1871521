"""The common user model every reader streams into.

A reader yields one :class:`User` at a time; nothing in the tool keeps a list of
all users. Attribute names are stored lower-cased (LDAP names are
case-insensitive); values are ``str`` for text and ``bytes`` for binary
attributes (objectGUID, objectSid, mS-DS-ConsistencyGuid and other octet strings).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from generator.schema import Schema

Value = str | bytes

# What every analysis needs besides the marker candidates.
IDENTITY_ATTRIBUTES = (
    "objectClass",
    "objectGUID",
    "sAMAccountName",
    "userPrincipalName",
    "displayName",
    "userAccountControl",
    "isCriticalSystemObject",
    "adminDescription",
)

BINARY_ATTRIBUTES = frozenset(
    {
        "objectguid",
        "objectsid",
        "ms-ds-consistencyguid",
        "msexchmailboxguid",
        "sidhistory",
        "thumbnailphoto",
        "jpegphoto",
        "usercertificate",
        "msexchsafesendershash",
        "msexchblockedsendershash",
        "msexchsaferecipientshash",
    }
)


@dataclass(frozen=True, slots=True)
class User:
    """One directory object as read from a source, before any analysis."""

    dn: str
    attributes: Mapping[str, tuple[Value, ...]]
    forest: str = ""
    line: int | None = None

    def values(self, name: str) -> tuple[Value, ...]:
        return self.attributes.get(name.lower(), ())

    def first(self, name: str) -> Value | None:
        found = self.values(name)
        return found[0] if found else None

    def text(self, name: str) -> str | None:
        """The first value as text (binary values in their usual text form)."""
        value = self.first(name)
        return None if value is None else display_value(name, value)

    @property
    def upn(self) -> str | None:
        return self.text("userPrincipalName")

    @property
    def sam(self) -> str | None:
        return self.text("sAMAccountName")

    @property
    def object_classes(self) -> frozenset[str]:
        return frozenset(str(v).lower() for v in self.values("objectClass"))


def display_value(name: str, value: Value) -> str:
    """Show a value the way admins see it: GUID string, S-1-5-... SID, base64."""
    if isinstance(value, str):
        return value
    key = name.lower()
    guids = {"objectguid", "ms-ds-consistencyguid", "msexchmailboxguid"}
    if key in guids and len(value) == 16:
        return str(uuid.UUID(bytes_le=value))
    if key in {"objectsid", "sidhistory"}:
        sid = format_sid(value)
        if sid is not None:
            return sid
    return base64.b64encode(value).decode("ascii")


def format_sid(raw: bytes) -> str | None:
    """Binary SID to ``S-1-5-21-...``; None when the bytes are not a SID."""
    if len(raw) < 8 or raw[0] != 1 or len(raw) != 8 + 4 * raw[1]:
        return None
    authority = int.from_bytes(raw[2:8], "big")
    subs = [
        int.from_bytes(raw[8 + 4 * i : 12 + 4 * i], "little") for i in range(raw[1])
    ]
    return "-".join(["S", str(raw[0]), str(authority), *map(str, subs)])


def forest_from_dn(dn: str) -> str:
    """``CN=x,OU=y,DC=contoso,DC=com`` -> ``contoso.com`` (empty when no DC=)."""
    parts = [p.strip() for p in dn.split(",")]
    labels = [p[3:] for p in parts if p[:3].lower() == "dc="]
    return ".".join(labels).lower()


class DirectorySource(Protocol):
    """A forest to read: a file or a live directory.

    ``users()`` may be called more than once (``plan`` reads twice: choose, then
    preview); each call streams the users again from the start.
    """

    @property
    def name(self) -> str: ...

    @property
    def forest(self) -> str: ...

    def schema(self) -> Schema | None:
        """The forest's own schema when the source carries one, else None."""
        ...

    def users(self, attributes: Collection[str] | None = None) -> Iterator[User]:
        """Stream the users; ``attributes`` limits what a live read asks for."""
        ...


@dataclass(frozen=True)
class SourceSpec:
    """One ``--source`` with the ``--schema`` and ``--forest`` given after it."""

    source: str
    schema: str | None = None
    forest: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LiveOptions:
    """How to reach a live directory (the LIVE options of the interface)."""

    user: str | None = None
    auth: str = "simple"
    base_dn: str | None = None
    no_tls: bool = False
    ca_file: str | None = None
    tls_server_name: str | None = None
    insecure: bool = False
    gc: bool = False
    page_size: int = 500
