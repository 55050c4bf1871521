"""The candidate marker inventory: one pass, bounded memory."""

from __future__ import annotations

from conftest import SAMPLES

from generator.dn import parent_dn, split_dn
from generator.inventory import (
    CANDIDATE_ATTRIBUTES,
    ValueTally,
    build_inventory,
    normalized,
)
from generator.model import SourceSpec, User
from generator.readers import open_source
from generator.readers.schema_file import read_schema
from generator.schema import AttributeDef, ClassDef, Schema


def schema() -> Schema:
    found = Schema(origin="file", source="test")
    for name in ("employeeType", "company", "department"):
        found.add_attribute(AttributeDef(name, "2.5.5.12", True))
    found.add_attribute(AttributeDef("proxyAddresses", "2.5.5.12", False))
    found.add_class(ClassDef("user", may=("employeeType", "company", "department")))
    return found


def user(number: int, upn: str | None, **attributes: str | tuple[str, ...]) -> User:
    values = {
        k.lower(): v if isinstance(v, tuple) else (v,) for k, v in attributes.items()
    }
    if upn:
        values["userprincipalname"] = (upn,)
    return User(f"CN=u{number},OU=Staff,DC=x,DC=example", values, "x.example")


def test_candidates_cover_exchange_cloud_and_hr_attributes() -> None:
    assert CANDIDATE_ATTRIBUTES[:15] == tuple(
        f"extensionAttribute{i}" for i in range(1, 16)
    )
    assert "msDS-cloudExtensionAttribute20" in CANDIDATE_ATTRIBUTES
    assert {"employeeType", "company", "department"} <= set(CANDIDATE_ATTRIBUTES)


def test_counts_variants_and_junk() -> None:
    users = [
        user(1, "a@x.example", employeeType="Partner"),
        user(2, "b@X.Example", employeeType="partner"),
        user(3, "c@p.example", employeeType="Partner "),
        user(4, None, employeeType="   "),
        user(5, "e@p.example", employeeType=("Partner", "Guest")),
        user(6, "f@x.example", userAccountControl="514"),
    ]
    inventory = build_inventory(users, schema())
    employee_type = next(a for a in inventory.attributes if a.name == "employeeType")
    assert employee_type.users_with_value == 5
    assert employee_type.users_with_several_values == 1
    assert employee_type.blank_values == 1
    assert employee_type.padded_values == 1
    assert employee_type.values.top(1) == [("Partner", 2)]
    assert employee_type.variants() == [
        [("Partner", 2), ("Partner ", 1), ("partner", 1)]
    ]
    assert inventory.users == 6
    assert inventory.disabled == 1
    assert inventory.without_upn == 1
    assert inventory.mixed_case_upns == 1
    assert inventory.upn_suffixes.top(0) == [("x.example", 3), ("p.example", 2)]
    assert inventory.ous.top(0) == [("OU=Staff,DC=x,DC=example", 6)]


def test_ous_compare_without_case() -> None:
    users = [
        User("CN=a,OU=Staff,DC=x,DC=example", {}),
        User("CN=b,ou=STAFF,dc=X,dc=Example", {}),
        User("CN=c,OU=Partners,DC=x,DC=example", {}),
    ]
    inventory = build_inventory(users, schema())
    assert inventory.ous.top(0) == [
        ("OU=Staff,DC=x,DC=example", 2),
        ("OU=Partners,DC=x,DC=example", 1),
    ]


def test_extra_attribute_and_schema_verdicts() -> None:
    inventory = build_inventory([], schema(), extra=["proxyAddresses", "EMPLOYEETYPE"])
    names = [a.name for a in inventory.attributes]
    assert names.count("employeeType") == 1
    proxy = inventory.attributes[-1]
    assert proxy.name == "proxyAddresses"
    assert proxy.schema_verdict == "multi-valued, not allowed on user"
    extension = inventory.attributes[0]
    assert not extension.in_schema and extension.schema_verdict == "not in schema"


def test_distinct_values_are_capped_and_say_so() -> None:
    tally = ValueTally(cap=3)
    for value in ["a", "b", "a", "c", "d", "e", "a"]:
        tally.add(value)
    assert tally.counts == {"a": 3, "b": 1, "c": 1}
    assert not tally.exact
    assert tally.distinct_text() == "at least 4"
    assert tally.to_json(2)["distinct_exact"] is False


def test_inventory_memory_does_not_grow_with_users() -> None:
    def many() -> object:
        for number in range(20_000):
            yield user(number, f"u{number}@x.example", department=f"D{number}")

    inventory = build_inventory(many(), schema())  # type: ignore[arg-type]
    department = next(a for a in inventory.attributes if a.name == "department")
    assert inventory.users == 20_000
    assert len(department.values.counts) == department.values.cap
    assert department.values.untracked == 20_000 - department.values.cap


def test_normalized_folds_case_and_white_space() -> None:
    assert normalized("  Partner\tAccount ") == normalized("partner account")


def test_sample_inventory_matches_how_it_was_made() -> None:
    spec = SourceSpec(str(SAMPLES / "alderbrook-users.ldf"))
    inventory = build_inventory(
        open_source(spec).users(), read_schema(SAMPLES / "alderbrook-schema.ldf")
    )
    assert inventory.users == 311
    suffixes = dict(inventory.upn_suffixes.top(0))
    assert suffixes == {
        "alderbrook.example": 242,
        "partners.alderbrook.example": 34,
        "contractors.alderbrook.example": 20,
    }
    assert inventory.without_upn == 15  # 12 service accounts, 3 built-in
    assert inventory.mixed_case_upns > 0
    assert 0 < inventory.disabled < 20
    ext1 = inventory.attributes[0]
    assert ext1.users_with_value > 200  # the spare attribute already in use


def test_split_dn_keeps_escapes() -> None:
    assert split_dn("CN=Smith\\, John , OU=Staff,DC=x") == [
        "CN=Smith\\, John",
        "OU=Staff",
        "DC=x",
    ]
    assert split_dn("CN=n,OU=\\ ,DC=x") == ["CN=n", "OU=\\ ", "DC=x"]
    assert split_dn("CN=a\\\\ ,DC=x") == ["CN=a\\\\", "DC=x"]  # an escaped backslash
    assert parent_dn("CN=n,OU=\\ ,DC=x") == "OU=\\ ,DC=x"


def test_unreadable_attributes_are_unknown_not_empty() -> None:
    inventory = build_inventory(
        [user(1, "a@x.example", company="Kestrel")], schema(), extra=["proxyAddresses"]
    )
    inventory.mark_unreadable({"EMPLOYEETYPE", "department", "notACandidate"})
    by_name = {a.name: a for a in inventory.attributes}
    assert by_name["employeeType"].unreadable == "not readable through the GC"
    assert by_name["department"].unreadable == "not readable through the GC"
    assert by_name["company"].unreadable is None
    shown = by_name["employeeType"].to_json(3)
    assert (shown["readable"], shown["users_with_value"], shown["values"]) == (
        False,
        None,
        None,
    )
    assert by_name["company"].to_json(3)["users_with_value"] == 1
