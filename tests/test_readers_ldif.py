"""LDIF as ldifde (ANSI and -u UTF-16LE) and ldapsearch write it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from conftest import DATA

from generator.errors import InputError
from generator.model import SourceSpec, User
from generator.readers import open_source
from generator.readers.ldif_file import read_records

READERS = DATA / "readers"
RENEE_DN = "CN=Renée Ostby,OU=Staff,DC=fabrikam,DC=example"


def users_of(path: Path) -> list[User]:
    return list(open_source(SourceSpec(str(path))).users())


@pytest.mark.parametrize("name", ["ldifde-ansi.ldf", "ldifde-unicode.ldf"])
def test_ldifde_exports_give_the_users_only(name: str) -> None:
    users = users_of(READERS / name)
    # the OU and the computer account are not users
    assert [u.sam for u in users] == ["rostby", "tvell", "svc-backup"]
    assert users[0].dn == RENEE_DN
    assert users[0].text("givenName") == "Renée"


@pytest.mark.parametrize("name", ["ldifde-ansi.ldf", "ldifde-unicode.ldf"])
def test_binary_attributes_stay_bytes_and_show_as_admins_see_them(name: str) -> None:
    renee = users_of(READERS / name)[0]
    guid = renee.first("objectGUID")
    assert isinstance(guid, bytes)
    assert uuid.UUID(bytes_le=guid) == uuid.UUID("6f1c2a9e-3b4d-4e5f-8a71-0c2d3e4f5a6b")
    assert renee.text("objectSid") == "S-1-5-21-101-202-303-1601"
    assert renee.first("mS-DS-ConsistencyGuid") == guid


def test_keys_are_lower_case_and_multi_values_kept() -> None:
    renee = users_of(READERS / "ldifde-ansi.ldf")[0]
    assert all(key == key.lower() for key in renee.attributes)
    assert renee.values("proxyAddresses") == (
        "SMTP:renee.ostby@fabrikam.example",
        "smtp:rostby@fabrikam.example",
    )
    assert "changetype" not in renee.attributes


def test_base64_text_keeps_its_trailing_space() -> None:
    vell = users_of(READERS / "ldifde-ansi.ldf")[1]
    assert vell.text("employeeType") == "Partner "


def test_folded_lines_and_version_line_in_a_utf16_export() -> None:
    renee = users_of(READERS / "ldifde-unicode.ldf")[0]
    assert renee.text("department") == "Finance and Controlling"


def test_user_line_points_at_its_dn() -> None:
    path = READERS / "ldifde-ansi.ldf"
    lines = path.read_text(encoding="ascii").splitlines()
    for user in users_of(path):
        assert user.line is not None
        assert lines[user.line - 1].startswith("dn:")


def test_users_can_be_read_twice_and_narrowed() -> None:
    source = open_source(SourceSpec(str(READERS / "ldifde-ansi.ldf")))
    first = [u.dn for u in source.users()]
    narrowed = list(source.users(["sAMAccountName"]))
    assert [u.dn for u in narrowed] == first
    assert set(narrowed[0].attributes) == {"samaccountname"}


def test_forest_from_dns_or_from_the_option() -> None:
    path = str(READERS / "ldifde-ansi.ldf")
    assert open_source(SourceSpec(path)).forest == "fabrikam.example"
    given = open_source(SourceSpec(path, forest="Corp.Example"))
    assert given.forest == "corp.example"
    assert {u.forest for u in given.users()} == {"corp.example"}


def test_ldapsearch_result_trailer_and_references_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "search.ldif"
    path.write_text(
        "# extended LDIF\n#\n# filter: (objectClass=user)\n#\n\n"
        "# a, b\ndn: CN=a,DC=b,DC=example\nobjectClass: user\n"
        "sAMAccountName: a\ndescription: a long value folded\n  over two lines\n\n"
        "# search reference\nref: ldap://b.example/CN=Configuration,DC=b,DC=example\n\n"
        "# search result\nsearch: 2\nresult: 0 Success\n\n# numResponses: 2\n",
        encoding="utf-8",
    )
    users = users_of(path)
    assert [u.sam for u in users] == ["a"]
    assert users[0].text("description") == "a long value folded over two lines"


def test_record_without_dn_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nodn.ldf"
    path.write_text("objectClass: user\nsAMAccountName: a\n", encoding="utf-8")
    with pytest.raises(InputError, match="dn:") as caught:
        users_of(path)
    assert caught.value.line == 1


def test_changetype_add_accepted_and_delete_refused(tmp_path: Path) -> None:
    path = tmp_path / "delete.ldf"
    path.write_text(
        "dn: CN=a,DC=b,DC=example\nchangetype: add\nobjectClass: user\n\n"
        "dn: CN=c,DC=b,DC=example\nchangetype: delete\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="changetype: delete") as caught:
        users_of(path)
    assert caught.value.line == 6


def test_records_stream_one_at_a_time() -> None:
    records = read_records(READERS / "ldifde-ansi.ldf")
    first = next(records)
    assert first.dn == "OU=Vendors,DC=fabrikam,DC=example"
    assert first.attributes["objectclass"] == ("top", "organizationalUnit")


def test_second_dn_in_one_record_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "twodn.ldf"
    path.write_text(
        "dn: CN=a,DC=b,DC=example\ndn: CN=c,DC=b,DC=example\nobjectClass: user\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="second 'dn:'") as caught:
        users_of(path)
    assert caught.value.line == 2


def test_unusual_dns_and_non_utf8_values_are_read_not_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "odd.ldf"
    path.write_text(
        "version: 1\ndn: CN=Smith\\, John,OU=A+B,DC=b,DC=example\nobjectClass: user\n\n"
        "dn: CN=,DC=b,DC=example\nobjectClass: user\nsn:: /w==\n",
        encoding="utf-8",
    )
    first, second = users_of(path)
    assert first.dn == "CN=Smith\\, John,OU=A+B,DC=b,DC=example"
    assert second.first("sn") == b"\xff"  # an odd value stays bytes: a finding
    assert capsys.readouterr().err == ""


def test_empty_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.ldf"
    path.write_text("# only a comment\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="holds no user records"):
        users_of(path)


@pytest.mark.parametrize("name", ["bad name!", "descr\x00iption", "-x", "a_b"])
def test_attribute_names_follow_rfc_2849(tmp_path: Path, name: str) -> None:
    path = tmp_path / "names.ldf"
    path.write_text(
        f"dn: CN=a,DC=b,DC=example\nobjectClass: user\n{name}: x\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="not an attribute name") as caught:
        users_of(path)
    assert caught.value.line == 3


def test_options_and_oids_are_attribute_names(tmp_path: Path) -> None:
    path = tmp_path / "options.ldf"
    path.write_text(
        "dn: CN=a,DC=b,DC=example\nobjectClass: user\n"
        "memberOf;range=0-1499: CN=g,DC=b,DC=example\n"
        "userCertificate;binary:: AAE=\n1.2.840.113556.1.4.656: x\n",
        encoding="utf-8",
    )
    (user,) = users_of(path)
    assert user.values("memberOf;range=0-1499") == ("CN=g,DC=b,DC=example",)
    assert user.values("1.2.840.113556.1.4.656") == ("x",)
