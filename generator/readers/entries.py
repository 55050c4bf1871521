"""Turn one exported record into a :class:`~generator.model.User`.

Shared by every file reader: which records are users, how binary attributes
written as text (GUID strings, ``S-1-5-...`` SIDs, csvde's ``X'..'`` hex) become
bytes again, and how attribute names are normalised.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping

from generator.model import BINARY_ATTRIBUTES, User, Value

GUID_ATTRIBUTES = frozenset(
    {"objectguid", "ms-ds-consistencyguid", "msexchmailboxguid"}
)
SID_ATTRIBUTES = frozenset({"objectsid", "sidhistory"})
# Classes whose objects are accounts an Entra Connect user rule can match.
USER_CLASSES = frozenset({"user", "inetorgperson"})
NON_USER_CLASSES = frozenset({"computer"})

# Single-valued in every AD schema, and what identifies a user: a file that
# gives one of them twice is broken, not a user with two identities.
SINGLE_IDENTITY = ("userPrincipalName", "sAMAccountName", "objectGUID", "objectSid")

_SID_RE = re.compile(r"^S-1-\d+(-\d+)+$", re.IGNORECASE)
_HEX_RE = re.compile(r"^X'([0-9A-Fa-f]*)'$")


def is_user_record(attributes: Mapping[str, tuple[Value, ...]]) -> bool:
    """True for users; records without objectClass count as users (csvde -l)."""
    classes = {str(v).lower() for v in attributes.get("objectclass", ())}
    if not classes:
        return True
    return bool(classes & USER_CLASSES) and not classes & NON_USER_CLASSES


def make_user(
    dn: str,
    attributes: Mapping[str, Iterable[Value]],
    *,
    forest: str,
    line: int | None = None,
) -> User:
    """A User with lower-case keys and binary attributes as bytes."""
    merged: dict[str, tuple[Value, ...]] = {}
    for name, values in attributes.items():
        key = name.lower()
        if key in BINARY_ATTRIBUTES:
            found = tuple(binary_value(key, v) for v in values)
        else:
            found = tuple(values)
        merged[key] = merged[key] + found if key in merged else found
    return User(dn, merged, forest, line)


def identity_clash(user: User) -> str | None:
    """A message when the user holds a single-valued identity twice, else None."""
    for name in SINGLE_IDENTITY:
        values = user.values(name)
        if len(values) > 1:
            return (
                f"user {user.dn!r} has {len(values)} values of {name}, which "
                "is single-valued: a broken export"
            )
    return None


def binary_value(key: str, value: Value) -> Value:
    """Bring a binary attribute written as text back to its bytes.

    A value that does not parse stays text: an odd value is a finding for the
    analysis, not a reason to stop reading.
    """
    if isinstance(value, bytes) or key not in BINARY_ATTRIBUTES:
        return value
    text = value.strip()
    hexed = _HEX_RE.match(text)
    if hexed:
        return bytes.fromhex(hexed.group(1))
    if key in GUID_ATTRIBUTES:
        try:
            return uuid.UUID(text.strip("{}")).bytes_le
        except ValueError:
            return value
    if key in SID_ATTRIBUTES and _SID_RE.match(text):
        return sid_bytes(text)
    return value


def sid_bytes(sid: str) -> bytes:
    """``S-1-5-21-...`` to its binary form (MS-DTYP 2.4.2.2)."""
    parts = [int(p) for p in sid.split("-")[1:]]
    revision, authority, subs = parts[0], parts[1], parts[2:]
    head = bytes([revision, len(subs)]) + authority.to_bytes(6, "big")
    return head + b"".join(s.to_bytes(4, "little") for s in subs)
