"""Readers stream: peak memory while reading does not grow with the users."""

from __future__ import annotations

import base64
import csv
import json
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.model import SourceSpec, User
from generator.readers import open_source
from generator.readers.snapshot import write_snapshot


def person(number: int) -> User:
    return User(
        f"CN=user{number},OU=Staff,DC=big,DC=example",
        {
            "objectclass": ("top", "person", "organizationalPerson", "user"),
            "samaccountname": (f"user{number}",),
            "userprincipalname": (f"user{number}@big.example",),
            "employeetype": ("Employee",),
            "objectguid": (uuid.UUID(int=number).bytes_le,),
        },
    )


def write_ldif(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="\r\n") as out:
        for number in range(count):
            user = person(number)
            out.write(f"dn: {user.dn}\nchangetype: add\n")
            for name, values in user.attributes.items():
                for value in values:
                    if isinstance(value, bytes):
                        out.write(f"{name}:: {base64.b64encode(value).decode()}\n")
                    else:
                        out.write(f"{name}: {value}\n")
            out.write("\n")


def write_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["DN", "objectClass", "sAMAccountName", "userPrincipalName"])
        for number in range(count):
            user = person(number)
            writer.writerow(
                [user.dn, "top;person;user", user.sam, user.upn],
            )


def write_json(path: Path, count: int) -> None:
    users = (person(number) for number in range(count))
    write_snapshot(
        path, source="x", forest="big.example", base_dn=None, schema=None, users=users
    )


def write_ldapdomaindump(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for number in range(count):
            user = person(number)
            attributes = {
                "distinguishedName": [user.dn],
                "objectClass": list(user.attributes["objectclass"]),
                "sAMAccountName": [user.sam],
                "userPrincipalName": [user.upn],
                "employeeType": ["Employee"],
            }
            entry = {"attributes": attributes, "dn": user.dn}
            out.write(("," if number else "") + json.dumps(entry, indent=4))
        out.write("]")


def write_utf16(write: Callable[[Path, int], None]) -> Callable[[Path, int], None]:
    """``write``'s file as ldifde -u or Export-Csv -Encoding Unicode save it."""

    def utf16(path: Path, count: int) -> None:
        write(path, count)
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))

    return utf16


def peak_while_reading(path: Path) -> int:
    tracemalloc.start()
    try:
        for _user in open_source(SourceSpec(str(path))).users():
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("suffix", "write"),
    [
        (".ldf", write_ldif),
        (".ldf", write_utf16(write_ldif)),
        (".csv", write_csv),
        (".csv", write_utf16(write_csv)),
        (".json", write_json),
        (".json", write_ldapdomaindump),
    ],
    ids=["ldif", "ldif-utf16", "csv", "csv-utf16", "snapshot", "ldapdomaindump"],
)
def test_peak_memory_is_flat(
    tmp_path: Path, suffix: str, write: Callable[[Path, int], None]
) -> None:
    small, large = tmp_path / f"small{suffix}", tmp_path / f"large{suffix}"
    write(small, 500)
    write(large, 4_000)
    peak_while_reading(small)  # the first read imports modules: not counted
    grown = peak_while_reading(large) - peak_while_reading(small)
    # eight times the users; a list of them would add megabytes
    assert grown < 256 * 1024, f"peak grew by {grown:,} bytes"
