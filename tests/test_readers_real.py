"""Every real export in ../shared/real-inputs/ad-exports/ reads without error."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.model import SourceSpec
from generator.readers import load_schema, open_source
from generator.readers.schema_file import read_schema


@pytest.fixture(scope="module")
def exports(real_inputs: Path) -> Path:
    return real_inputs / "ad-exports"


def test_ldapsearch_users(exports: Path) -> None:
    source = open_source(SourceSpec(str(exports / "ldapsearch-samba-users.ldif")))
    users = list(source.users())
    assert len(users) == 304
    assert source.forest == "contoso.test"
    first = users[0]
    assert first.dn == "CN=u000191,OU=Staff,DC=contoso,DC=test"
    assert first.text("objectGUID") == "3a73b700-7fa8-4333-aa12-ea656197a06d"
    assert first.text("objectSid") == ("S-1-5-21-3728459069-1746567087-1726737793-1293")
    assert isinstance(first.first("mS-DS-ConsistencyGuid"), bytes)
    partners = [u for u in users if (u.upn or "").endswith("@partners.contoso.test")]
    assert len(partners) == 30
    assert {u.text("extensionAttribute5") for u in partners} == {"B2B-Partner"}


def test_ldapdomaindump_users_match_the_ldapsearch_export(exports: Path) -> None:
    dump = open_source(
        SourceSpec(str(exports / "ldapdomaindump-samba-domain_users.json"))
    )
    ldif = open_source(SourceSpec(str(exports / "ldapsearch-samba-users.ldif")))
    dumped = {u.dn: u for u in dump.users()}
    assert len(dumped) == 304
    for user in ldif.users():
        twin = dumped[user.dn]
        assert twin.first("objectGUID") == user.first("objectGUID")
        assert twin.first("objectSid") == user.first("objectSid")
        assert twin.upn == user.upn
        assert twin.text("employeeType") == user.text("employeeType")


def test_export_csv_from_powershell_7(exports: Path) -> None:
    source = open_source(SourceSpec(str(exports / "pingone-getaduser-exportcsv.csv")))
    (user,) = source.users()
    assert user.dn == "CN=sample-user,OU=Users,DC=sample-domain,DC=com"
    assert user.text("objectGUID") == "e0c12033-f50b-42c8-8ccb-deb866e9b12a"
    assert isinstance(user.first("objectGUID"), bytes)
    assert user.text("objectSid") == "S-1-5-21-2099920240-292953343-169542040-23290"
    assert user.values("mail") == ()  # PowerShell 7's unquoted empty null
    assert user.upn == "sample-user@sample-domain.com"
    assert source.forest == "sample-domain.com"


def test_samba_schema_export_feeds_the_schema_model(exports: Path) -> None:
    schema = read_schema(exports / "ldapsearch-samba-schema.ldif")
    assert len(schema.attributes) == 1488
    assert len(schema.classes) == 265
    for number in (1, 15):
        name = f"extensionAttribute{number}"
        assert schema.verdict(name) == "single-valued string on user"
    cloud = schema.attribute("msDS-cloudExtensionAttribute7")
    assert cloud is not None and cloud.in_partial_attribute_set
    assert schema.allowed_on("msDS-cloudExtensionAttribute7")  # via the aux class
    assert schema.verdict("proxyAddresses") == "multi-valued"
    assert schema.verdict("mS-DS-ConsistencyGuid") == "not a string"
    assert not schema.has("msDS-ExternalDirectoryObjectId")


def test_schema_option_wins_over_the_bundled_default(exports: Path) -> None:
    spec = SourceSpec(
        str(exports / "ldapsearch-samba-users.ldif"),
        schema=str(exports / "ldapsearch-samba-schema.ldif"),
    )
    assert load_schema(spec).origin == "file"
