"""One small input per validation finding; exit codes of `validate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from analysis_helpers import NO_CONFIG, partners, person, sources, write_ldif
from conftest import REAL_INPUTS, SAMPLES, run_cli

from generator import validate as v
from generator.analysis import Analysis, analyse
from generator.commands.options import Config
from generator.connect.model import (
    AttributeFlow,
    Configuration,
    Connector,
    Direction,
    MetaverseSchema,
    Partition,
    SyncRule,
)
from generator.errors import UsageError
from generator.schema import AttributeDef, ClassDef, Schema
from generator.strategies import parse_marker

PARTNER_SUFFIX = ("partners.contoso.com",)


def ids(analysis: Analysis) -> dict[str, str]:
    return {f.id: f.severity for f in analysis.findings}


def directory(tmp_path: Path, *entries: dict[str, object]) -> Path:
    return write_ldif(tmp_path / "users.ldf", list(entries))


def run(
    tmp_path: Path,
    marker: str | None,
    *entries: dict[str, object],
    **who: tuple[str, ...],
) -> Analysis:
    return analyse(
        sources(directory(tmp_path, *entries)), partners(**who), NO_CONFIG, marker
    )


STAFF = [person("amy"), person("bob"), person("cat", upn=None)]
PARTNERS = [
    person("jane", upn="jane@partners.contoso.com", ou="OU=Partners"),
    person("joe", upn="JOE@PARTNERS.CONTOSO.COM", ou="OU=Partners"),
]


def test_no_partner_population_is_a_blocker_with_suggestions(tmp_path: Path) -> None:
    analysis = run(tmp_path, "upn-suffix:partners.contoso.com", *STAFF, *PARTNERS)
    assert ids(analysis)[v.PARTNERS_NOT_GIVEN] == "blocker"
    assert analysis.blocked
    assert any(s.value == "partners.contoso.com" for s in analysis.partners.suggestions)


def test_population_matching_nobody(tmp_path: Path) -> None:
    analysis = run(
        tmp_path,
        "upn-suffix:partners.contoso.com",
        *STAFF,
        suffixes=("nobody.example",),
    )
    assert ids(analysis)[v.PARTNERS_NONE_FOUND] == "blocker"


def test_list_entries_matching_nobody(tmp_path: Path) -> None:
    listed = tmp_path / "list.txt"
    listed.write_text("jane\nghost\n", encoding="utf-8")
    analysis = run(
        tmp_path, "upn-suffix:partners.contoso.com", *STAFF, *PARTNERS, lists=(listed,)
    )
    found = next(f for f in analysis.findings if f.id == v.PARTNER_LIST_UNMATCHED)
    assert found.severity == "warning" and found.examples == ("line 2: ghost",)


def test_inetorgperson_partners_are_reported(tmp_path: Path) -> None:
    inet = person(
        "ina",
        upn="ina@partners.contoso.com",
        classes=("top", "person", "organizationalPerson", "user", "inetOrgPerson"),
    )
    analysis = run(tmp_path, None, *STAFF, *PARTNERS, inet, suffixes=PARTNER_SUFFIX)
    assert ids(analysis)[v.PARTNERS_INETORGPERSON] == "info"
    assert analysis.forests[0].partner_classes == {"inetOrgPerson": 1, "user": 2}


def _schema() -> Schema:
    schema = Schema("file", "test")
    schema.add_attribute(AttributeDef("fine", "2.5.5.12", True))
    schema.add_attribute(AttributeDef("multi", "2.5.5.12", False))
    schema.add_attribute(AttributeDef("number", "2.5.5.9", True))
    schema.add_attribute(AttributeDef("stray", "2.5.5.12", True))
    schema.add_class(ClassDef("user", may=("fine", "multi", "number")))
    return schema


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [
        ("absent", v.SCHEMA_MISSING),
        ("multi", v.SCHEMA_MULTIVALUED),
        ("number", v.SCHEMA_NOT_STRING),
        ("stray", v.SCHEMA_NOT_ON_USER),
    ],
)
def test_schema_unfit_markers(attribute: str, expected: str) -> None:
    marker = parse_marker(f"designate:{attribute}")
    found = v.schema_findings("contoso.com", _schema(), marker)
    assert [(f.id, f.severity) for f in found] == [(expected, "blocker")]
    assert (
        v.schema_findings("contoso.com", _schema(), parse_marker("designate:fine"))
        == []
    )


def test_bundled_schema_is_said(tmp_path: Path) -> None:
    analysis = run(
        tmp_path,
        "designate:extensionAttribute1",
        *STAFF,
        *PARTNERS,
        suffixes=PARTNER_SUFFIX,
    )
    assert v.SCHEMA_BUNDLED in ids(analysis)
    # the bundled AD schema has no Exchange attributes
    assert ids(analysis)[v.SCHEMA_MISSING] == "blocker"


def test_designated_attribute_with_junk_and_variants(tmp_path: Path) -> None:
    entries = [
        person("a1", **{"msDS-cloudExtensionAttribute3": "guest"}),
        person("a2", **{"msDS-cloudExtensionAttribute3": "MEMBER"}),
        person("a3", **{"msDS-cloudExtensionAttribute3": "X-PROJ-22"}),
        *PARTNERS,
    ]
    analysis = run(
        tmp_path,
        "designate:msDS-cloudExtensionAttribute3",
        *entries,
        suffixes=PARTNER_SUFFIX,
    )
    junk = next(f for f in analysis.findings if f.id == v.MARKER_JUNK)
    assert junk.severity == "blocker" and "'X-PROJ-22' (1)" in junk.detail
    variants = next(f for f in analysis.findings if f.id == v.MARKER_VARIANTS)
    assert variants.count == 2 and "'guest' (1)" in variants.detail


def test_marker_that_differs_from_the_population(tmp_path: Path) -> None:
    entries = [
        *STAFF,
        *PARTNERS,
        person("pat", upn="pat@contoso.com", ou="OU=Partners"),  # partner, other UPN
        person("sue", upn="sue@partners.contoso.com"),  # employee with partner UPN
    ]
    analysis = run(
        tmp_path,
        "upn-suffix:partners.contoso.com",
        *entries,
        ous=("OU=Partners,DC=contoso,DC=com",),
    )
    found = {f.id: f for f in analysis.findings}
    assert found[v.MARKER_EMPLOYEES_GUEST].severity == "blocker"
    assert found[v.MARKER_EMPLOYEES_GUEST].examples == ("sue@partners.contoso.com",)
    assert found[v.MARKER_PARTNERS_MISSED].severity == "warning"
    assert found[v.MARKER_PARTNERS_MISSED].examples == ("pat@contoso.com",)


def test_values_other_than_guest_or_member(tmp_path: Path) -> None:
    rule = tmp_path / "rule.txt"
    rule.write_text('IIF([department]="Vendors","guest",NULL)', encoding="utf-8")
    entries = [
        *STAFF,
        person("ven", upn="v@partners.contoso.com", department="Vendors"),
    ]
    analysis = run(tmp_path, f"expression:@{rule}", *entries, suffixes=PARTNER_SUFFIX)
    invalid = next(f for f in analysis.findings if f.id == v.MARKER_INVALID_VALUE)
    assert invalid.severity == "blocker" and invalid.count == 4
    assert any("'guest'" in e for e in invalid.examples)
    assert any(e.endswith(": null") for e in invalid.examples)


def test_lint_of_an_admin_expression(tmp_path: Path) -> None:
    rule = tmp_path / "rule.txt"
    rule.write_text(
        'IIF(InStr(LCase([userPrincipalName]),"@partners.contoso.com")>0,'
        '"Guest","Member")',
        encoding="utf-8",
    )
    analysis = run(
        tmp_path, f"expression:@{rule}", *STAFF, *PARTNERS, suffixes=PARTNER_SUFFIX
    )
    lint = [f for f in analysis.findings if f.id == v.EXPRESSION_LINT]
    assert lint and lint[0].severity == "blocker" and "InStr" in lint[0].title


def test_partners_and_users_without_the_source_value(tmp_path: Path) -> None:
    entries = [*STAFF, *PARTNERS, person("nou", upn=None, ou="OU=Partners")]
    analysis = run(
        tmp_path,
        "upn-suffix:partners.contoso.com",
        *entries,
        ous=("OU=Partners,DC=contoso,DC=com",),
    )
    found = {f.id: f for f in analysis.findings}
    assert found[v.MARKER_PARTNERS_NO_VALUE].examples == ("nou",)
    assert found[v.MARKER_USERS_NO_VALUE].severity == "info"
    assert found[v.MARKER_USERS_NO_VALUE].count == 2


def test_no_configuration_is_said(tmp_path: Path) -> None:
    analysis = run(tmp_path, None, *STAFF, *PARTNERS, suffixes=PARTNER_SUFFIX)
    assert ids(analysis)[v.CONFIG_NOT_GIVEN] == "info"


# --- configuration findings on small hand-made configurations ---------------------


def _rule(name: str, precedence: int, *flows: AttributeFlow, tag: str = "") -> SyncRule:
    return SyncRule(
        id=f"{{{precedence:08d}-0000-0000-0000-000000000000}}",
        name=name,
        direction=Direction.INBOUND,
        connector="{ad}",
        source_object_type="user",
        target_object_type="person",
        precedence=precedence,
        immutable_tag=tag,
        flows=flows,
    )


def _configuration(
    *rules: SyncRule,
    ad_selects: tuple[str, ...] = ("userPrincipalName",),
    entra_selects: tuple[str, ...] = ("userType",),
    metaverse: bool = True,
) -> Configuration:
    ad = Connector(
        "{ad}",
        "contoso.com",
        "AD",
        partitions=(Partition("DC=contoso,DC=com"),),
        attribute_inclusions=ad_selects,
    )
    entra = Connector(
        "{aad}",
        "contoso.onmicrosoft.com - AAD",
        "Extensible2",
        subtype="Windows Azure Active Directory (Microsoft)",
        attribute_inclusions=entra_selects,
        schema={"user": ("userType",) if metaverse else ()},
    )
    person_attrs = ("userType",) if metaverse else ("displayName",)
    return Configuration(rules, (ad, entra), MetaverseSchema({"person": person_attrs}))


def _config_ids(
    configuration: Configuration, spec: str, **kw: object
) -> dict[str, str]:
    found = v.config_findings(
        configuration,
        parse_marker(spec),
        kw.get("uncovered", ()),  # type: ignore[arg-type]
        kw.get("precedence"),  # type: ignore[arg-type]
        2,
    )
    return {f.id: f.severity for f in found}


def test_designated_marker_read_by_rules() -> None:
    custom = _rule("HR flow", 50, AttributeFlow.direct("info", "extensionAttribute7"))
    oob = _rule(
        "In from AD - User Exchange",
        110,
        AttributeFlow.direct("extensionAttribute7", "extensionAttribute7"),
        tag="Microsoft.InfromADUserExchange.003",
    )
    spec = "designate:extensionAttribute7"
    assert (
        _config_ids(_configuration(custom, oob), spec)[v.CONFIG_MARKER_READ]
        == "blocker"
    )
    assert _config_ids(_configuration(oob), spec)[v.CONFIG_MARKER_READ] == "warning"
    derived = "attribute:extensionAttribute7=Partner"
    assert _config_ids(_configuration(custom), derived)[v.CONFIG_MARKER_READ] == "info"


def test_user_type_already_written() -> None:
    old = _rule(
        "In from AD - User UserType (old)",
        40,
        AttributeFlow.from_expression("userType", '"Member"'),
    )
    found = _config_ids(_configuration(old), "upn-suffix:partners.contoso.com")
    assert found[v.CONFIG_USERTYPE_CONTRIBUTED] == "blocker"


def test_requested_precedence_taken_or_out_of_range() -> None:
    configuration = _configuration(_rule("Custom", 50))
    spec = "upn-suffix:partners.contoso.com"
    assert _config_ids(configuration, spec, precedence=50)[v.CONFIG_PRECEDENCE_TAKEN]
    assert v.precedence_findings(100)[0].id == v.CONFIG_PRECEDENCE_RANGE
    assert v.precedence_findings(0) and not v.precedence_findings(99)
    assert v.CONFIG_PRECEDENCE_TAKEN not in _config_ids(
        configuration, spec, precedence=51
    )


def test_no_free_precedence() -> None:
    rules = [_rule(f"r{p}", p) for p in range(1, 99)]
    found = _config_ids(_configuration(*rules), "upn-suffix:partners.contoso.com")
    assert found[v.CONFIG_NO_FREE_PRECEDENCE] == "blocker"


def test_attribute_selections_missing() -> None:
    configuration = _configuration(ad_selects=("userPrincipalName",), entra_selects=())
    found = _config_ids(configuration, "designate:extensionAttribute7")
    assert found[v.CONFIG_AD_ATTRIBUTE_NOT_SELECTED] == "warning"
    assert found[v.CONFIG_ENTRA_USERTYPE_NOT_SELECTED] == "warning"


def test_configuration_without_user_type() -> None:
    found = _config_ids(
        _configuration(metaverse=False, entra_selects=()),
        "upn-suffix:partners.contoso.com",
    )
    assert found[v.CONFIG_NO_USERTYPE] == "blocker"


def test_configuration_without_entra_connector_or_ad_connector() -> None:
    configuration = _configuration()
    alone = Configuration((), configuration.connectors[:1], configuration.metaverse)
    assert _config_ids(alone, "ou:OU=P,DC=contoso,DC=com")[v.CONFIG_NO_ENTRA_CONNECTOR]
    found = _config_ids(configuration, "ou:OU=P,DC=x", uncovered=("fabrikam.com",))
    assert found[v.CONFIG_NO_AD_CONNECTOR] == "warning"


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.1.380.0", v.CONNECT_BEFORE_USERTYPE),
        ("1.4.38.0", v.CONNECT_BEFORE_CHANGES),
        ("2.3.20.0", None),
    ],
)
def test_connect_versions(version: str, expected: str | None) -> None:
    found = [f.id for f in v.version_findings(version)]
    assert found == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("version", "older"),
    [("1.5.30", False), ("1.5.30.0", False), ("1.5.29.9", True), ("1.5", True)],
)
def test_short_versions_compare_as_if_padded(version: str, older: bool) -> None:
    from generator.bundle.build import needs_conversion  # noqa: PLC0415

    assert needs_conversion(version) is older
    changes = v.CONNECT_BEFORE_CHANGES in [f.id for f in v.version_findings(version)]
    assert changes is older


def test_bad_connect_version_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        v.parse_version("2.x")


# --- the command ------------------------------------------------------------------


def test_validate_exits_3_on_a_blocker_and_0_without(tmp_path: Path) -> None:
    path = directory(tmp_path, *STAFF, *PARTNERS)
    common = [
        "validate",
        "--source",
        str(path),
        "--marker",
        "upn-suffix:partners.contoso.com",
    ]
    blocked = run_cli(*common, "--json")
    assert blocked.code == 3, blocked.stderr
    assert '"ERG-PARTNERS-NOT-GIVEN"' in blocked.stdout
    clean = run_cli(*common, "--partner-suffix", "partners.contoso.com", "--json")
    assert clean.code == 0, clean.stdout + clean.stderr
    document = json.loads(clean.stdout)
    assert document["schema_version"] == 1 and not document["blocked"]
    assert {f["id"] for f in document["findings"]} == {
        "ERG-SCHEMA-BUNDLED",
        "ERG-MARKER-USERS-NO-VALUE",
        "ERG-CONFIG-NOT-GIVEN",
    }


def test_validate_against_the_real_configuration_export(tmp_path: Path) -> None:
    folder = REAL_INPUTS / "aadconnect-config" / "contoso-pilot"
    path = directory(tmp_path, *STAFF, *PARTNERS)
    analysis = analyse(
        sources(path),
        partners(suffixes=PARTNER_SUFFIX),
        Config(connect_config=folder),
        "designate:extensionAttribute7",
        precedence=50,
    )
    found = ids(analysis)
    assert analysis.configuration is not None and analysis.entra_connector is not None
    # out-of-box rules flow extensionAttribute1..15 to Entra ID
    assert found[v.CONFIG_MARKER_READ] == "warning"
    # the export was written by Connect 1.1.130.0: no userType anywhere yet
    assert found[v.CONFIG_NO_USERTYPE] == "blocker"
    assert v.CONFIG_ENTRA_USERTYPE_NOT_SELECTED not in found
    assert analysis.free_precedences[0] >= 1


def test_two_sources_of_one_forest_are_a_usage_error(tmp_path: Path) -> None:
    first = write_ldif(tmp_path / "a.ldf", STAFF)
    second = write_ldif(tmp_path / "b.ldf", PARTNERS)
    with pytest.raises(UsageError, match="--forest"):
        analyse(sources(first, second), partners(), NO_CONFIG, None)


def test_partners_the_rule_does_not_see(tmp_path: Path) -> None:
    written_back = person(
        "wb", upn="wb@partners.contoso.com", adminDescription="User_0a1b2c"
    )
    analysis = run(
        tmp_path, None, *STAFF, *PARTNERS, written_back, suffixes=PARTNER_SUFFIX
    )
    found = next(f for f in analysis.findings if f.id == v.PARTNERS_OUT_OF_SCOPE)
    assert found.severity == "warning" and found.count == 1
    assert found.examples[0].startswith("wb@partners.contoso.com (adminDescription")
    assert analysis.partners.count == 2


# --- designated attributes that must not be stamped -------------------------------


@pytest.mark.parametrize(
    "attribute",
    ["userPrincipalName", "sAMAccountName", "mail", "displayName", "employeeNumber"],
)
def test_identity_attributes_are_refused_as_designated_markers(
    tmp_path: Path, attribute: str
) -> None:
    analysis = run(
        tmp_path, f"designate:{attribute}", *STAFF, *PARTNERS, suffixes=PARTNER_SUFFIX
    )
    found = next(f for f in analysis.findings if f.id == v.MARKER_PROTECTED)
    assert found.severity == "blocker" and attribute in found.title
    assert analysis.blocked


def test_any_designated_attribute_holding_other_values_is_blocked(
    tmp_path: Path,
) -> None:
    office = "physicalDeliveryOfficeName"  # not one of the inventory's candidates
    entries = [
        person("amy", **{office: "Leeds"}),
        person("bob", **{office: "Leeds"}),
        person("cat", **{office: " guest "}),
        person("dan", **{office: "York"}),
        *PARTNERS,
    ]
    analysis = run(tmp_path, f"designate:{office}", *entries, suffixes=PARTNER_SUFFIX)
    junk = next(f for f in analysis.findings if f.id == v.MARKER_JUNK)
    assert junk.severity == "blocker" and junk.count == 3
    assert "'Leeds' (2) held by amy@contoso.com, bob@contoso.com" in junk.detail
    assert "'York' (1) held by dan@contoso.com" in junk.detail
    assert junk.examples == ("amy@contoso.com", "bob@contoso.com", "dan@contoso.com")
    variants = next(f for f in analysis.findings if f.id == v.MARKER_VARIANTS)
    assert variants.count == 1 and "'guest' (1) held by cat@contoso.com" in (
        variants.detail
    )
    assert v.MARKER_PROTECTED not in ids(analysis)


def test_generate_refuses_to_stamp_the_upn(tmp_path: Path) -> None:
    path = directory(tmp_path, *STAFF, *PARTNERS)
    result = run_cli(
        "generate",
        "--source",
        str(path),
        "--partner-suffix",
        "partners.contoso.com",
        "--marker",
        "designate:userPrincipalName",
        "--out",
        str(tmp_path / "bundle"),
    )
    assert result.code == 3, result.stdout + result.stderr
    assert "ERG-MARKER-PROTECTED" in result.stdout
    assert not (tmp_path / "bundle").exists()


# --- markers that do nothing for the partners ---------------------------------------


def test_a_marker_that_makes_no_partner_guest_is_a_blocker(tmp_path: Path) -> None:
    analysis = run(
        tmp_path,
        "upn-suffix:nobody.example",
        *STAFF,
        *PARTNERS,
        suffixes=PARTNER_SUFFIX,
    )
    found = {f.id: f for f in analysis.findings}
    assert found[v.MARKER_NO_PARTNER_GUEST].severity == "blocker"
    assert found[v.MARKER_NO_PARTNER_GUEST].count == 2
    assert v.MARKER_PARTNERS_MISSED not in found
    path = directory(tmp_path, *STAFF, *PARTNERS)
    result = run_cli(
        "generate",
        "--source",
        str(path),
        "--partner-suffix",
        "partners.contoso.com",
        "--marker",
        "upn-suffix:nobody.example",
        "--out",
        str(tmp_path / "bundle"),
    )
    assert result.code == 3 and "ERG-MARKER-NO-PARTNER-GUEST" in result.stdout
    assert not (tmp_path / "bundle").exists()


@pytest.mark.parametrize(
    ("attribute", "blocked"), [("department", False), ("departmentCode", True)]
)
def test_an_expression_reading_a_missing_attribute_is_a_blocker(
    tmp_path: Path, attribute: str, blocked: bool
) -> None:
    rule = tmp_path / "rule.txt"
    rule.write_text(
        f'IIF(IsPresent([{attribute}]),IIF(LCase(Trim([{attribute}]))="vendors",'
        '"Guest","Member"),"Member")',
        encoding="utf-8",
    )
    entries = [
        *STAFF,
        person("ven", upn="v@partners.contoso.com", department="Vendors"),
    ]
    analysis = run(tmp_path, f"expression:@{rule}", *entries, suffixes=PARTNER_SUFFIX)
    missing = [f for f in analysis.findings if f.id == v.SCHEMA_MISSING]
    assert bool(missing) is blocked
    if blocked:
        assert missing[0].severity == "blocker" and attribute in missing[0].title


def test_findings_name_the_forest_they_concern(tmp_path: Path) -> None:
    """Two forests, each with its own schema: a finding of one names that one."""
    contoso = directory(tmp_path, *STAFF, *PARTNERS)  # no --schema: bundled one
    result = run_cli(
        "validate",
        "--source", str(SAMPLES / "alderbrook-users.ldf"),
        "--schema", str(SAMPLES / "alderbrook-schema.ldf"),
        "--source", str(contoso),
        "--partner-suffix", "partners.alderbrook.example",
        "--partner-suffix", "partners.contoso.com",
        "--marker", "designate:extensionAttribute9", "--json",
    )  # fmt: skip
    assert result.code == 3, result.stderr
    document = json.loads(result.stdout)
    forests = {f["id"]: f["forest"] for f in document["findings"]}
    assert forests[v.SCHEMA_MISSING] == "contoso.com"  # Exchange's: not in bundled
    assert forests[v.SCHEMA_BUNDLED] == "contoso.com"
    assert [f["forest"] for f in document["findings"]].count("alderbrook.example") == 0
    assert [f["name"] for f in document["forests"]] == [
        "alderbrook.example",
        "contoso.com",
    ]
    preview = {p["forest"]: (p["guest"], p["member"]) for p in document["preview"]}
    assert preview["contoso.com"] == (2, 3)  # stamped: partners Guest, staff Member
    assert set(preview) == {"alderbrook.example", "contoso.com"}


# --- what the source cannot show (CSV columns, GC reads, cut exports) -------------

SYSTEM = [
    person("krbtgt", upn=None, ou="CN=Users"),
    person("Administrator", upn=None, ou="CN=Users"),
]


def _csv(path: Path, header: str, entries: list[dict[str, object]]) -> Path:
    """A CSV export holding only ``header``'s columns of ``entries``."""
    columns = header.split(",")
    rows = [header]
    for entry in entries:
        cells = []
        for column in columns:
            value = entry.get("dn" if column == "DN" else column, "")
            text = ";".join(value) if isinstance(value, tuple) else str(value)
            cells.append(f'"{text}"')
        rows.append(",".join(cells))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


