"""CSV as csvde and Get-ADUser | Export-Csv write it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from conftest import DATA

from generator.console import log
from generator.errors import InputError
from generator.model import SourceSpec, User
from generator.readers import open_source

READERS = DATA / "readers"


def users_of(path: Path) -> list[User]:
    return list(open_source(SourceSpec(str(path))).users())


@pytest.mark.parametrize("name", ["csvde.csv", "csvde-unicode.csv"])
def test_csvde_splits_multi_values_and_decodes_hex(name: str) -> None:
    users = users_of(READERS / name)
    assert [u.sam for u in users] == ["rostby", "tvell", "svc-backup"]
    renee = users[0]
    assert renee.values("objectClass") == (
        "top",
        "person",
        "organizationalPerson",
        "user",
    )
    assert renee.values("proxyAddresses") == (
        "SMTP:renee.ostby@fabrikam.example",
        "smtp:rostby@fabrikam.example",
    )
    assert renee.text("department") == "R;D"  # single-valued: the ; is data
    guid = renee.first("objectGUID")
    assert isinstance(guid, bytes)
    assert uuid.UUID(bytes_le=guid) == uuid.UUID("6f1c2a9e-3b4d-4e5f-8a71-0c2d3e4f5a6b")
    assert renee.text("objectSid") == "S-1-5-21-101-202-303-1601"


def test_csvde_quoted_commas_and_empty_fields() -> None:
    vell = users_of(READERS / "csvde.csv")[1]
    assert vell.text("company") == "Tailspin Supplies, Ltd."
    assert vell.values("proxyAddresses") == ()
    assert vell.line == 3


@pytest.mark.parametrize("name", ["export-csv-ps51.csv", "export-csv-unicode.csv"])
def test_export_csv_with_type_line_and_bom(name: str) -> None:
    users = users_of(READERS / name)
    assert [u.sam for u in users] == ["rostby", "tvell", "svc-backup"]
    renee, vell, service = users
    assert renee.dn == "CN=Renée Ostby,OU=Staff,DC=fabrikam,DC=example"
    assert renee.text("objectGUID") == "6f1c2a9e-3b4d-4e5f-8a71-0c2d3e4f5a6b"
    assert isinstance(renee.first("objectSid"), bytes)  # from the SID column
    assert renee.text("objectSid") == "S-1-5-21-101-202-303-1601"
    assert renee.text("sn") == "Ostby"  # from Surname
    assert vell.text("enabled") == "False"
    assert service.upn is None
    # the type line is line 1, the header line 2, so the first user is line 3
    assert renee.line == 3


def test_export_csv_type_names_are_dropped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log.addHandler(caplog.handler)  # the CLI stops propagation to the root
    try:
        users = users_of(READERS / "export-csv-ps51.csv")
    finally:
        log.removeHandler(caplog.handler)
    assert all(u.values("proxyAddresses") == () for u in users)
    # one warning per column, not per row (a record may reach caplog twice)
    records = {id(r): r.getMessage() for r in caplog.records}
    assert len([w for w in records.values() if "proxyAddresses" in w]) == 1


def test_dn_column_is_required(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("Name,Title\nA,B\n", encoding="utf-8")
    with pytest.raises(InputError, match="DistinguishedName") as caught:
        users_of(path)
    assert caught.value.line == 1


def test_unterminated_quote_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('DN,sn\n"CN=a,DC=b,DC=example","open\n', encoding="utf-8")
    with pytest.raises(InputError, match="never ends") as caught:
        users_of(path)
    assert caught.value.line == 2


def test_too_few_fields_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text('DN,sn,cn\n"CN=a,DC=b,DC=example",x\n', encoding="utf-8")
    with pytest.raises(InputError, match="2 fields") as caught:
        users_of(path)
    assert caught.value.line == 2


def test_a_column_named_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text('DN,sn,SN\n"CN=a,DC=b,DC=example",x,y\n', encoding="utf-8")
    with pytest.raises(InputError, match="'SN' appears twice") as caught:
        users_of(path)
    assert caught.value.line == 1


def test_get_aduser_properties_star_keeps_the_ldap_named_column(tmp_path: Path) -> None:
    path = tmp_path / "star.csv"
    path.write_text(
        "DistinguishedName,SID,objectSid,Surname,sn\n"
        '"CN=a,DC=b,DC=example",S-1-5-21-1-2-3-500,S-1-5-21-1-2-3-501,Alias,Real\n',
        encoding="utf-8",
    )
    (user,) = users_of(path)
    assert user.text("objectSid") == "S-1-5-21-1-2-3-501"
    assert user.values("sn") == ("Real",)


def test_csvde_thumbnail_photo_of_ads_largest_size_reads(tmp_path: Path) -> None:
    # AD caps thumbnailPhoto at 100 KB; csvde writes it as 200 KB of hex.
    photo = "X'" + bytes(range(256)).hex() * 400 + "'"
    path = tmp_path / "photo.csv"
    path.write_text(
        "DN,objectClass,sAMAccountName,thumbnailPhoto\n"
        f'"CN=U0,DC=c,DC=com",user,u0,{photo}\n'
        '"CN=U1,DC=c,DC=com",user,u1,\n'
    )
    users = list(open_source(SourceSpec(str(path))).users())
    assert [u.first("samaccountname") for u in users] == ["u0", "u1"]
    assert users[0].attributes["thumbnailphoto"] == (bytes(range(256)) * 400,)
