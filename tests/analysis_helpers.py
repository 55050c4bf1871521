"""Small directories for the analysis tests, written as LDIF on the fly."""

from __future__ import annotations

from pathlib import Path

from generator.commands.options import Config, Partners, Sources
from generator.model import LiveOptions, SourceSpec, User

BASE = "DC=contoso,DC=com"


def person(
    name: str,
    *,
    upn: str | None = "",
    ou: str = "OU=Staff",
    classes: tuple[str, ...] = ("top", "person", "organizationalPerson", "user"),
    **attributes: str,
) -> dict[str, object]:
    """One user entry; ``upn=""`` means name@contoso.com, None means no UPN."""
    entry: dict[str, object] = {
        "dn": f"CN={name},{ou},{BASE}" if ou else f"CN={name},{BASE}",
        "objectClass": classes,
        "sAMAccountName": name,
    }
    if upn is not None:
        entry["userPrincipalName"] = upn or f"{name}@contoso.com"
    entry.update(attributes)
    return entry


def write_ldif(path: Path, entries: list[dict[str, object]]) -> Path:
    blocks = []
    for entry in entries:
        lines = [f"dn: {entry['dn']}", "changetype: add"]
        for key, value in entry.items():
            if key == "dn":
                continue
            values = value if isinstance(value, tuple) else (value,)
            lines += [f"{key}: {v}" for v in values]
        blocks.append("\n".join(lines))
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


def user(dn: str, **attributes: str | tuple[str, ...]) -> User:
    """An in-memory user, attribute names lower-cased as readers store them."""
    values = {
        k.lower(): v if isinstance(v, tuple) else (v,) for k, v in attributes.items()
    }
    values.setdefault("objectclass", ("top", "person", "organizationalPerson", "user"))
    return User(dn, values, forest="contoso.com")


def sources(*paths: Path, schema: Path | None = None) -> Sources:
    return Sources(
        tuple(SourceSpec(str(p), str(schema) if schema else None) for p in paths),
        LiveOptions(),
    )


def partners(**kwargs: tuple[str, ...]) -> Partners:
    return Partners(**kwargs)  # type: ignore[arg-type]


NO_CONFIG = Config()