NARROW = "DN,objectClass,sAMAccountName,userPrincipalName"


def _narrow(tmp_path: Path, marker: str) -> Analysis:
    entries = [*STAFF, *PARTNERS, *SYSTEM]
    path = _csv(tmp_path / "narrow.csv", NARROW, entries)
    return analyse(sources(path), partners(suffixes=PARTNER_SUFFIX), NO_CONFIG, marker)


def test_designating_a_column_the_csv_lacks_is_a_blocker(tmp_path: Path) -> None:
    analysis = _narrow(tmp_path, "designate:extensionAttribute1")
    found = {f.id: f for f in analysis.findings}
    unknown = found[v.MARKER_VALUES_UNKNOWN]
    assert unknown.severity == "blocker"
    assert "extensionAttribute1 is not a column of the CSV export" in unknown.title
    system = found[v.SOURCE_SYSTEM_ACCOUNTS]
    assert system.severity == "blocker"  # the stamping scripts would write them
    assert set(system.examples) == {"krbtgt", "Administrator"}
    scope = found[v.SOURCE_SCOPE_UNKNOWN]
    assert scope.severity == "warning"
    assert "isCriticalSystemObject, adminDescription" in scope.title
    assert "objectClass" not in scope.title.split(":")[0]


def test_designate_is_blocked_without_the_column_even_if_no_name_is_known(
    tmp_path: Path,
) -> None:
    """A renamed Administrator and a krbtgt left out of the export do not help:
    without isCriticalSystemObject no one can tell system objects apart."""
    renamed = [person("itadmin", upn=None, ou="CN=Users")]
    path = _csv(tmp_path / "renamed.csv", NARROW, [*STAFF, *PARTNERS, *renamed])
    marker = "designate:extensionAttribute1"
    designate = analyse(
        sources(path), partners(suffixes=PARTNER_SUFFIX), NO_CONFIG, marker
    )
    system = next(f for f in designate.findings if f.id == v.SOURCE_SYSTEM_ACCOUNTS)
    assert system.severity == "blocker"
    assert "cannot be told apart" in system.title and not system.examples
    derived = analyse(
        sources(path), partners(suffixes=PARTNER_SUFFIX), NO_CONFIG,
        "upn-suffix:partners.contoso.com",
    )  # fmt: skip
    assert v.SOURCE_SYSTEM_ACCOUNTS not in ids(derived)  # the scope warning says it


