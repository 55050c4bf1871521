"""The partner population: options, list files, suggestions; and the rule's scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_helpers import partners, user

from generator.connect.model import Configuration, Connector, MetaverseSchema, Partition
from generator.errors import InputError, UsageError
from generator.model import SourceSpec
from generator.partners import PartnerCriteria, PartnerList, SuggestionTally
from generator.readers import open_source
from generator.scope import ConnectorScope, Scope, connectors_for

PARTNER = user(
    "CN=Jane,OU=Partners,DC=contoso,DC=com",
    userPrincipalName="Jane@Partners.Contoso.COM",
    sAMAccountName="jane",
    employeeType=" Vendor ",
)
EMPLOYEE = user(
    "CN=Amy,OU=Staff,DC=contoso,DC=com",
    userPrincipalName="amy@contoso.com",
    sAMAccountName="amy",
)


def test_suffix_matches_case_insensitively() -> None:
    criteria = PartnerCriteria.from_options(
        partners(suffixes=("@partners.contoso.com",))
    )
    assert criteria.match(PARTNER) == "UPN suffix partners.contoso.com"
    assert criteria.match(EMPLOYEE) is None


def test_ou_matches_below_the_ou_but_not_a_look_alike() -> None:
    criteria = PartnerCriteria.from_options(
        partners(ous=("ou=partners, dc=contoso,dc=com",))
    )
    assert criteria.match(PARTNER)
    look_alike = user("CN=X,OU=Partners-Old,DC=contoso,DC=com")
    assert criteria.match(look_alike) is None


def test_where_compares_trimmed_and_case_folded() -> None:
    criteria = PartnerCriteria.from_options(partners(where=("employeeType=vendor",)))
    assert criteria.match(PARTNER) == "employeeType=vendor"
    assert criteria.match(EMPLOYEE) is None


def test_options_combine_as_alternatives() -> None:
    criteria = PartnerCriteria.from_options(
        partners(suffixes=("nowhere.example",), where=("employeeType=Vendor",))
    )
    assert criteria.given
    assert criteria.match(PARTNER) is not None
    assert "or" in criteria.describe()


def test_bad_where_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        PartnerCriteria.from_options(partners(where=("employeeType",)))


def test_list_matches_sam_upn_and_dn(tmp_path: Path) -> None:
    path = tmp_path / "partners.txt"
    path.write_text(
        "# partners from the contract register\n"
        "CONTOSO\\jane\n"
        "amy@CONTOSO.com\n"
        "CN=Bob,OU=Staff, DC=contoso,DC=com\n"
        "ghost\n",
        encoding="utf-8-sig",
    )
    listed = PartnerList.read(path)
    assert listed.match(PARTNER) == "on partners.txt (line 2)"
    assert listed.match(EMPLOYEE) == "on partners.txt (line 3)"
    assert listed.match(user("CN=bob,OU=staff,DC=contoso,DC=com")) is not None
    assert listed.unmatched() == [("sam:ghost", 5)]


def test_list_in_utf16_as_powershell_writes_it(tmp_path: Path) -> None:
    path = tmp_path / "partners.txt"
    path.write_text("jane\r\n", encoding="utf-16")
    assert PartnerList.read(path).match(PARTNER)


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("jane\nbad@@example\n", 2),
        ("jane\n=novalue\n", 2),
        ("jane\nx\x01y\n", 2),
        ("a\nb\nsam:with:colons\n", 3),
    ],
)
def test_broken_list_names_file_and_line(
    tmp_path: Path, content: str, line: int
) -> None:
    path = tmp_path / "list.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        PartnerList.read(path)
    assert f"list.txt:{line}:" in str(error.value)


def test_list_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(b"jane\n\xff\xfeamy\n")
    with pytest.raises(InputError) as error:
        PartnerList.read(path)
    assert "list.txt:2" in str(error.value)


def test_missing_or_empty_list_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        PartnerList.read(tmp_path / "absent.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n\n", encoding="utf-8")
    with pytest.raises(InputError):
        PartnerList.read(empty)


def test_suggestions_name_minority_suffixes_ous_and_values() -> None:
    tally = SuggestionTally()
    for n in range(6):
        tally.add(
            user(
                f"CN=e{n},OU=Staff,DC=contoso,DC=com",
                userPrincipalName=f"e{n}@contoso.com",
            )
        )
    for n in range(2):
        tally.add(
            user(
                f"CN=p{n},OU=External Vendors,DC=contoso,DC=com",
                userPrincipalName=f"p{n}@fabrikam.example",
                company="Fabrikam Contractor Services",
            )
        )
    found = {(s.kind, s.value): s for s in tally.suggestions()}
    suffix = found[("upn-suffix", "fabrikam.example")]
    assert suffix.count == 2 and suffix.option == "--partner-suffix fabrikam.example"
    assert ("upn-suffix", "contoso.com") not in found
    assert found[("ou", "OU=External Vendors,DC=contoso,DC=com")].count == 2
    assert found[("attribute", "company=Fabrikam Contractor Services")].count == 2


# --- scope ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "reason"),
    [
        ({"objectClass": ("top", "user", "computer")}, "computer account"),
        ({"objectClass": ("top", "contact")}, "not a user object"),
        ({"isCriticalSystemObject": "TRUE"}, "critical system object"),
        ({"adminDescription": "User_1234"}, "adminDescription starts with User_"),
    ],
)
def test_objects_the_rule_never_sees(attributes: dict[str, str], reason: str) -> None:
    found = Scope().reason(user("CN=x,DC=contoso,DC=com", **attributes))
    assert found is not None and found.startswith(reason)


def test_users_and_inetorgpersons_are_in_scope() -> None:
    assert Scope().reason(EMPLOYEE) is None
    inet = user(
        "CN=i,DC=contoso,DC=com", objectClass=("top", "person", "user", "inetOrgPerson")
    )
    assert Scope().reason(inet) is None
    assert (
        Scope().reason(user("CN=d,DC=contoso,DC=com", adminDescription="Group_x"))
        is None
    )


def _config(*partitions: Partition) -> Configuration:
    ad = Connector("{1}", "contoso.com", "AD", partitions=partitions)
    return Configuration((), (ad,), MetaverseSchema())


def test_connector_ou_filters_decide_by_the_most_specific_container() -> None:
    partition = Partition(
        "DC=contoso,DC=com",
        object_classes=("user", "inetOrgPerson"),
        inclusions=("DC=contoso,DC=com", "OU=Keep,OU=Drop,DC=contoso,DC=com"),
        exclusions=("OU=Drop,DC=contoso,DC=com",),
    )
    configuration = _config(partition)
    connectors = connectors_for("contoso.com", configuration)
    scope = Scope(ConnectorScope(connectors))
    assert scope.reason(EMPLOYEE) is None
    assert scope.reason(user("CN=a,OU=Drop,DC=contoso,DC=com")) == "OU not selected"
    assert scope.reason(user("CN=a,OU=Keep,OU=Drop,DC=contoso,DC=com")) is None
    other = user("CN=a,OU=Staff,DC=fabrikam,DC=com")
    assert scope.reason(other) == "outside the AD connector's partitions"


def test_connector_without_user_class_leaves_users_out() -> None:
    configuration = _config(Partition("DC=contoso,DC=com", object_classes=("group",)))
    scope = Scope(ConnectorScope(connectors_for("contoso.com", configuration)))
    assert scope.reason(EMPLOYEE) == "object type user not selected on the connector"


def test_connectors_for_matches_child_domains_and_names() -> None:
    configuration = _config(Partition("DC=emea,DC=contoso,DC=com"))
    assert connectors_for("contoso.com", configuration)
    assert not connectors_for("fabrikam.com", configuration)


def test_an_export_without_object_class_holds_users(real_inputs: Path) -> None:
    path = real_inputs / "ad-exports" / "pingone-getaduser-exportcsv.csv"
    (found,) = list(open_source(SourceSpec(str(path))).users())
    assert not found.object_classes
    assert Scope().reason(found) is None


def test_a_user_listed_twice_is_one_partner_and_a_duplicate(tmp_path: Path) -> None:
    listed = tmp_path / "p2.txt"
    listed.write_text(
        "jane\nJane@partners.contoso.com\nghost\namy\nAMY\n", encoding="utf-8"
    )
    found = PartnerList.read(listed)
    assert found.match(PARTNER) == "on p2.txt (line 1)"
    assert found.match(PARTNER) == "on p2.txt (line 1)"  # a later pass: no change
    assert found.match(EMPLOYEE) == "on p2.txt (line 4)"
    assert found.unmatched() == [("sam:ghost", 3)]
    assert found.duplicates == {
        (1, 2): "Jane@Partners.Contoso.COM",
        (4, 5): "AMY",
    }
    criteria = PartnerCriteria(lists=(found,))
    assert criteria.describe() == "listed in p2.txt (4 entries)"
