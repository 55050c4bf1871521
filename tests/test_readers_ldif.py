"""LDIF as ldifde (ANSI and -u UTF-16LE) and ldapsearch write it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from conftest import DATA, REAL_INPUTS

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


TWO_USERS = (
    "# extended LDIF\n#\n# with pagedResults control: size=1\n#\n\n"
    "# a, b\ndn: CN=a,DC=b,DC=example\nobjectClass: user\nsAMAccountName: a\n\n"
    "# c, b\ndn: CN=c,DC=b,DC=example\nobjectClass: user\nsAMAccountName: c\n\n"
)


def _incomplete(path: Path, text: str, encoding: str) -> InputError:
    path.write_bytes(text.encode(encoding))
    with pytest.raises(InputError, match="the export is incomplete") as caught:
        users_of(path)
    return caught.value


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize(
    "result", ["4 Size limit exceeded", "3 Time limit exceeded", "11 Admin limit"]
)
def test_a_search_that_failed_is_an_incomplete_export(
    tmp_path: Path, result: str, encoding: str
) -> None:
    text = TWO_USERS + f"# search result\nsearch: 2\nresult: {result}\n\n"
    error = _incomplete(tmp_path / "limit.ldif", text, encoding)
    assert error.line == text.count("\n") - 1
    assert f"'result: {result}'" in str(error)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("comment", ["", "# "])
def test_a_paged_search_stopped_before_its_last_page_is_incomplete(
    tmp_path: Path, comment: str, encoding: str
) -> None:
    # ldapsearch writes the paged-results summary as a value, or with -L as a
    # comment; every page but the last carries a cookie to the next one.
    page = (
        "# search result\nsearch: 2\nresult: 0 Success\n"
        f"{comment}control: 1.2.840.113556.1.4.319 false MAgCAgEwBAIxAA==\n"
        f"{comment}pagedresults: estimate=3 cookie={{}}\n\n"
    )
    whole = TWO_USERS + page.format("MQA=") + TWO_USERS + page.format("")
    path = tmp_path / "paged.ldif"
    path.write_bytes(whole.encode(encoding))
    assert len(users_of(path)) == 4
    cut = TWO_USERS + page.format("MQA=") + TWO_USERS
    error = _incomplete(path, cut, encoding)
    assert error.line == TWO_USERS.count("\n") + 5
    assert "cookie=MQA=" in str(error)


def test_the_real_ldapsearch_export_cut_after_its_first_page_is_refused(
    tmp_path: Path,
) -> None:
    real = REAL_INPUTS / "ad-exports" / "ldapsearch-samba-users.ldif"
    lines = real.read_text(encoding="utf-8").splitlines(keepends=True)
    first_page = next(n for n, line in enumerate(lines, 1) if "cookie=MQA" in line)
    error = _incomplete(tmp_path / "page1.ldif", "".join(lines[:first_page]), "utf-8")
    assert error.line == first_page
    assert len(users_of(real)) == 304
