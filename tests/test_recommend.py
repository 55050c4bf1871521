"""Ranking: candidates from the data, evidence, order and the reason in words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from analysis_helpers import NO_CONFIG, partners, person, sources, user, write_ldif
from conftest import REAL_INPUTS, SAMPLES, run_cli

from generator.analysis import analyse
from generator.commands.options import Config
from generator.connect.model import (
    AttributeFlow,
    Configuration,
    Connector,
    Direction,
    MetaverseSchema,
    SyncRule,
)
from generator.partners import SuggestionTally
from generator.recommend import (
    Candidate,
    Confusion,
    FeatureTally,
    designate_choice,
    explain_empty,
    propose,
    rank,
)
from generator.schema import AttributeDef, ClassDef, Schema
from generator.strategies import parse_marker
from generator.validate import UPN_SUFFIX_UNUSABLE


def candidate(
    spec: str, *, employees: int = 0, missed: int = 0, blockers: tuple[str, ...] = ()
) -> Candidate:
    return Candidate(
        marker=parse_marker(spec),
        confusion=Confusion(10 - missed, employees, missed, 90 - employees),
        by_forest={},
        lacking_value=0,
        partners_lacking_value=0,
        schema_fitness={},
        conflicts=(),
        stability="",
        blockers=blockers,
    )


def test_order_blockers_employees_missed_then_no_change_in_ad_then_stability() -> None:
    ranking = rank(
        [
            candidate("ou:OU=P,DC=x", missed=1),
            candidate("designate:extensionAttribute2", blockers=("not in schema",)),
            candidate("ou:OU=Q,DC=x"),
            candidate("upn-suffix:p.example"),
            candidate("attribute:employeeType=Partner", employees=1),
            candidate("designate:extensionAttribute1"),
        ]
    )
    assert [c.marker.spec for c in ranking.candidates] == [
        "upn-suffix:p.example",
        "ou:OU=Q,DC=x",
        "designate:extensionAttribute1",
        "ou:OU=P,DC=x",
        "attribute:employeeType=Partner",
        "designate:extensionAttribute2",
    ]
    why = ranking.why
    assert why.startswith("upn-suffix:p.example ranks first")
    assert "more stable (medium) than ou:OU=Q,DC=x's (low)" in why
    assert (
        "needs no change in AD, while designate:extensionAttribute1 needs every "
        "user stamped first" in why
    )
    assert "misses 0 partner(s) where ou:OU=P,DC=x misses 1" in why
    assert "employee(s) Guest where attribute:employeeType=Partner makes 1" in why
    assert "no blocker while designate:extensionAttribute2 has: not in schema" in why


def test_designate_stays_first_when_every_derived_strategy_misses() -> None:
    ranking = rank(
        [
            candidate("upn-suffix:p.example", missed=2),
            candidate("ou:OU=P,DC=x", missed=3),
            candidate("designate:extensionAttribute1"),
        ]
    )
    assert ranking.best is not None
    assert ranking.best.marker.spec == "designate:extensionAttribute1"


def test_without_candidates_the_why_says_what_is_missing() -> None:
    assert "partner population" in rank([]).why


def _tally() -> FeatureTally:
    tally = FeatureTally()
    rows = [
        ("CN=p1,OU=Ext,OU=Partners,DC=c,DC=com", "p1@partners.c.com", "Partner", True),
        ("CN=p2,OU=Ext,OU=Partners,DC=c,DC=com", "p2@partners.c.com", "Partner", True),
        ("CN=p3,OU=Partners,DC=c,DC=com", "p3@c.com", "Partner", True),
        ("CN=e1,OU=Partners,DC=c,DC=com", "e1@c.com", "Employee", False),
        ("CN=e2,OU=Staff,DC=c,DC=com", "e2@c.com", "Employee", False),
        ("CN=e3,OU=Staff,DC=c,DC=com", "e3@c.com", "Employee", False),
    ]
    for dn, upn, kind, partner in rows:
        tally.add(user(dn, userPrincipalName=upn, employeeType=kind), partner)
    return tally


def _schema(*names: str, multi: tuple[str, ...] = ()) -> Schema:
    schema = Schema("file", "test")
    for name in (*names, *multi):
        schema.add_attribute(AttributeDef(name, "2.5.5.12", name not in multi))
    schema.add_class(ClassDef("user", may=(*names, *multi)))
    return schema


def test_propose_one_candidate_per_strategy() -> None:
    schema = _schema("msDS-cloudExtensionAttribute1", "employeeType")
    found = {m.strategy: m for m in propose(_tally(), [schema], None)}
    assert found["designate"].designated_attribute == "msDS-cloudExtensionAttribute1"
    assert found["upn-suffix"].suffixes == ("partners.c.com",)
    # OU=Partners: 3 partners and 1 employee; OU=Ext: 2 partners: same margin
    assert found["ou"].ou == "ou=ext,ou=partners,dc=c,dc=com"  # no employee in it
    assert found["attribute"].where == ("employeeType", "Partner")


def test_designate_skips_unfit_used_and_read_attributes() -> None:
    tally = FeatureTally()
    tally.add(user("CN=a,DC=c", extensionAttribute1="HR-42"), False)
    tally.add(user("CN=b,DC=c", extensionAttribute2="Guest"), True)
    schema = _schema(
        "extensionAttribute1", "extensionAttribute2", "extensionAttribute3",
        multi=("msDS-cloudExtensionAttribute1",),
    )  # fmt: skip
    # 1 holds junk; 2 holds only Guest; 3 is empty: the empty one wins
    assert designate_choice(tally, [schema], None) == "extensionAttribute3"
    reader = SyncRule(
        "{r}", "HR", Direction.INBOUND, "{ad}", "user", "person", 50,
        flows=(AttributeFlow.direct("info", "extensionAttribute3"),),
    )  # fmt: skip
    configuration = Configuration(
        (reader,), (Connector("{ad}", "c", "AD"),), MetaverseSchema()
    )
    assert designate_choice(tally, [schema], configuration) == "extensionAttribute2"
    # an attribute missing from one forest's schema is not offered
    assert designate_choice(tally, [schema, _schema()], None) is None


def _directory(tmp_path: Path, name: str = "users.ldf", under: str = "") -> Path:
    entries = [person(f"e{n}", ou="OU=Staff" + under) for n in range(6)]
    entries += [
        person(f"p{n}", upn=f"p{n}@partners.contoso.com", ou="OU=Partners" + under)
        for n in range(3)
    ]
    entries.append(person("outside", ou="OU=Elsewhere"))
    return write_ldif(tmp_path / name, entries)


def test_sample_like_ranking_evaluates_every_candidate(tmp_path: Path) -> None:
    analysis = analyse(
        sources(_directory(tmp_path)),
        partners(suffixes=("partners.contoso.com",)),
        NO_CONFIG,
        None,
    )
    specs = [c.marker.spec for c in analysis.ranking.candidates]
    # the suffix is as exact as stamping and needs no change in AD
    assert specs[0] == "upn-suffix:partners.contoso.com"
    assert "designate:msDS-cloudExtensionAttribute1" in specs
    best = analysis.ranking.candidates[0]
    assert best.confusion == Confusion(3, 0, 0, 7, 0)
    assert analysis.marker == best.marker
    suffix = next(
        c for c in analysis.ranking.candidates if c.marker.strategy == "upn-suffix"
    )
    assert suffix.schema_fitness == {
        "contoso.com": "userPrincipalName, no schema change"
    }
    assert "stable" in analysis.ranking.why


def test_designate_wins_when_the_derived_strategies_miss_partners(
    tmp_path: Path,
) -> None:
    entries = [person(f"e{n}", ou="OU=Staff") for n in range(6)]
    entries += [
        person(f"p{n}", upn=f"p{n}@partners.contoso.com", ou="OU=Partners")
        for n in range(3)
    ]
    # as on the sample: each derived strategy misses someone
    entries.append(person("pat", upn="pat@contoso.com", ou="OU=Partners"))
    entries.append(person("p3", upn="p3@partners.contoso.com", ou="OU=Staff"))
    analysis = analyse(
        sources(write_ldif(tmp_path / "users.ldf", entries)),
        partners(
            suffixes=("partners.contoso.com",), ous=("OU=Partners,DC=contoso,DC=com",)
        ),
        NO_CONFIG,
        None,
    )
    specs = [c.marker.spec for c in analysis.ranking.candidates]
    assert specs[0] == "designate:msDS-cloudExtensionAttribute1"
    why = analysis.ranking.why
    assert "misses 0 partner(s) where upn-suffix:partners.contoso.com misses 1" in why
    assert "misses 0 partner(s) where ou:OU=Partners,DC=contoso,DC=com misses 1" in why


def test_recommend_without_partners_suggests_and_exits_3(tmp_path: Path) -> None:
    result = run_cli("recommend", "--source", str(_directory(tmp_path)), "--json")
    assert result.code == 3
    document = json.loads(result.stdout)
    options = [s["option"] for s in document["partners"]["suggestions"]]
    assert "--partner-suffix partners.contoso.com" in options
    assert document["findings"][0]["id"] == "ERG-PARTNERS-NOT-GIVEN"


def test_recommend_with_partners_and_real_configuration(tmp_path: Path) -> None:
    folder = REAL_INPUTS / "aadconnect-config" / "contoso-pilot"
    analysis = analyse(
        sources(_directory(tmp_path, under=",OU=CORP")),
        partners(suffixes=("partners.contoso.com",)),
        Config(connect_config=folder),
        None,
    )
    (forest,) = analysis.forests
    # the export's AD connector selects OU=CORP only
    assert forest.in_scope == 9 and forest.out_of_scope == {"OU not selected": 1}
    assert forest.ad_connectors[0].name == "contoso.com"
    assert analysis.ranking.candidates
    for candidate_ in analysis.ranking.candidates:
        if candidate_.marker.strategy == "designate":
            # out-of-box rules read extensionAttribute1..15: not offered
            assert "extensionAttribute" not in candidate_.marker.spec.replace(
                "cloudExtensionAttribute", ""
            )
    # the evidence names the existing configuration's conflicts per candidate
    found = {c.marker.strategy: c for c in analysis.ranking.candidates}
    assert found["designate"].conflicts == (
        "msDS-cloudExtensionAttribute1 is not selected on AD connector(s) contoso.com",
    )
    (read,) = found["upn-suffix"].conflicts
    assert read.startswith("userPrincipalName is already read by existing rules: ")
    assert "In from AD - User Common" in read
    assert found["ou"].conflicts == ()


def test_multi_forest_reports_per_forest(tmp_path: Path) -> None:
    first = _directory(tmp_path, "a.ldf")
    second = write_ldif(
        tmp_path / "b.ldf",
        [
            {**person("x1"), "dn": "CN=x1,OU=Staff,DC=fabrikam,DC=com"},
            {
                **person("x2", upn="x2@partners.contoso.com"),
                "dn": "CN=x2,OU=Staff,DC=fabrikam,DC=com",
            },
        ],
    )
    analysis = analyse(
        sources(first, second),
        partners(suffixes=("partners.contoso.com",)),
        NO_CONFIG,
        "upn-suffix:partners.contoso.com",
    )
    assert [f.name for f in analysis.forests] == ["contoso.com", "fabrikam.com"]
    assert [(p.forest, p.guest, p.member) for p in analysis.preview] == [
        ("contoso.com", 3, 7),
        ("fabrikam.com", 1, 1),
    ]
    chosen = next(c for c in analysis.ranking.candidates if c.marker == analysis.marker)
    assert set(chosen.by_forest) == {"contoso.com", "fabrikam.com"}


def test_an_existing_attribute_as_good_as_designate_wins_on_effort() -> None:
    ranking = rank(
        [
            candidate("designate:extensionAttribute1"),
            candidate("attribute:employeeType=Partner"),
        ]
    )
    assert ranking.candidates[0].marker.strategy == "attribute"
    assert "needs no change in AD" in ranking.why


@pytest.mark.parametrize(
    "odd",
    [
        "partners_old.contoso.com",
        "partners.contoso.com.",
        "-bad-.example",
        "p\u0430rtners.contoso.com",  # a Cyrillic a
    ],
)
def test_an_odd_suffix_in_the_data_is_skipped_with_a_warning(
    tmp_path: Path, odd: str
) -> None:
    entries = [person(f"e{n}", ou="OU=Staff") for n in range(6)]
    entries += [
        person(f"p{n}", upn=f"p{n}@partners.contoso.com", ou="OU=Partners")
        for n in range(3)
    ]
    entries += [person(f"o{n}", upn=f"o{n}@{odd}", ou="OU=Partners") for n in range(2)]
    path = write_ldif(tmp_path / "users.ldf", entries)
    analysis = analyse(
        sources(path),
        partners(ous=("OU=Partners,DC=contoso,DC=com",)),
        NO_CONFIG,
        None,
    )
    found = next(f for f in analysis.findings if f.id == UPN_SUFFIX_UNUSABLE)
    assert found.severity == "warning" and odd.lower() in found.title
    assert found.count == 2 and found.examples == (f"o0@{odd}", f"o1@{odd}")
    assert "2 of them partners" in found.detail
    suffix = next(
        c for c in analysis.ranking.candidates if c.marker.strategy == "upn-suffix"
    )
    assert suffix.marker.suffixes == ("partners.contoso.com",)
    assert suffix.confusion.partners_missed == 2
    result = run_cli(
        "recommend",
        "--source",
        str(path),
        "--partner-ou",
        "OU=Partners,DC=contoso,DC=com",
    )
    assert result.code == 0, result.stdout + result.stderr


def test_an_odd_suffix_is_never_suggested() -> None:
    tally = SuggestionTally()
    for n in range(5):
        tally.add(user(f"CN=e{n},DC=c", userPrincipalName=f"e{n}@c.com"))
    for n in range(3):
        tally.add(user(f"CN=o{n},DC=c", userPrincipalName=f"o{n}@old_partners.c.com"))
    tally.add(user("CN=p,DC=c", userPrincipalName="p@partners.c.com"))
    assert [s.value for s in tally.suggestions()] == ["partners.c.com"]


def test_an_odd_suffix_typed_by_the_admin_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(
        "recommend",
        "--source",
        str(_directory(tmp_path)),
        "--partner-suffix",
        "partners_old.contoso.com",
    )
    assert result.code == 2 and "is not a UPN suffix" in result.stderr


def test_a_chosen_marker_is_said_and_compared_with_the_best(tmp_path: Path) -> None:
    directory = _directory(tmp_path)
    given = partners(suffixes=("partners.contoso.com",))
    best = analyse(sources(directory), given, NO_CONFIG, None).ranking.best
    assert best is not None and best.marker.spec == "upn-suffix:partners.contoso.com"
    spec = "designate:msDS-cloudExtensionAttribute1"
    why = analyse(sources(directory), given, NO_CONFIG, spec).ranking.why
    assert why.startswith(f"{spec} was chosen with --marker: 3 of 3 partners")
    assert "the best-ranked alternative is upn-suffix:partners.contoso.com (" in why
    assert "it ranks higher because it needs no change in AD" in why
    assert "ranks first" not in why
    same = analyse(sources(directory), given, NO_CONFIG, best.marker.spec)
    assert same.ranking.why.startswith(
        "upn-suffix:partners.contoso.com was chosen with --marker; it is also the "
        "best-ranked candidate"
    )
    alone = analyse(sources(directory), partners(), NO_CONFIG, spec).ranking.why
    assert alone.startswith(f"{spec} was chosen with --marker; strategies are ranked")


def test_without_candidates_the_why_says_which_input_is_missing() -> None:
    assert "give the partner population" in explain_empty(False, 0)
    assert "matches no in-scope user" in explain_empty(True, 0)
    assert "covers more partners than employees" in explain_empty(True, 4)


def test_each_candidates_blockers_are_the_ones_validate_raises() -> None:
    """The evidence table shows, per candidate, exactly validate's blockers for
    that marker (ou:OU=Partners makes 21 employees Guest on the sample)."""
    sample = SAMPLES / "alderbrook-users.ldf"
    given = partners(suffixes=("partners.alderbrook.example",))
    chosen = sources(sample, schema=SAMPLES / "alderbrook-schema.ldf")
    ranked = analyse(chosen, given, NO_CONFIG, None).ranking.candidates
    assert len(ranked) >= 3
    blocked = 0
    for candidate in ranked:
        validated = analyse(chosen, given, NO_CONFIG, candidate.marker.spec)
        expected = tuple(dict.fromkeys(f.title for f in validated.blockers))
        assert candidate.blockers == expected, candidate.marker.spec
        blocked += bool(expected)
    ou = next(c for c in ranked if c.marker.strategy == "ou")
    assert ou.confusion.employees_guest == 21
    assert any("employees" in b and "Guest" in b for b in ou.blockers)
    assert blocked >= 1


def test_the_partner_definition_and_marking_attributes_are_proposed_first() -> None:
    # Four attributes split the partners perfectly; two attribute candidates are
    # kept: the definition's own test, then a marking attribute before a name.
    tally = FeatureTally()
    for n in range(6):
        partner = n < 3
        tally.add(
            user(
                f"CN=u{n},DC=c,DC=com",
                company="Fabrikam" if partner else "Contoso",
                employeeType="Partner" if partner else "Employee",
                extensionAttribute5="B2B-Partner" if partner else "",
                **{
                    "msDS-cloudExtensionAttribute1": "PartnerAccount" if partner else ""
                },
            ),
            partner,
        )
    schema = _schema("extensionAttribute5", "employeeType", "company")

    def attribute_specs(where: tuple[tuple[str, str], ...]) -> list[str]:
        found = propose(tally, [schema], None, where)
        return [m.spec for m in found if m.strategy == "attribute"]

    assert attribute_specs((("extensionattribute5", "b2b-partner"),)) == [
        "attribute:extensionAttribute5=B2B-Partner",
        "attribute:employeeType=Partner",
    ]
    assert "attribute:company=Fabrikam" not in attribute_specs(())


def test_a_firm_name_is_less_stable_and_the_definition_wins_a_tie() -> None:
    where = (("extensionattribute5", "b2b-partner"),)
    ranking = rank(
        [
            candidate("attribute:company=Fabrikam"),
            candidate("attribute:employeeType=Partner"),
            candidate("attribute:extensionAttribute5=B2B-Partner"),
        ],
        where,
    )
    specs = [c.marker.spec for c in ranking.candidates]
    assert specs == [
        "attribute:extensionAttribute5=B2B-Partner",
        "attribute:employeeType=Partner",
        "attribute:company=Fabrikam",
    ]
    assert ranking.candidates[0].defines_partners
    assert "it is the partner definition's own test" in ranking.why
    assert "more stable (high) than attribute:company=Fabrikam's (medium)" in (
        ranking.why
    )


def test_recommend_on_the_real_export_ranks_the_defining_attribute_first() -> None:
    exports = REAL_INPUTS / "ad-exports"
    result = run_cli(
        "recommend", "--json",
        "--source", str(exports / "ldapsearch-samba-users.ldif"),
        "--schema", str(exports / "ldapsearch-samba-schema.ldif"),
        "--partner-where", "extensionAttribute5=B2B-Partner",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    specs = [
        c["marker"]["spec"] for c in json.loads(result.stdout)["ranking"]["candidates"]
    ]
    assert specs[0] == "attribute:extensionAttribute5=B2B-Partner"
    assert "attribute:company=Fabrikam" not in specs[:2]
