"""Analyses built by hand for the bundle tests, hostile values included.

They stand in for :func:`generator.analysis.analyse` where a test needs a value
no directory file would normally hold (quotes and their look-alikes, backticks,
``$(...)``, ``;``), or a configuration the sample does not have.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from generator.analysis import (
    Analysis,
    Candidate,
    Confusion,
    ConnectorRef,
    ForestReport,
    PartnerPopulation,
    PreviewCounts,
    Ranking,
)
from generator.marker import Finding, Marker, UserOutcome

HOSTILE = (
    "O'Brien",
    "Ren\u2018ee\u2019s \u201aquote\u201b",
    "back`tick `n",
    "$(Remove-Item C:\\ -Recurse)",
    "semi; colon & amp | pipe",
    '"double" #> <# @{x=1}',
    "=1+2 @SUM(A1)",
)


def marker(strategy: str = "upn-suffix", hostile: bool = False) -> Marker:
    """A marker of ``strategy``; ``hostile`` puts dangerous text into it."""
    suffix = "partners.contoso.com"
    if strategy == "designate":
        return Marker(
            strategy="designate",
            spec="designate:extensionAttribute7",
            expression='IIF(LCase(Trim([extensionAttribute7]))="guest","Guest","Member")',
            source_attributes=("extensionAttribute7",),
            designated_attribute="extensionAttribute7",
        )
    text = HOSTILE[0] + HOSTILE[3] if hostile else suffix
    expression = (
        f'IIF(Right(LCase([userPrincipalName]),{len(text) + 1})="@{text.lower()}",'
        '"Guest","Member")'
    )
    return Marker(
        strategy="upn-suffix",
        spec=f"upn-suffix:{text}",
        expression=expression,
        source_attributes=("userPrincipalName",),
        suffixes=(text.lower(),),
    )


def users(hostile: bool = False, forest: str = "contoso.com") -> list[UserOutcome]:
    """A small population: partners, employees, an inetOrgPerson partner."""
    names = list(HOSTILE) if hostile else ["Ada", "Bo", "Cy", "Di", "Ed", "Flo"]
    found = []
    for i, name in enumerate(names):
        partner = i % 2 == 0
        ou = "Partners" if partner else "Staff"
        found.append(
            UserOutcome(
                forest=forest,
                dn=f"CN={name},OU={ou},DC=contoso,DC=com",
                sam=f"user{i}",
                upn=f"{name}@{'partners.' if partner else ''}contoso.com",
                object_class="inetOrgPerson" if i == 4 else "user",
                source_values=(f"{name}@x",),
                result="Guest" if partner else "Member",
                reason=f"suffix {name}",
                is_partner=partner,
                current_marker=None if i % 3 == 0 else f"old {name}",
            )
        )
    return found


def analysis(
    strategy: str = "upn-suffix",
    hostile: bool = False,
    config: Any | None = None,
    connect_version: str | None = None,
    findings: tuple[Finding, ...] = (),
    precedence: int | None = None,
) -> tuple[Analysis, list[UserOutcome]]:
    """An analysis and the outcomes ``outcomes()`` would stream for it."""
    chosen = marker(strategy, hostile)
    population = users(hostile)
    connectors: tuple[ConnectorRef, ...] = ()
    entra = None
    if config is not None:
        ad = config.ad_connectors[0]
        connectors = (ConnectorRef(ad.name, ad.id),)
        entra_found = config.entra_connector
        entra = ConnectorRef(entra_found.name, entra_found.id)
    forest = ForestReport(
        name="contoso.com",
        source="sample.ldf",
        schema_origin="file",
        schema_source="schema.ldf",
        users_read=len(population),
        in_scope=len(population),
        partners=3,
        ad_connectors=connectors,
        partner_classes={"user": 2, "inetOrgPerson": 1},
    )
    confusion = Confusion(partners_guest=3, employees_member=3)
    candidate = Candidate(
        marker=chosen,
        confusion=confusion,
        by_forest={"contoso.com": confusion},
        lacking_value=0,
        partners_lacking_value=0,
        schema_fitness={"contoso.com": "single-valued string"},
        conflicts=(),
        stability="stable",
    )
    result = Analysis(
        forests=(forest,),
        partners=PartnerPopulation(
            description=(
                "UPN suffix " + (HOSTILE[2] if hostile else "partners.contoso.com")
            ),
            count=3,
            given=True,
        ),
        ranking=Ranking(
            (candidate,),
            why="It matches every partner" + (HOSTILE[5] if hostile else "."),
        ),
        marker=chosen,
        findings=findings,
        preview=(PreviewCounts("contoso.com", guest=3, member=3),),
        configuration=config,
        entra_connector=entra,
        free_precedences=(1, 2, 3, 4) if config is not None else (),
        precedence=precedence,
        connect_version=connect_version,
    )
    return result, population


def outcomes_of(population: list[UserOutcome]):  # type: ignore[no-untyped-def]
    """An ``outcomes`` stand-in that streams ``population`` on every call."""

    def stream(_: Analysis) -> Iterator[UserOutcome]:
        yield from population

    return stream


def with_cloud(population: list[UserOutcome], cloud: str) -> list[UserOutcome]:
    return [replace(u, extra={"cloudUserType": cloud}) for u in population]