def test_a_derived_marker_on_a_narrow_csv_warns(tmp_path: Path) -> None:
    analysis = _narrow(tmp_path, "upn-suffix:partners.contoso.com")
    found = ids(analysis)
    assert found[v.SOURCE_SYSTEM_ACCOUNTS] == "warning"
    assert found[v.SOURCE_SCOPE_UNKNOWN] == "warning"
    assert v.MARKER_VALUES_UNKNOWN not in found
    assert not analysis.blocked
    # the ranking shows the same blockers for the designate candidate
    designate = next(
        c for c in analysis.ranking.candidates if c.marker.strategy == "designate"
    )
    assert any("not a column of the CSV export" in b for b in designate.blockers)


def test_a_csv_with_the_scope_columns_raises_nothing(tmp_path: Path) -> None:
    whole = [dict(e, isCriticalSystemObject="TRUE") for e in SYSTEM]
    entries = [*STAFF, *PARTNERS, *whole]
    header = f"{NARROW},isCriticalSystemObject,adminDescription,extensionAttribute1"
    path = _csv(tmp_path / "wide.csv", header, entries)
    analysis = analyse(
        sources(path),
        partners(suffixes=PARTNER_SUFFIX),
        NO_CONFIG,
        "designate:extensionAttribute1",
    )
    found = ids(analysis)
    for finding in (
        v.MARKER_VALUES_UNKNOWN,
        v.SOURCE_SCOPE_UNKNOWN,
        v.SOURCE_SYSTEM_ACCOUNTS,
    ):
        assert finding not in found
    assert analysis.forests[0].in_scope == 5


