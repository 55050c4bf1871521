"""JSON sources: our snapshot format (round trip) and ldapdomaindump."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DATA

from generator.errors import InputError
from generator.model import SourceSpec, User
from generator.readers import load_schema, open_source
from generator.readers.snapshot import (
    SNAPSHOT_FORMAT,
    SNAPSHOT_SCHEMA_VERSION,
    SnapshotSource,
    write_snapshot,
)
from generator.schema import AttributeDef, ClassDef, Schema

READERS = DATA / "readers"


def small_schema() -> Schema:
    schema = Schema(origin="live", source="dc1.corp.example")
    schema.add_attribute(AttributeDef("employeeType", "2.5.5.12", True, False))
    schema.add_class(ClassDef("user", "top", may=("employeeType",)))
    return schema


def test_snapshot_round_trip_keeps_text_bytes_and_schema(tmp_path: Path) -> None:
    source = open_source(SourceSpec(str(READERS / "ldifde-ansi.ldf")))
    path = tmp_path / "snap.json"
    count = write_snapshot(
        path,
        source="ldaps://dc1.corp.example",
        forest="fabrikam.example",
        base_dn="DC=fabrikam,DC=example",
        schema=small_schema(),
        users=source.users(),
    )
    assert count == 3
    snapshot = open_source(SourceSpec(str(path)))
    assert isinstance(snapshot, SnapshotSource)
    assert snapshot.forest == "fabrikam.example"
    assert snapshot.base_dn == "DC=fabrikam,DC=example"
    originals = list(source.users())
    copies = list(snapshot.users())
    assert [c.attributes for c in copies] == [o.attributes for o in originals]
    assert [c.dn for c in copies] == [o.dn for o in originals]
    schema = snapshot.schema()
    assert schema is not None and schema.origin == "live"
    assert schema.verdict("employeeType") == "single-valued string on user"


def test_snapshot_document_shape(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    user = User("CN=a,DC=b,DC=example", {"objectguid": (b"\x00\xff",), "cn": ("a",)})
    write_snapshot(
        path, source="x", forest="b.example", base_dn=None, schema=None, users=[user]
    )
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == SNAPSHOT_FORMAT
    assert document["schema_version"] == SNAPSHOT_SCHEMA_VERSION
    assert document["schema"] is None
    assert document["users"] == [
        {
            "dn": "CN=a,DC=b,DC=example",
            "attributes": {"cn": ["a"], "objectguid": [{"base64": "AP8="}]},
        }
    ]
    assert list(document)[-1] == "users"  # readers stop before the users


def test_snapshot_writer_consumes_a_generator_and_leaves_no_partial(
    tmp_path: Path,
) -> None:
    def failing() -> object:
        yield User("CN=a,DC=b,DC=example", {"cn": ("a",)})
        raise RuntimeError("connection lost")

    path = tmp_path / "snap.json"
    with pytest.raises(RuntimeError):
        write_snapshot(
            path, source="x", forest="b", base_dn=None, schema=None, users=failing()
        )  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_snapshot_schema_is_used_by_load_schema(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    write_snapshot(
        path, source="x", forest="b", base_dn=None, schema=small_schema(), users=[]
    )
    assert load_schema(SourceSpec(str(path))).source == "dc1.corp.example"


def test_newer_snapshot_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.json"
    path.write_text(
        json.dumps({"format": SNAPSHOT_FORMAT, "schema_version": 99, "users": []}),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="newer"):
        list(open_source(SourceSpec(str(path))).users())


def test_foreign_json_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"value": []}', encoding="utf-8")
    with pytest.raises(InputError, match="not an entra-rulegen snapshot"):
        list(open_source(SourceSpec(str(path))).users())


def test_ldapdomaindump_values(tmp_path: Path) -> None:
    path = tmp_path / "domain_users.json"
    path.write_text(
        json.dumps(
            [
                {
                    "attributes": {
                        "objectClass": [
                            "top",
                            "person",
                            "organizationalPerson",
                            "user",
                        ],
                        "objectGUID": ["{6f1c2a9e-3b4d-4e5f-8a71-0c2d3e4f5a6b}"],
                        "objectSid": ["S-1-5-21-101-202-303-1601"],
                        "mS-DS-ConsistencyGuid": [
                            {"encoded": "AP8=", "encoding": "base64"}
                        ],
                        "userAccountControl": [514],
                        "sAMAccountName": ["rostby"],
                    },
                    "dn": "CN=Renée Ostby,OU=Staff,DC=fabrikam,DC=example",
                }
            ]
        ),
        encoding="utf-8",
    )
    (user,) = open_source(SourceSpec(str(path))).users()
    assert user.text("objectGUID") == "6f1c2a9e-3b4d-4e5f-8a71-0c2d3e4f5a6b"
    assert isinstance(user.first("objectSid"), bytes)
    assert user.text("objectSid") == "S-1-5-21-101-202-303-1601"
    assert user.first("mS-DS-ConsistencyGuid") == b"\x00\xff"
    assert user.text("userAccountControl") == "514"
    assert user.forest == "fabrikam.example"
