"""The analysis facade: from sources, partners and configuration to a decision.

``analyse`` reads every source once (inventory, partner population, findings
data), then once more to evaluate each candidate marker's exact expression with
the engine (ranking and preview counts). ``outcomes`` streams a third pass that
yields one :class:`~generator.marker.UserOutcome` per in-scope user, for
``preview.csv`` and the designate scripts. Nothing here keeps a list of users:
only counters, bounded example lists and the admin's own lists (partner list,
current cloud state).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.commands.options import Config, Partners, Sources
from generator.marker import Finding, Marker, UserOutcome
from generator.partners import Suggestion
from generator.recommend import Candidate, Confusion, Ranking
from generator.schema import SchemaOrigin

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ConnectorRef:
    """A connector of the existing Entra Connect configuration."""

    name: str
    id: str


@dataclass(frozen=True)
class ForestReport:
    """One ``--source``: what was read and how much of it the rule would see."""

    name: str
    source: str
    schema_origin: SchemaOrigin
    schema_source: str
    users_read: int
    in_scope: int
    partners: int
    ad_connectors: tuple[ConnectorRef, ...] = ()
    # objectClass ("user", "inetOrgPerson") -> partners of that class; the bundle
    # emits a second inbound rule where partners use inetOrgPerson.
    partner_classes: dict[str, int] = field(default_factory=dict)
    out_of_scope: dict[str, int] = field(default_factory=dict)  # reason -> count


@dataclass(frozen=True)
class PartnerPopulation:
    """Who the partners are, as the admin defined them."""

    description: str  # "UPN suffix partners.contoso.com or OU=Partners,..."
    count: int
    given: bool
    suggestions: tuple[Suggestion, ...] = ()


@dataclass(frozen=True)
class PreviewCounts:
    """What the chosen marker's exact expression makes of one forest's users."""

    forest: str
    guest: int = 0
    member: int = 0
    invalid: int = 0  # errors, nulls, other values (always a blocker)
    defaulted: int = 0  # no source value: the default applied
    # with --current: cloud users whose userType would change
    to_guest: int | None = None
    to_member: int | None = None
    not_in_cloud: int | None = None

    @property
    def changes(self) -> int | None:
        if self.to_guest is None or self.to_member is None:
            return None
        return self.to_guest + self.to_member


@dataclass
class Analysis:
    """Everything recommend, validate, preview and the bundle need."""

    forests: tuple[ForestReport, ...]
    partners: PartnerPopulation
    ranking: Ranking
    marker: Marker | None  # the given spec, or the best-ranked one
    findings: tuple[Finding, ...]
    preview: tuple[PreviewCounts, ...]  # one per forest
    configuration: Any | None = None  # generator.connect.model.Configuration
    entra_connector: ConnectorRef | None = None
    free_precedences: tuple[int, ...] = ()
    precedence: int | None = None
    connect_version: str | None = None
    # how outcomes() reads the sources again; not part of the report
    context: Any = field(default=None, repr=False, compare=False)

    @property
    def blocked(self) -> bool:
        return any(f.severity == "blocker" for f in self.findings)

    @property
    def blockers(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "blocker")


def analyse(
    sources: Sources,
    partners: Partners,
    config: Config,
    marker_spec: str | None,
    *,
    precedence: int | None = None,
) -> Analysis:
    """Read every source and decide; see the module docstring for the passes."""
    raise NotImplementedError  # TODO(#5): wired in the next commit


def outcomes(analysis: Analysis) -> Iterator[UserOutcome]:
    """One outcome per in-scope user of every forest, read again from the source."""
    raise NotImplementedError  # TODO(#5): wired in the next commit


__all__ = [
    "SCHEMA_VERSION",
    "Analysis",
    "Candidate",
    "Confusion",
    "ConnectorRef",
    "ForestReport",
    "PartnerPopulation",
    "PreviewCounts",
    "Ranking",
    "Suggestion",
    "analyse",
    "outcomes",
]
