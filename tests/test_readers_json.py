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


HEAD = (
    '{"format": "entra-rulegen-snapshot", "schema_version": 1,\n'
    '"source": "x", "forest": "corp.example", "base_dn": null, "schema": null,\n'
)


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ('"users": {"a": 1}}', 3, '"users" is not an array'),
        ('"users": [\n{"dn": "CN=a", "attributes": "x"}\n]}', 4, "'attributes'"),
        ('"users": [\n{"dn": "CN=a"}\n]}', 4, "'attributes' is missing"),
        ('"users": [\n{"attributes": {}}\n]}', 4, "'dn' string"),
        ('"users": [\n{"dn": "CN=a", "attributes": {"x": "y"}}\n]}', 4, "not a list"),
        (
            '"users": [\n{"dn": "CN=a", "attributes": {"x": [1, true]}}\n]}',
            4,
            "holds 1",
        ),
        (
            '"users": [\n{"dn": "CN=a", "attributes": {}},\n'
            '{"dn": "CN=b", "attributes": {"g": [{"base64": "!!"}]}}\n]}',
            5,
            "bad base64",
        ),
    ],
)
def test_snapshot_of_the_wrong_shape(
    tmp_path: Path, body: str, line: int, words: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(HEAD + body + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=words) as caught:
        list(open_source(SourceSpec(str(path))).users())
    assert caught.value.line == line


def test_snapshot_header_keys_checked(tmp_path: Path) -> None:
    twice = tmp_path / "twice.json"
    twice.write_text(HEAD + '"forest": "other",\n"users": []}', encoding="utf-8")
    with pytest.raises(InputError, match="'forest' given twice") as caught:
        list(open_source(SourceSpec(str(twice))).users())
    assert caught.value.line == 3
    typed = tmp_path / "typed.json"
    typed.write_text(HEAD.replace('"schema": null', '"schema": "abc"') + '"users": []}')
    with pytest.raises(InputError, match='"schema" must be an object') as caught:
        list(open_source(SourceSpec(str(typed))).users())
    assert caught.value.line == 2


def test_deep_nesting_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(b"\n" + b"[" * 200_000)
    with pytest.raises(InputError, match="nested deeper") as caught:
        list(open_source(SourceSpec(str(path))).users())
    assert caught.value.line == 2


def test_ldapdomaindump_entry_that_is_not_an_object_names_its_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "domain_users.json"
    path.write_text(
        '[\n{"attributes": {}, "dn": "CN=a,DC=x"},\n 7\n]', encoding="utf-8"
    )
    with pytest.raises(InputError, match="entry 2") as caught:
        list(open_source(SourceSpec(str(path))).users())
    assert caught.value.line == 3


def test_nul_after_the_brace_is_broken_json_not_utf16(tmp_path: Path) -> None:
    path = tmp_path / "nul.json"
    path.write_bytes(b'{\x00format": "x",\n"users": []}\n')
    with pytest.raises(InputError, match="broken JSON") as caught:
        list(open_source(SourceSpec(str(path))).users())
    assert caught.value.line == 1


def test_snapshot_saved_with_a_bom_on_windows_reads_the_same(tmp_path: Path) -> None:
    source = open_source(SourceSpec(str(READERS / "ldifde-ansi.ldf")))
    path = tmp_path / "snap.json"
    write_snapshot(
        path,
        source="ldaps://dc1.corp.example",
        forest="fabrikam.example",
        base_dn="DC=fabrikam,DC=example",
        schema=small_schema(),
        users=source.users(),
    )
    with_bom = tmp_path / "bom.json"
    with_bom.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    expected = [u.attributes for u in open_source(SourceSpec(str(path))).users()]
    copy = open_source(SourceSpec(str(with_bom)))
    assert [u.attributes for u in copy.users()] == expected
    # An error after the mark still names its line.
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'\xef\xbb\xbf[\n{"attributes": 3}\n]\n')
    with pytest.raises(InputError) as raised:
        list(open_source(SourceSpec(str(broken))).users())
    assert raised.value.line == 2


def test_utf16_json_is_refused_with_its_encoding(tmp_path: Path) -> None:
    path = tmp_path / "domain_users.json"
    path.write_text('[{"attributes": {}}]', encoding="utf-16")
    with pytest.raises(InputError, match="UTF-16") as raised:
        list(open_source(SourceSpec(str(path))).users())
    assert raised.value.line == 1