def test_an_ldif_cut_without_is_critical_system_object(tmp_path: Path) -> None:
    """No entry carries isCriticalSystemObject, yet krbtgt is there: cut (-l)."""
    cut = run(
        tmp_path,
        "designate:msDS-cloudExtensionAttribute1",
        *STAFF,
        *PARTNERS,
        *SYSTEM,
        suffixes=PARTNER_SUFFIX,
    )
    system = next(f for f in cut.findings if f.id == v.SOURCE_SYSTEM_ACCOUNTS)
    assert system.severity == "blocker"
    assert "no entry of the export carries isCriticalSystemObject" in system.detail
    assert v.SOURCE_SCOPE_UNKNOWN not in ids(cut)  # LDIF: absent means empty
    whole = [dict(e, isCriticalSystemObject="TRUE") for e in SYSTEM]
    full = run(
        tmp_path,
        "designate:msDS-cloudExtensionAttribute1",
        *STAFF,
        *PARTNERS,
        *whole,
        suffixes=PARTNER_SUFFIX,
    )
    assert v.SOURCE_SYSTEM_ACCOUNTS not in ids(full)
    assert not full.blocked


def test_designating_what_a_gc_snapshot_could_not_read(tmp_path: Path) -> None:
    from generator.readers import open_source  # noqa: PLC0415
    from generator.readers.snapshot import write_snapshot  # noqa: PLC0415

    ldif = directory(tmp_path, *STAFF, *PARTNERS)
    users = list(open_source(sources(ldif).specs[0]).users())
    snapshot = tmp_path / "gc.json"
    write_snapshot(
        snapshot,
        source="ldaps://dc1",
        forest="contoso.com",
        base_dn="DC=contoso,DC=com",
        schema=None,
        users=users,
        unreadable=("msds-cloudextensionattribute1",),
    )
    analysis = analyse(
        sources(snapshot),
        partners(suffixes=PARTNER_SUFFIX),
        NO_CONFIG,
        "designate:msDS-cloudExtensionAttribute1",
    )
    unknown = next(f for f in analysis.findings if f.id == v.MARKER_VALUES_UNKNOWN)
    assert unknown.severity == "blocker"
    assert "not readable through the Global Catalog" in unknown.title
    other = analyse(
        sources(snapshot),
        partners(suffixes=PARTNER_SUFFIX),
        NO_CONFIG,
        "designate:msDS-cloudExtensionAttribute2",
    )
    assert v.MARKER_VALUES_UNKNOWN not in ids(other)


def test_a_definition_making_most_users_partners_warns(tmp_path: Path) -> None:
    broad = run(
        tmp_path,
        "upn-suffix:contoso.com,partners.contoso.com",
        *STAFF,
        *PARTNERS,
        suffixes=("contoso.com", "partners.contoso.com"),
    )
    found = next(f for f in broad.findings if f.id == v.PARTNERS_MOST_USERS)
    assert found.severity == "warning"
    assert "4 of the 5 in-scope users" in found.title
    assert "employees' domain" in found.title
    assert found.examples[0] == "@contoso.com: 2 of 2 users"
    narrow = run(
        tmp_path, "upn-suffix:partners.contoso.com", *STAFF, *PARTNERS,
        suffixes=PARTNER_SUFFIX,
    )  # fmt: skip
    assert v.PARTNERS_MOST_USERS not in ids(narrow)
